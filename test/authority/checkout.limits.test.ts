// Holds are a shared resource: a variant's purchase limit, the cap on units one client holds at once, and coupon
// uses reserved while a checkout is open. Racing requests are proven concurrent, not argued.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  availableOf,
  call,
  countRows,
  demoCatalog,
  json,
  postCheckout,
  putCatalog,
  releaseAllHolds,
  setStock,
  Shopper,
} from './helpers';
import { checkoutSession, deliver, stripeEvent } from './stripe-events';

const NAVY_M = 'HB-NAVY-M';
const PINK_M = 'HB-PINK-M';
const DROP = 'HB-DROP';

const from = (ip: string) => ({ 'x-client-ip': ip });

function catalogWithDrop() {
  const catalog = demoCatalog();
  catalog.products[0]!.variants.push({ sku: DROP, attributes: { colour: 'gold', size: 'M' }, unitAmount: 4500, maxPerCheckout: 2 });
  return catalog;
}

async function setShop(column: 'max_held_units_per_client', value: number) {
  await env.DB.prepare(`UPDATE shops SET ${column} = ? WHERE id = 'cochlearfit'`).bind(value).run();
}

async function coupons(): Promise<Record<string, { redemptions: number; reserved: number; maxRedemptions: number | null }>> {
  const { coupons } = await json(await call('/api/admin/coupons', { admin: 'cochlearfit' }));
  return Object.fromEntries(coupons.map((c: { code: string }) => [c.code, c]));
}

beforeEach(async () => {
  await releaseAllHolds();
  await putCatalog('cochlearfit', catalogWithDrop());
  await setStock('cochlearfit', NAVY_M, 50);
  await setStock('cochlearfit', PINK_M, 50);
  await setStock('cochlearfit', DROP, 20);
  await setShop('max_held_units_per_client', 20);
});

describe('a per-variant purchase limit (maxPerCheckout 2)', () => {
  it('the storefront sees it with the catalog', async () => {
    const { products, maxLineQuantity } = await json(await call('/api/products'));
    const drop = products[0].variants.find((v: { sku: string }) => v.sku === DROP);
    expect(drop).toMatchObject({ maxPerCheckout: 2, requiresChallenge: false });
    expect(products[0].variants.find((v: { sku: string }) => v.sku === NAVY_M).maxPerCheckout).toBeNull();
    expect(maxLineQuantity).toBe(10);
  });

  it('the cart refuses a third unit, whichever way it is asked for', async () => {
    const shopper = new Shopper();
    const add3 = await shopper.cart('POST', { sku: DROP, quantity: 3 });
    expect(add3.status).toBe(400);
    expect(await json(add3)).toMatchObject({
      code: 'cart_limit',
      detail: `${DROP} is limited to 2 per order.`,
      limit: { name: 'maxPerCheckout', value: 2 },
      errors: [{ path: 'quantity', message: 'maxPerCheckout is 2' }],
    });
    await shopper.view('POST', { sku: DROP, quantity: 2 });
    expect((await shopper.cart('POST', { sku: DROP, quantity: 1 })).status).toBe(400);
    expect((await shopper.cart('PATCH', { sku: DROP, quantity: 3 })).status).toBe(400);
    const replace = await shopper.cart('PUT', { items: [{ sku: DROP, quantity: 1 }, { sku: DROP, quantity: 2 }] });
    expect(replace.status).toBe(400);
    expect(await json(replace)).toMatchObject({ limit: { name: 'maxPerCheckout', value: 2 } });
    expect((await shopper.view()).lines).toMatchObject([{ sku: DROP, quantity: 2 }]);
  });

  it('checkout refuses 3 (also split over two lines) before holding anything', async () => {
    for (const items of [[{ sku: DROP, quantity: 3 }], [{ sku: DROP, quantity: 2 }, { sku: 'HB', variantAttributes: { colour: 'gold', size: 'M' }, quantity: 1 }]]) {
      const res = await postCheckout({ items });
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ code: 'cart_limit', limit: { name: 'maxPerCheckout', value: 2 } });
    }
    expect(await availableOf(DROP)).toBe(20);
    expect((await postCheckout({ items: [{ sku: DROP, quantity: 2 }] })).status).toBe(200);
    expect(await availableOf(DROP)).toBe(18);
  });
});

