// Checkout rows. A key has at most one live (pending or open) checkout, enforced by a partial unique index:
// claiming is one INSERT, so of two concurrent requests with one key exactly one does the work. The same
// INSERT is where the cap on a client's held units is checked, and the coupon use is reserved in its batch.
import { and, asc, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Database } from './client';
import { releaseCouponUseStatement, reserveCouponUse } from './coupons';
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

/** The newest checkout of a key, whatever its status. */
export async function findLatestCheckout(db: Database, shopId: string, key: string): Promise<CheckoutRow | undefined> {
  return db
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.shopId, shopId), eq(checkouts.idempotencyKey, key)))
    .orderBy(desc(checkouts.createdAt))
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

export type ClaimOutcome =
  | { kind: 'claimed'; checkout: CheckoutRow }
  /** The key already has a live checkout: someone else claimed it first. */
  | { kind: 'taken' }
  | { kind: 'refused'; reason: ClaimRefusal };

export type ClaimRefusal = 'client_hold_cap' | 'coupon_exhausted' | 'coupon_inactive';
const REFUSALS: readonly ClaimRefusal[] = ['client_hold_cap', 'coupon_exhausted', 'coupon_inactive'];

/** The cap a trigger raised (RAISE(ABORT, '<name>')), if that is what this error is. */
function refusalOf(error: unknown): ClaimRefusal | null {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const found = REFUSALS.find((name) => e instanceof Error && e.message.includes(name));
    if (found) return found;
  }
  return null;
}

/**
 * Inserts a pending checkout and, in the same transaction, reserves a use of its coupon. Refused as a whole
 * when the client would hold more than its cap or the coupon has no use left (the triggers decide).
 */
export async function claimCheckout(db: Database, row: NewCheckout, now: number): Promise<ClaimOutcome> {
  const insert = db
    .insert(checkouts)
    .values({ ...row, status: 'pending', createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning();
  try {
    const [claimed] = row.couponCode ? (await db.batch([insert, reserveCouponUse(db, row.id)]))[0] : await insert;
    return claimed ? { kind: 'claimed', checkout: claimed } : { kind: 'taken' };
  } catch (error) {
    const reason = refusalOf(error);
    if (reason) return { kind: 'refused', reason };
    throw error;
  }
}

/** When the client's earliest live checkout ends, freeing its units (for Retry-After); null if it has none. */
export async function clientHoldsFreeAt(db: Database, shopId: string, clientKey: string, now: number): Promise<number | null> {
  const row = await db
    .select({ expiresAt: checkouts.expiresAt })
    .from(checkouts)
    .where(
      and(
        eq(checkouts.shopId, shopId),
        eq(checkouts.clientKey, clientKey),
        // Unary plus: keeps the planner on the client's index, not on (status, expires_at) across every shop.
        sql`+${checkouts.status} IN ('pending', 'open') AND +${checkouts.expiresAt} > ${now}`,
      ),
    )
    .orderBy(asc(checkouts.expiresAt))
    .get();
  return row?.expiresAt ?? null;
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

/**
 * Moves a checkout from one of `from` to an ended status and gives its coupon use back, in one transaction;
 * false when it was not in `from` (any more).
 */
export async function markCheckoutEnded(
  db: Database,
  checkoutId: string,
  from: CheckoutRow['status'][],
  to: 'failed' | 'expired' | 'superseded',
  now: number,
): Promise<boolean> {
  const end = prepared(
    db,
    db
      .update(checkouts)
      .set({ status: to, updatedAt: now })
      .where(and(eq(checkouts.id, checkoutId), inArray(checkouts.status, from)))
      .returning({ id: checkouts.id }),
  );
  const [ended] = await db.$client.batch([end, releaseCouponUseStatement(db, checkoutId, now)]);
  return ended!.results.length === 1;
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
