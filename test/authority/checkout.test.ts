// Checkout with the dev payment provider: repricing, holds, coupons, backorder, contention. Which checkouts are the
// same is in checkout.identity.test.ts; the caps that protect holds in checkout.limits.test.ts.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { availableOf, call, countRows, json, postCheckout, putCatalog, releaseAllHolds, setStock, Shopper } from './helpers';

const NAVY_M = 'HB-NAVY-M';
const PINK_M = 'HB-PINK-M';


beforeEach(async () => {
  await releaseAllHolds();
  await putCatalog('cochlearfit');
  await setStock('cochlearfit', NAVY_M, 10);
  await setStock('cochlearfit', PINK_M, 10);
});

describe('checkout: pricing', () => {
  it('prices every line from the catalog; price fields from the client are ignored', async () => {
    const res = await postCheckout({
      items: [
        { sku: NAVY_M, quantity: 2, unitAmount: 1, price: 1, name: 'Free headband', currency: 'usd' },
        { sku: 'HB', variantAttributes: { colour: 'pink', size: 'M' }, quantity: 1, lineAmount: 0 },
      ],
      subtotal: 1,
      total: 1,
      amounts: { total: 0 },
      email: 'Shopper@Example.com',
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.amounts).toEqual({ subtotal: 2 * 1800 + 1900, discount: 0, shipping: 0, tax: 0, total: 5500 });
    expect(body.currency).toBe('gbp');
    expect(body.lines).toEqual([
      { sku: NAVY_M, variantKey: 'hb|colour=navy;size=m', name: 'Headband', attributes: { colour: 'navy', size: 'M' }, quantity: 2, unitAmount: 1800, lineAmount: 3600 },
      { sku: PINK_M, variantKey: 'hb|colour=pink;size=m', name: 'Headband', attributes: { colour: 'pink', size: 'M' }, quantity: 1, unitAmount: 1900, lineAmount: 1900 },
    ]);
    expect(body.sessionId).toMatch(/^cs_dev_/);
    expect(body.url).toBe(`http://authority.internal/api/dev-checkout/${body.sessionId}`);
    expect(await availableOf(NAVY_M)).toBe(8);
  });

  it('holds until the session expires: expiresAt is the hold expiry, at least 30 minutes out', async () => {
    const before = Date.now();
    const body = await json(await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }] }));
    const expiresAt = Date.parse(body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 32 * 60_000);
    const reservation = await env.DB.prepare('SELECT expires_at AS e, status FROM reservations WHERE id = ?').bind(body.checkoutId).first<{ e: number; status: string }>();
    expect(reservation).toEqual({ e: expiresAt, status: 'active' });
  });

  it('checks out the cart of the cookie when no items are sent', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: PINK_M, quantity: 3 });
    const res = await call('/api/checkout-session', { method: 'POST', headers: { cookie: shopper.cookie! } });
    expect(res.status).toBe(200);
    expect((await json(res)).amounts.total).toBe(3 * 1900);
    expect(await availableOf(PINK_M)).toBe(7);
  });

  it('an empty cart, unknown or inactive items are refused before anything is held', async () => {
    expect(await json(await call('/api/checkout/session', { method: 'POST' }))).toMatchObject({ status: 400, code: 'empty_cart' });
    const unknown = await postCheckout({ items: [{ sku: 'NOPE', quantity: 1 }] });
    expect(unknown.status).toBe(400);
    expect(await json(unknown)).toMatchObject({ code: 'unknown_sku', errors: [{ path: 'items[0].sku' }] });
    expect((await postCheckout({ items: [{ sku: 'HB-GONE', quantity: 1 }] })).status).toBe(409);
    expect((await postCheckout({ items: [{ sku: NAVY_M, quantity: 11 }] })).status).toBe(400);
    expect(await countRows("SELECT COUNT(*) AS n FROM reservations WHERE status = 'active'")).toBe(0);
  });

  it('short stock -> 409 with per-line availability, and nothing held', async () => {
    await setStock('cochlearfit', PINK_M, 1);
    const res = await postCheckout({ items: [{ sku: NAVY_M, quantity: 2 }, { sku: PINK_M, quantity: 3 }] });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await json(res)).toMatchObject({
      code: 'insufficient_stock',
      lines: [
        { sku: NAVY_M, requested: 2, available: 10, ok: true },
        { sku: PINK_M, requested: 3, available: 1, ok: false },
      ],
    });
    expect(await availableOf(NAVY_M)).toBe(10);
    expect(await availableOf(PINK_M)).toBe(1);
  });
});