describe('the cap on units one client holds at once', () => {
  it('one address opening checkouts until its cap -> 429 naming it; its holds untouched; another address still buys', async () => {
    await setShop('max_held_units_per_client', 5);
    const alice = from('203.0.113.5');
    expect((await postCheckout({ items: [{ sku: NAVY_M, quantity: 2 }] }, alice)).status).toBe(200);
    expect((await postCheckout({ items: [{ sku: PINK_M, quantity: 3 }] }, alice)).status).toBe(200);
    expect(await availableOf(NAVY_M)).toBe(48);

    const refused = await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }] }, alice);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(25 * 60);
    expect(await json(refused)).toMatchObject({ status: 429, code: 'hold_limit', limit: { name: 'maxHeldUnitsPerClient', value: 5 } });
    expect(await availableOf(NAVY_M)).toBe(48);
    expect(await availableOf(PINK_M)).toBe(47);
    expect(await countRows("SELECT COUNT(*) AS n FROM checkouts WHERE client_key = '203.0.113.5' AND status = 'open'")).toBe(2);

    expect((await postCheckout({ items: [{ sku: NAVY_M, quantity: 5 }] }, from('198.51.100.77'))).status).toBe(200);
    expect(await availableOf(NAVY_M)).toBe(43);
  });

  it('an address at its cap is turned away before anything is held: no stock object, no provider, no write', async () => {
    await setShop('max_held_units_per_client', 2);
    const bob = from('203.0.113.9');
    expect((await postCheckout({ items: [{ sku: NAVY_M, quantity: 2 }] }, bob)).status).toBe(200);
    env.COST_ACCOUNTING = '1';
    try {
      const refused = await postCheckout({ items: [{ sku: PINK_M, quantity: 1 }] }, bob);
      expect(refused.status).toBe(429);
      expect(await json(refused)).toMatchObject({ code: 'hold_limit' });
      // The read saw the address's holds; the primary confirmed them (the read may be a replica's).
      expect(JSON.parse(refused.headers.get('x-cost')!)).toMatchObject({
        d1RoundTrips: 2,
        d1WriteRoundTrips: 0,
        d1RowsWritten: 0,
        durableObjectCalls: 0,
        providerCalls: 0,
      });
    } finally {
      env.COST_ACCOUNTING = undefined;
    }
    expect(await availableOf(PINK_M)).toBe(50);
  });

  it('two IPv6 addresses in one /64 share the cap; the next /64 does not', async () => {
    await setShop('max_held_units_per_client', 3);
    expect((await postCheckout({ items: [{ sku: NAVY_M, quantity: 2 }] }, from('2001:db8:aa:1::1'))).status).toBe(200);
    const sameNetwork = await postCheckout({ items: [{ sku: NAVY_M, quantity: 2 }] }, from('2001:db8:aa:1:ffff::9'));
    expect(sameNetwork.status).toBe(429);
    expect((await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }] }, from('2001:0db8:00aa:0001::2'))).status).toBe(200);
    expect((await postCheckout({ items: [{ sku: NAVY_M, quantity: 3 }] }, from('2001:db8:aa:2::1'))).status).toBe(200);
  });

  it('30 checkouts at once from one address with a cap of 5: exactly 5 units held', async () => {
    await setShop('max_held_units_per_client', 5);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }] }, from('192.0.2.99'))),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
    expect(await availableOf(NAVY_M)).toBe(45);
  }, 30_000);

  it('a cart checking out again does not count its own superseded checkout against the cap', async () => {
    await setShop('max_held_units_per_client', 4);
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 3 });
    const headers = { cookie: shopper.cookie!, ...from('203.0.113.44') };
    expect((await postCheckout(undefined, headers)).status).toBe(200);
    await shopper.view('POST', { sku: PINK_M, quantity: 1 });
    expect((await postCheckout(undefined, headers)).status).toBe(200);
    expect(await availableOf(NAVY_M)).toBe(47);
    expect(await availableOf(PINK_M)).toBe(49);
  });

  it('units come back to the client when its checkout ends', async () => {
    await setShop('max_held_units_per_client', 2);
    const ip = from('203.0.113.60');
    const first = await json(await postCheckout({ items: [{ sku: NAVY_M, quantity: 2 }] }, ip));
    expect((await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }] }, ip)).status).toBe(429);
    const expired = stripeEvent('checkout.session.expired', {
      ...checkoutSession({ sessionId: first.sessionId, checkoutId: first.checkoutId, shopId: 'cochlearfit', subtotal: 3600 }),
      status: 'expired',
      payment_status: 'unpaid',
    });
    expect((await deliver('cochlearfit', expired)).status).toBe(200);
    expect((await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }] }, ip)).status).toBe(200);
  });
});

