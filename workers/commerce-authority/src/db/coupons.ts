// Coupons per shop. Codes are stored upper case and matched case-insensitively.
import { and, asc, eq } from 'drizzle-orm';
import type { CouponCreateRequest } from '../../../../shared/contracts';
import type { Database } from './client';
import { coupons, type CouponRow } from './schema';

export async function findCoupon(db: Database, shopId: string, code: string): Promise<CouponRow | undefined> {
  return db
    .select()
    .from(coupons)
    .where(and(eq(coupons.shopId, shopId), eq(coupons.code, code.toUpperCase())))
    .get();
}

export async function listCoupons(db: Database, shopId: string): Promise<CouponRow[]> {
  return db.select().from(coupons).where(eq(coupons.shopId, shopId)).orderBy(asc(coupons.code));
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

export async function disableCoupon(db: Database, shopId: string, code: string, now: number): Promise<boolean> {
  const updated = await db
    .update(coupons)
    .set({ active: false, updatedAt: now })
    .where(and(eq(coupons.shopId, shopId), eq(coupons.code, code.toUpperCase())))
    .returning({ code: coupons.code });
  return updated.length === 1;
}