describe('checkout: coupons', () => {
  async function coupon(body: Record<string, unknown>) {
    const res = await call('/api/admin/coupons', { method: 'POST', admin: 'cochlearfit', json: body });
    return res;
  }

  it('applies percent and amount coupons, matched case-insensitively', async () => {
    expect((await coupon({ code: 'TENOFF', percentOff: 10 })).status).toBe(201);
    expect((await coupon({ code: 'fiver', amountOff: 500, minSubtotal: 3000 })).status).toBe(201);
    const percent = await json(await postCheckout({ items: [{ sku: PINK_M, quantity: 3 }], coupon: 'tenoff' }));
    expect(percent.amounts).toMatchObject({ subtotal: 5700, discount: 570, total: 5130 });
    const amount = await json(await postCheckout({ items: [{ sku: NAVY_M, quantity: 2 }], coupon: 'Fiver' }));
    expect(amount.amounts).toMatchObject({ subtotal: 3600, discount: 500, total: 3100 });
  });

  it('one read carrying all it can (lines by SKU and by attributes, a coupon, a key, an address): priced, held, and found again by its retry', async () => {
    expect((await coupon({ code: 'MIXED', percentOff: 20, maxRedemptions: 2 })).status).toBe(201);
    const request = {
      items: [
        { sku: NAVY_M, quantity: 2 },
        { sku: 'HB', variantAttributes: { Size: 'm', Colour: 'PINK' }, quantity: 1 },
      ],
      coupon: 'mixed',
    };
    const headers = { 'idempotency-key': 'mixed-read', 'x-client-ip': '198.51.100.23' };
    const first = await postCheckout(request, headers);
    expect(first.status).toBe(200);
    const body = await json(first);
    expect(body.amounts).toEqual({ subtotal: 5500, discount: 1100, shipping: 0, tax: 0, total: 4400 });
    expect(body.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([
      [NAVY_M, 2],
      [PINK_M, 1],
    ]);
    expect([await availableOf(NAVY_M), await availableOf(PINK_M)]).toEqual([8, 9]);

    const retry = await postCheckout(request, headers);
    expect(retry.status).toBe(200);
    expect(await json(retry)).toEqual(body);
    expect([await availableOf(NAVY_M), await availableOf(PINK_M)]).toEqual([8, 9]);
    const { coupons } = await json(await call('/api/admin/coupons', { admin: 'cochlearfit' }));
    expect(coupons.find((c: { code: string }) => c.code === 'MIXED')).toMatchObject({ reserved: 1, redemptions: 0 });
    expect(await countRows('SELECT COUNT(*) AS n FROM checkouts WHERE idempotency_key = ?', 'client:mixed-read')).toBe(1);
  });

  it('unknown, not yet valid, expired, disabled or under-minimum coupons -> 400 with the reason; used up -> 409; nothing held', async () => {
    const day = 24 * 60 * 60 * 1000;
    await coupon({ code: 'LATER', percentOff: 5, startsAt: new Date(Date.now() + day).toISOString() });
    await coupon({ code: 'GONE', percentOff: 5, startsAt: new Date(Date.now() - 2 * day).toISOString(), endsAt: new Date(Date.now() - day).toISOString() });
    await coupon({ code: 'ONCE', amountOff: 100, maxRedemptions: 1 });
    expect((await postCheckout({ items: [{ sku: PINK_M, quantity: 1 }], coupon: 'ONCE' })).status).toBe(200);
    await coupon({ code: 'OFF', percentOff: 5 });
    expect((await call('/api/admin/coupons/off/disable', { method: 'POST', admin: 'cochlearfit' })).status).toBe(200);
    await coupon({ code: 'BIGSPEND', amountOff: 100, minSubtotal: 100_000 });

    const cases = { NOPE: 'coupon_unknown', LATER: 'coupon_not_started', GONE: 'coupon_expired', OFF: 'coupon_inactive', BIGSPEND: 'coupon_minimum_not_met' };
    for (const [code, reason] of Object.entries(cases)) {
      const res = await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }], coupon: code });
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ code: reason, errors: [{ path: 'coupon' }] });
    }
    const usedUp = await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }], coupon: 'once' });
    expect(usedUp.status).toBe(409);
    expect(await json(usedUp)).toMatchObject({ code: 'coupon_exhausted', errors: [{ path: 'coupon' }] });
    expect(await availableOf(NAVY_M)).toBe(10);
  });

  it('lists coupons with their redemption counts; a taken code -> 409', async () => {
    await coupon({ code: 'LISTED', percentOff: 15, maxRedemptions: 100 });
    expect((await coupon({ code: 'listed', percentOff: 20 })).status).toBe(409);
    const { coupons } = await json(await call('/api/admin/coupons', { admin: 'cochlearfit' }));
    expect(coupons.find((c: { code: string }) => c.code === 'LISTED')).toEqual({
      code: 'LISTED', percentOff: 15, amountOff: null, startsAt: null, endsAt: null, minSubtotal: 0, maxRedemptions: 100, redemptions: 0, reserved: 0, active: true,
    });
    expect((await coupon({ code: 'BOTH', percentOff: 10, amountOff: 100 })).status).toBe(400);
  });
});