describe('an attempt refused by the cap', () => {
  it('holds and records nothing, and the same attempt succeeds once the client has room', async () => {
    await setShop('max_held_units_per_client', 2);
    const ip = from('203.0.113.70');
    const first = await json(await postCheckout({ items: [{ sku: NAVY_M, quantity: 2 }] }, ip));
    const shopper = new Shopper();
    await shopper.view('POST', { sku: PINK_M, quantity: 1 });
    const again = () => postCheckout(undefined, { cookie: shopper.cookie!, ...ip });
    // Refused before anything is held: nothing of it is held or recorded.
    expect((await again()).status).toBe(429);
    expect(await availableOf(PINK_M)).toBe(50);
    expect(await countRows(`SELECT COUNT(*) AS n FROM checkouts WHERE cart_id IS NOT NULL AND status = 'open'`)).toBe(0);
    const expired = stripeEvent('checkout.session.expired', {
      ...checkoutSession({ sessionId: first.sessionId, checkoutId: first.checkoutId, shopId: 'cochlearfit', subtotal: 3600 }),
      status: 'expired',
      payment_status: 'unpaid',
    });
    expect((await deliver('cochlearfit', expired)).status).toBe(200);
    // The same attempt again, once the first checkout has ended; a retry of it then finds that checkout.
    const retried = await again();
    expect(retried.status).toBe(200);
    expect(await availableOf(PINK_M)).toBe(49);
    expect((await json(await again())).checkoutId).toBe((await json(retried)).checkoutId);
  });
});

