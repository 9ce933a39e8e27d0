// Admin coupons: create, list, disable, with their uses: reserved by live checkouts, redeemed by paid orders.
import { z } from 'zod';
import { CouponCode, CouponCreateRequest, CouponListResponse, CouponView } from '../../../../../shared/contracts';
import { ProblemError } from '../../../../../shared/problem';
import { database } from '../../db/client';
import { createCoupon, disableCoupon, findCoupon, listCoupons } from '../../db/coupons';
import type { CouponWithUses } from '../../db/coupons';
import { ADMIN_SECURITY, apiRoute, jsonBody, ok, problems, routesApp } from '../../http/api-route';
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

const admin = { tags: ['Admin'], security: ADMIN_SECURITY };

const list = apiRoute({
  method: 'get',
  path: '/',
  ...admin,
  summary: 'List coupons',
  responses: { 200: ok(CouponListResponse), ...problems(401, 429) },
});
const create = apiRoute({
  method: 'post',
  path: '/',
  ...admin,
  summary: 'Create a coupon',
  request: { body: jsonBody(CouponCreateRequest) },
  responses: { 201: ok(CouponView, 'Created'), ...problems(400, 401, 409, 415, 429) },
});
const disable = apiRoute({
  method: 'post',
  path: '/{code}/disable',
  ...admin,
  summary: 'Disable a coupon',
  request: { params: z.object({ code: CouponCode.meta({ description: 'The coupon code' }) }) },
  responses: { 200: ok(CouponView), ...problems(400, 401, 404, 429) },
});

export const adminCouponRoutes = routesApp<ShopBindings>()
  .openapi(list, async (c) => {
    const coupons = await listCoupons(database(c.env.DB), c.var.shop.id);
    return c.json({ coupons: coupons.map(couponView) }, 200);
  })
  .openapi(create, async (c) => {
    const input = c.req.valid('json');
    const db = database(c.env.DB);
    if (!(await createCoupon(db, c.var.shop.id, input, Date.now()))) {
      throw new ProblemError({
        status: 409,
        code: 'coupon_exists',
        detail: `Coupon ${input.code} already exists.`,
        errors: [{ path: 'code', message: 'taken' }],
      });
    }
    return c.json(couponView((await findCoupon(db, c.var.shop.id, input.code))!), 201);
  })
  .openapi(disable, async (c) => {
    const { code } = c.req.valid('param');
    const db = database(c.env.DB);
    if (!(await disableCoupon(db, c.var.shop.id, code, Date.now()))) {
      throw new ProblemError({ status: 404, code: 'unknown_coupon', detail: `No coupon ${code} in this shop.` });
    }
    return c.json(couponView((await findCoupon(db, c.var.shop.id, code))!), 200);
  });
