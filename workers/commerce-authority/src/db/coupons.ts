// Coupons per shop and their uses. Codes are stored upper case and matched case-insensitively. A use is
// reserved when a checkout opens, redeemed when it is paid and released when it ends unpaid; the
// coupon_redemptions_limit trigger keeps live-or-paid uses within maxRedemptions however many checkouts race.
import { and, asc, eq, sql, type Placeholder } from 'drizzle-orm';
import type { CouponCreateRequest } from '../../../../shared/contracts';
import type { Database } from './client';
import { prepared, type Statement } from './statements';
import { checkouts, couponRedemptions, coupons, type CouponRow } from './schema';

/** A coupon with its uses: by paid orders (redeemed) and held by live checkouts (reserved). */
export type CouponWithUses = CouponRow & { redeemed: number; reserved: number };

// Written out in full: drizzle renders a column in a `sql` fragment unqualified, which inside this subquery
// would name the subquery's own table.
const uses = (status: 'reserved' | 'redeemed') =>
  sql<number>`(SELECT COUNT(*) FROM coupon_redemptions AS r
    WHERE r.shop_id = coupons.shop_id AND r.code = coupons.code AND r.status = ${status})`.mapWith(Number);

const withUses = { coupon: coupons, redeemed: uses('redeemed'), reserved: uses('reserved') };

/** The coupon with its uses, as a query (for a batch); `couponWithUses` reads its row. */
export function couponQuery(db: Database, shopId: string | Placeholder, code: string | Placeholder) {
  return db
    .select(withUses)
    .from(coupons)
    .where(and(eq(coupons.shopId, shopId), eq(coupons.code, typeof code === 'string' ? code.toUpperCase() : code)))
    .limit(1);
}

/** A row of `couponQuery`: the coupon and its counted uses. */
export type CouponQueryRow = Awaited<ReturnType<typeof couponQuery>>[number];

export function couponWithUses(rows: readonly CouponQueryRow[]): CouponWithUses | undefined {
  const row = rows[0];
  return row && { ...row.coupon, redeemed: row.redeemed, reserved: row.reserved };
}

export async function findCoupon(db: Database, shopId: string, code: string): Promise<CouponWithUses | undefined> {
  return couponWithUses(await couponQuery(db, shopId, code));
}

export async function listCoupons(db: Database, shopId: string): Promise<CouponWithUses[]> {
  const rows = await db.select(withUses).from(coupons).where(eq(coupons.shopId, shopId)).orderBy(asc(coupons.code));
  return rows.map((row) => ({ ...row.coupon, redeemed: row.redeemed, reserved: row.reserved }));
}

/** Creates a coupon; false when the code is taken in this shop. */
export async function createCoupon(db: Database, shopId: string, input: CouponCreateRequest, now: number): Promise<boolean> {
  const inserted = await db
    .insert(coupons)
    .values({
      shopId,
      code: input.code,
      percentOff: input.percentOff ?? null,
      amountOff: input.amountOff ?? null,
      startsAt: input.startsAt ? Date.parse(input.startsAt) : null,
      endsAt: input.endsAt ? Date.parse(input.endsAt) : null,
      minSubtotal: input.minSubtotal,
      maxRedemptions: input.maxRedemptions ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning({ code: coupons.code });
  return inserted.length === 1;
}

/** Disables a coupon: from now on no checkout can reserve it (checkouts already open keep their use). */
export async function disableCoupon(db: Database, shopId: string, code: string, now: number): Promise<boolean> {
  const updated = await db
    .update(coupons)
    .set({ active: false, updatedAt: now })
    .where(and(eq(coupons.shopId, shopId), eq(coupons.code, code.toUpperCase())))
    .returning({ code: coupons.code });
  return updated.length === 1;
}

/**
 * Reserves a use of the checkout's coupon, if this claim inserted the checkout row (created at `now`): a claim that
 * lost its race, even to a twin with the same id, reserves nothing. The trigger aborts it, and the batch it is in,
 * with `coupon_exhausted` or `coupon_inactive`.
 */
export function reserveCouponUse(db: Database, checkoutId: string, now: number) {
  return db.insert(couponRedemptions).select(
    db
      .select({
        checkoutId: checkouts.id,
        shopId: checkouts.shopId,
        code: sql<string>`${checkouts.couponCode}`.as('code'),
        status: sql<'reserved'>`'reserved'`.as('status'),
        createdAt: checkouts.createdAt,
        updatedAt: checkouts.updatedAt,
      })
      .from(checkouts)
      .where(and(eq(checkouts.id, checkoutId), eq(checkouts.createdAt, now), sql`${checkouts.couponCode} IS NOT NULL`)),
  );
}

/** Gives the use back once the checkout has ended unpaid (failed, expired, superseded). Idempotent. */
export function releaseCouponUseStatement(db: Database, checkoutId: string, now: number): Statement {
  return prepared(db, sql`
    UPDATE coupon_redemptions SET status = 'released', updated_at = ${now}
    WHERE checkout_id = ${checkoutId} AND status = 'reserved'
      AND (SELECT status FROM checkouts WHERE id = ${checkoutId}) IN ('failed', 'expired', 'superseded')`);
}

/** Gives the use of a checkout whose payment failed back (the checkout itself is complete). Idempotent. */
export function releaseFailedPaymentCouponUse(db: Database, checkoutId: string, now: number): Statement {
  return prepared(db, sql`
    UPDATE coupon_redemptions SET status = 'released', updated_at = ${now}
    WHERE checkout_id = ${checkoutId} AND status = 'reserved'`);
}