describe('coupon uses are reserved while a checkout is open', () => {
  async function createCoupon(body: Record<string, unknown>) {
    expect((await call('/api/admin/coupons', { method: 'POST', admin: 'cochlearfit', json: body })).status).toBe(201);
  }

  it('maxRedemptions 5 and 50 concurrent checkouts: exactly 5 open; an expiry frees a use; paid uses never pass 5', async () => {
    await createCoupon({ code: 'FIVE', percentOff: 10, maxRedemptions: 5 });
    const answers = await Promise.all(Array.from({ length: 50 }, () => postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }], coupon: 'five' })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(45);
    const refusals = await Promise.all(answers.filter((r) => r.status === 409).map(json));
    expect(new Set(refusals.map((p) => p.code))).toEqual(new Set(['coupon_exhausted']));
    expect(await availableOf(NAVY_M)).toBe(45);
    expect((await coupons()).FIVE).toMatchObject({ redemptions: 0, reserved: 5, maxRedemptions: 5 });

    const open = await Promise.all(answers.filter((r) => r.status === 200).map(json));
    const session = (c: { sessionId: string; checkoutId: string; amounts: { subtotal: number; discount: number } }) =>
      checkoutSession({ sessionId: c.sessionId, checkoutId: c.checkoutId, shopId: 'cochlearfit', subtotal: c.amounts.subtotal, discount: c.amounts.discount });
    const expire = stripeEvent('checkout.session.expired', { ...session(open[0]), status: 'expired', payment_status: 'unpaid' });
    expect((await deliver('cochlearfit', expire)).status).toBe(200);
    expect((await coupons()).FIVE).toMatchObject({ redemptions: 0, reserved: 4 });

    const late = await postCheckout({ items: [{ sku: PINK_M, quantity: 1 }], coupon: 'FIVE' });
    expect(late.status).toBe(200);
    open[0] = await json(late);
    for (const checkout of open) expect((await deliver('cochlearfit', stripeEvent('checkout.session.completed', session(checkout)))).status).toBe(200);
    expect((await coupons()).FIVE).toMatchObject({ redemptions: 5, reserved: 0 });
    expect((await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }], coupon: 'FIVE' })).status).toBe(409);
    expect(await countRows("SELECT COUNT(*) AS n FROM orders WHERE coupon_code = 'FIVE' AND status = 'paid'")).toBe(5);
  }, 30_000);

  it('a checkout that fails or is superseded gives its use back', async () => {
    await createCoupon({ code: 'ONEUSE', amountOff: 100, maxRedemptions: 1 });
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 1 });
    const couponCart = (coupon: string) => call('/api/checkout-session', { method: 'POST', json: { coupon }, headers: { cookie: shopper.cookie! } });
    expect((await couponCart('ONEUSE')).status).toBe(200);
    expect((await coupons()).ONEUSE).toMatchObject({ reserved: 1 });
    await shopper.view('POST', { sku: NAVY_M, quantity: 1 });
    // The changed cart supersedes its own checkout, and with it the use that checkout held.
    expect((await couponCart('ONEUSE')).status).toBe(200);
    expect((await coupons()).ONEUSE).toMatchObject({ reserved: 1 });

    await setStock('cochlearfit', PINK_M, 0);
    const short = await postCheckout({ items: [{ sku: PINK_M, quantity: 1 }], coupon: 'ONEUSE' });
    expect(short.status).toBe(409);
    expect((await coupons()).ONEUSE).toMatchObject({ reserved: 1 });
  });

  it('a delayed payment keeps its use reserved; failing gives it back, succeeding redeems it', async () => {
    await createCoupon({ code: 'SLOWPAY', percentOff: 5, maxRedemptions: 2 });
    const [failing, paying] = await Promise.all(
      [1, 2].map(async () => json(await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }], coupon: 'SLOWPAY' }))),
    );
    const session = (c: typeof failing, paymentStatus: 'paid' | 'unpaid') =>
      checkoutSession({ sessionId: c.sessionId, checkoutId: c.checkoutId, shopId: 'cochlearfit', subtotal: 1800, discount: 90, paymentStatus });
    for (const c of [failing, paying]) await deliver('cochlearfit', stripeEvent('checkout.session.completed', session(c, 'unpaid')));
    expect((await coupons()).SLOWPAY).toMatchObject({ reserved: 2, redemptions: 0 });
    await deliver('cochlearfit', stripeEvent('checkout.session.async_payment_failed', session(failing, 'unpaid')));
    await deliver('cochlearfit', stripeEvent('checkout.session.async_payment_succeeded', session(paying, 'paid')));
    expect((await coupons()).SLOWPAY).toMatchObject({ reserved: 0, redemptions: 1 });
  });

  it('disabling a coupon refuses new checkouts at once; open ones keep their use', async () => {
    await createCoupon({ code: 'STOPME', percentOff: 20 });
    expect((await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }], coupon: 'STOPME' })).status).toBe(200);
    expect((await call('/api/admin/coupons/STOPME/disable', { method: 'POST', admin: 'cochlearfit' })).status).toBe(200);
    const refused = await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }], coupon: 'STOPME' });
    expect(refused.status).toBe(400);
    expect(await json(refused)).toMatchObject({ code: 'coupon_inactive' });
    expect((await coupons()).STOPME).toMatchObject({ reserved: 1, active: false });
  });
});
