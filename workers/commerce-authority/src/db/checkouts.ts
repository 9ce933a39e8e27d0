// Checkout rows. A key has at most one live (pending or open) checkout, enforced by a partial unique index:
// claiming is one INSERT, so of two concurrent requests with one key exactly one row lands. The same INSERT is
// where the cap on a client's held units is checked, and the coupon use is reserved in its batch. A row is
// written once its provider session exists (decision 0020), so a live checkout always has one.
import { and, eq, getTableColumns, gt, inArray, sql, type Placeholder } from 'drizzle-orm';
import type { Database } from './client';
import { releaseCouponUseStatement, reserveCouponUse } from './coupons';
import { placeholders, prebuilt, prepared, type Statement } from './statements';
import { checkouts, type CheckoutRow } from './schema';

export type NewCheckout = Omit<CheckoutRow, 'status' | 'createdAt' | 'updatedAt'>;

/** Live checkouts, written as the partial indexes say it (SQLite matches them on the literal text). */
export const LIVE = sql`${checkouts.status} IN ('pending', 'open')`;

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

/** A cap (client_hold_cap, coupon_*), or the holds were given back by another request of the attempt first. */
export type ClaimRefusal = 'client_hold_cap' | 'coupon_exhausted' | 'coupon_inactive' | 'hold_released';
const REFUSALS: readonly ClaimRefusal[] = ['client_hold_cap', 'coupon_exhausted', 'coupon_inactive', 'hold_released'];

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
 * Inserts the checkout, open and with its session, and in the same transaction reserves a use of its coupon and
 * runs `alongside` (the record of its holds). Refused as a whole when the client would hold more than its cap or
 * the coupon has no use left (the triggers decide).
 */
export async function claimCheckout(db: Database, row: NewCheckout, now: number, alongside: Statement[] = []): Promise<ClaimOutcome> {
  const checkout: CheckoutRow = { ...row, status: 'open', createdAt: now, updatedAt: now };
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

/**
 * What a client holds in live checkouts, as the cap's trigger counts it (a cart's own checkout does not count:
 * a new one supersedes it), and when the earliest of them ends (for Retry-After). A query, so the checkout's read
 * can carry it in its batch.
 */
export function clientHolds(
  db: Database,
  shopId: string | Placeholder,
  clientKey: string | Placeholder,
  cartId: string | null | Placeholder,
  now: number | Placeholder,
) {
  return (
    db
      .select({ units: sql<number>`COALESCE(SUM(${checkouts.heldUnits}), 0)`, freeAt: sql<number | null>`MIN(${checkouts.expiresAt})` })
      // Named, as in the cap's trigger: left to itself the planner may walk every shop's live checkouts by expiry.
      .from(sql`${checkouts} INDEXED BY checkouts_client`)
      .where(
        and(
          eq(checkouts.shopId, shopId),
          eq(checkouts.clientKey, clientKey),
          LIVE,
          gt(checkouts.expiresAt, now),
          // As the trigger has it; one shape whether or not there is a cart, so the checkout's read can be prebuilt.
          sql`(${cartId} IS NULL OR ${checkouts.cartId} IS NOT ${cartId})`,
        ),
      )
  );
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