describe('checkout: backorder', () => {
  it('a made-to-order variant is sold beyond its stock and takes no hold', async () => {
    await putCatalog('cochlearfit', {
      products: [
        {
          sku: 'HB',
          name: 'Headband',
          description: '',
          active: true,
          variants: [{ sku: 'HB-CUSTOM', attributes: { colour: 'custom', size: 'M' }, unitAmount: 2500, active: true, backorder: true }],
        },
      ],
    });
    const res = await postCheckout({ items: [{ sku: 'HB-CUSTOM', quantity: 3 }] });
    expect(res.status).toBe(200);
    expect((await json(res)).amounts.total).toBe(7500);
    expect(await availableOf('HB-CUSTOM')).toBe(0);
    const { checkoutId } = await json(await postCheckout({ items: [{ sku: 'HB-CUSTOM', quantity: 3 }] }));
    const lines = await env.DB.prepare('SELECT lines FROM reservations WHERE id = ?').bind(checkoutId).first<string>('lines');
    expect(JSON.parse(lines!)).toEqual([expect.objectContaining({ sku: 'HB-CUSTOM', quantity: 3, held: false })]);
  });
});

describe('checkout: contention', () => {
  it('300 concurrent checkouts for a variant with 20 units: exactly 20 succeed, the rest get 409, available ends at 0', async () => {
    await setStock('cochlearfit', NAVY_M, 20);
    const answers = await Promise.all(
      // 300 strangers sending the same body: nothing tells them apart but being different requests.
      Array.from({ length: 300 }, () => postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }] })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 409)).toHaveLength(280);
    expect(await availableOf(NAVY_M)).toBe(0);
    expect(await countRows("SELECT COUNT(*) AS n FROM checkouts WHERE status = 'open'")).toBe(20);
    expect(await countRows("SELECT COUNT(*) AS n FROM reservations WHERE status = 'active'")).toBe(20);
  }, 60_000);
});

describe('checkout: production without a payment key', () => {
  it('answers 503 with a clear message and holds nothing', async () => {
    env.ENVIRONMENT = 'production';
    try {
      const res = await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }] });
      expect(res.status).toBe(503);
      expect(await json(res)).toMatchObject({ code: 'payments_unavailable' });
    } finally {
      env.ENVIRONMENT = 'development';
    }
    expect(await availableOf(NAVY_M)).toBe(10);
  });
});
