// Admin coupons: create, list, disable, with their uses: reserved by live checkouts, redeemed by paid orders.
import { Hono } from 'hono';
import { CouponCode, CouponCreateRequest } from '../../../../../shared/contracts';
import { ProblemError } from '../../../../../shared/problem';
import { database } from '../../db/client';
import { createCoupon, disableCoupon, findCoupon, listCoupons } from '../../db/coupons';
import type { CouponWithUses } from '../../db/coupons';
import { readJson } from '../../http/json-body';
import type { ShopBindings } from '../../http/shop-context';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function couponView(coupon: CouponWithUses) {
  return {
    code: coupon.code,
    percentOff: coupon.percentOff,
    amountOff: coupon.amountOff,
    startsAt: iso(coupon.startsAt),
    endsAt: iso(coupon.endsAt),
    minSubtotal: coupon.minSubtotal,
    maxRedemptions: coupon.maxRedemptions,
    redemptions: coupon.redeemed,
    reserved: coupon.reserved,
    active: coupon.active,
  };
}

export const adminCouponRoutes = new Hono<ShopBindings>()
  .get('/', async (c) => c.json({ coupons: (await listCoupons(database(c.env.DB), c.var.shop.id)).map(couponView) }))
  .post('/', async (c) => {
    const input = await readJson(c, CouponCreateRequest);
    const db = database(c.env.DB);
    if (!(await createCoupon(db, c.var.shop.id, input, Date.now()))) {
      throw new ProblemError({ status: 409, code: 'coupon_exists', detail: `Coupon ${input.code} already exists.`, errors: [{ path: 'code', message: 'taken' }] });
    }
    return c.json(couponView((await findCoupon(db, c.var.shop.id, input.code))!), 201);
  })
  .post('/:code/disable', async (c) => {
    const code = CouponCode.safeParse(c.req.param('code'));
    const db = database(c.env.DB);
    if (!code.success || !(await disableCoupon(db, c.var.shop.id, code.data, Date.now()))) {
      throw new ProblemError({ status: 404, code: 'unknown_coupon', detail: `No coupon ${c.req.param('code')} in this shop.` });
    }
    return c.json(couponView((await findCoupon(db, c.var.shop.id, code.data))!));
  });
