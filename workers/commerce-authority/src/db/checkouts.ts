// Checkout rows. A key has at most one live (pending or open) checkout, enforced by a partial unique index:
// claiming is one INSERT, so of two concurrent requests with one key exactly one does the work. The same
// INSERT is where the cap on a client's held units is checked, and the coupon use is reserved in its batch.
import { and, eq, getTableColumns, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from './client';
import { releaseCouponUseStatement, reserveCouponUse } from './coupons';
import { placeholders, prebuilt, prepared, type Statement } from './statements';
import { checkouts, type CheckoutRow } from './schema';

export type NewCheckout = Omit<CheckoutRow, 'status' | 'sessionId' | 'sessionUrl' | 'clientSecret' | 'createdAt' | 'updatedAt'>;

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

/** The claim's INSERT: every column, and D1 answers only whether the row landed (the row is the one written). */
const insertClaim = prebuilt<CheckoutRow>((db) =>
  db
    .insert(checkouts)
    .values(placeholders(Object.keys(getTableColumns(checkouts)) as (keyof CheckoutRow)[]))
    .onConflictDoNothing()
    .returning({ id: checkouts.id }),
);

/**
 * Inserts the checkout (live, its session still to be made) and, in the same transaction, reserves a use of its
 * coupon and runs `alongside` (the record of its holds). Refused as a whole when the client would hold more than
 * its cap or the coupon has no use left (the triggers decide).
 */
export async function claimCheckout(db: Database, row: NewCheckout, now: number, alongside: Statement[] = []): Promise<ClaimOutcome> {
  // Live from the start: 'open' with no session yet means its session is being created. Opening then writes
  // only the session fields, and no index on the status is rewritten.
  const checkout: CheckoutRow = { ...row, status: 'open', sessionId: null, sessionUrl: null, clientSecret: null, createdAt: now, updatedAt: now };
  const coupon = row.couponCode ? [prepared(db, reserveCouponUse(db, row.id, now))] : [];
  try {
    const [inserted] = await db.$client.batch([insertClaim(db, checkout), ...coupon, ...alongside]);
    return inserted!.results.length === 1 ? { kind: 'claimed', checkout } : { kind: 'taken' };
  } catch (error) {
    const reason = refusalOf(error);
    if (reason) return { kind: 'refused', reason };
    throw error;
  }
}

/** When the client's earliest live checkout ends, freeing its units (for Retry-After); null if it has none. */
export async function clientHoldsFreeAt(db: Database, shopId: string, clientKey: string, now: number): Promise<number | null> {
  // Named, as in the cap's trigger: left to itself the planner may walk every shop's live checkouts by expiry.
  const [row] = await db.all<{ expires_at: number }>(sql`
    SELECT expires_at FROM checkouts INDEXED BY checkouts_client
    WHERE shop_id = ${shopId} AND client_key = ${clientKey} AND status IN ('pending', 'open') AND expires_at > ${now}
    ORDER BY expires_at LIMIT 1`);
  return row?.expires_at ?? null;
}

type Opened = Pick<CheckoutRow, 'sessionId' | 'sessionUrl' | 'clientSecret' | 'updatedAt'>;

/** Session fields only: the status is already 'open' (see claimCheckout), so no index on it is rewritten. */
const updateOpened = prebuilt<Opened & Pick<CheckoutRow, 'id'>>((db) =>
  db
    .update(checkouts)
    // Drizzle's types take no placeholder in a SET, so each is a bit of SQL: these columns need no encoding.
    .set({
      sessionId: sql`${sql.placeholder('sessionId')}`,
      sessionUrl: sql`${sql.placeholder('sessionUrl')}`,
      clientSecret: sql`${sql.placeholder('clientSecret')}`,
      updatedAt: sql`${sql.placeholder('updatedAt')}`,
    })
    .where(and(eq(checkouts.id, sql.placeholder('id')), eq(checkouts.status, 'open'), isNull(checkouts.sessionId)))
    .returning({ id: checkouts.id }),
);

/** The claimed checkout with its session, or undefined if it ended before the session opened. */
export async function markCheckoutOpen(
  db: Database,
  claimed: CheckoutRow,
  session: { sessionId: string; url: string | null; clientSecret: string | null },
  now: number,
): Promise<CheckoutRow | undefined> {
  const opened: Opened = { sessionId: session.sessionId, sessionUrl: session.url, clientSecret: session.clientSecret, updatedAt: now };
  const { results } = await updateOpened(db, { ...opened, id: claimed.id }).all();
  // Nothing else writes a checkout whose session is being created but to end it, so the row is this one.
  return results.length === 1 ? { ...claimed, ...opened } : undefined;
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

/** A checkout whose session was completed (paid or paying) is complete, whatever it was before. */
export function markCheckoutComplete(db: Database, checkoutId: string, now: number) {
  return prepared(db, db.update(checkouts).set({ status: 'complete', updatedAt: now }).where(eq(checkouts.id, checkoutId)));
}
