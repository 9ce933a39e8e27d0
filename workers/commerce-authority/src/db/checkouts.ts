// Checkout rows. A key has at most one live (pending or open) checkout, enforced by a partial unique index:
// claiming is one INSERT, so of two identical concurrent requests exactly one does the work.
import { and, eq, inArray, ne } from 'drizzle-orm';
import type { Database } from './client';
import { prepared } from './statements';
import { checkouts, type CheckoutRow } from './schema';

export type NewCheckout = Omit<CheckoutRow, 'status' | 'sessionId' | 'sessionUrl' | 'clientSecret' | 'createdAt' | 'updatedAt'>;

/** The live (pending or open) checkout of a key, if any. */
export async function findLiveCheckout(db: Database, shopId: string, key: string): Promise<CheckoutRow | undefined> {
  return db
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.shopId, shopId), eq(checkouts.idempotencyKey, key), inArray(checkouts.status, ['pending', 'open'])))
    .get();
}

/** A paid (or paying) checkout of a key, if any. */
export async function findCompleteCheckout(db: Database, shopId: string, key: string): Promise<CheckoutRow | undefined> {
  return db
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.shopId, shopId), eq(checkouts.idempotencyKey, key), eq(checkouts.status, 'complete')))
    .get();
}

export async function findCheckout(db: Database, shopId: string, checkoutId: string): Promise<CheckoutRow | undefined> {
  return db
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.shopId, shopId), eq(checkouts.id, checkoutId)))
    .get();
}

export async function findCheckoutBySession(db: Database, shopId: string, sessionId: string): Promise<CheckoutRow | undefined> {
  return db
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.shopId, shopId), eq(checkouts.sessionId, sessionId)))
    .get();
}

/** Inserts a pending checkout; null when the key already has a live one (someone else claimed it). */
export async function claimCheckout(db: Database, row: NewCheckout, now: number): Promise<CheckoutRow | null> {
  const [claimed] = await db
    .insert(checkouts)
    .values({ ...row, status: 'pending', createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning();
  return claimed ?? null;
}

export async function markCheckoutOpen(
  db: Database,
  checkoutId: string,
  session: { sessionId: string; url: string | null; clientSecret: string | null },
  now: number,
): Promise<CheckoutRow | undefined> {
  const [opened] = await db
    .update(checkouts)
    .set({ status: 'open', sessionId: session.sessionId, sessionUrl: session.url, clientSecret: session.clientSecret, updatedAt: now })
    .where(and(eq(checkouts.id, checkoutId), eq(checkouts.status, 'pending')))
    .returning();
  return opened;
}

/** Moves a checkout from one of `from` to an ended status; false when it was not in `from` (any more). */
export async function markCheckoutEnded(
  db: Database,
  checkoutId: string,
  from: CheckoutRow['status'][],
  to: 'failed' | 'expired' | 'superseded',
  now: number,
): Promise<boolean> {
  const ended = await db
    .update(checkouts)
    .set({ status: to, updatedAt: now })
    .where(and(eq(checkouts.id, checkoutId), inArray(checkouts.status, from)))
    .returning({ id: checkouts.id });
  return ended.length === 1;
}

/** Other open checkouts of the same cart: a newer checkout of that cart supersedes them. */
export async function openCheckoutsOfCart(db: Database, shopId: string, cartId: string, exceptKey: string): Promise<CheckoutRow[]> {
  return db
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.shopId, shopId), eq(checkouts.cartId, cartId), eq(checkouts.status, 'open'), ne(checkouts.idempotencyKey, exceptKey)));
}

/** A checkout whose session was completed (paid or paying) is complete, whatever it was before. */
export function markCheckoutComplete(db: Database, checkoutId: string, now: number) {
  return prepared(db, db.update(checkouts).set({ status: 'complete', updatedAt: now }).where(eq(checkouts.id, checkoutId)));
}
