// Checkout with the dev payment provider: repricing, idempotency, holds, coupons, superseding, contention.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { call, json, putCatalog, releaseAllHolds, setStock, Shopper } from './helpers';

const NAVY_M = 'HB-NAVY-M';
const PINK_M = 'HB-PINK-M';

async function available(sku: string, shop = 'cochlearfit'): Promise<number> {
  const { items } = await json(await call('/api/admin/inventory', { shop, admin: shop }));
  return items.find((i: { sku: string }) => i.sku === sku).available;
}

const checkout = (body: unknown, headers: Record<string, string> = {}) =>
  call('/api/checkout-session', { method: 'POST', json: body, headers });

async function count(sql: string, ...binds: unknown[]): Promise<number> {
  return (await env.DB.prepare(sql).bind(...binds).first<number>('n'))!;
}

beforeEach(async () => {
  await releaseAllHolds();
  await putCatalog('cochlearfit');
  await setStock('cochlearfit', NAVY_M, 10);
  await setStock('cochlearfit', PINK_M, 10);
});

describe('checkout: pricing', () => {
  it('prices every line from the catalog; price fields from the client are ignored', async () => {
    const res = await checkout({
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
    expect(await available(NAVY_M)).toBe(8);
  });

  it('holds until the session expires: expiresAt is the hold expiry, at least 30 minutes out', async () => {
    const before = Date.now();
    const body = await json(await checkout({ items: [{ sku: NAVY_M, quantity: 1 }] }));
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
    expect(await available(PINK_M)).toBe(7);
  });

  it('an empty cart, unknown or inactive items are refused before anything is held', async () => {
    expect(await json(await call('/api/checkout/session', { method: 'POST' }))).toMatchObject({ status: 400, code: 'empty_cart' });
    const unknown = await checkout({ items: [{ sku: 'NOPE', quantity: 1 }] });
    expect(unknown.status).toBe(400);
    expect(await json(unknown)).toMatchObject({ code: 'unknown_sku', errors: [{ path: 'items[0].sku' }] });
    expect((await checkout({ items: [{ sku: 'HB-GONE', quantity: 1 }] })).status).toBe(409);
    expect((await checkout({ items: [{ sku: NAVY_M, quantity: 11 }] })).status).toBe(400);
    expect(await count("SELECT COUNT(*) AS n FROM reservations WHERE status = 'active'")).toBe(0);
  });

  it('short stock -> 409 with per-line availability, and nothing held', async () => {
    await setStock('cochlearfit', PINK_M, 1);
    const res = await checkout({ items: [{ sku: NAVY_M, quantity: 2 }, { sku: PINK_M, quantity: 3 }] });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await json(res)).toMatchObject({
      code: 'insufficient_stock',
      lines: [
        { sku: NAVY_M, requested: 2, available: 10, ok: true },
        { sku: PINK_M, requested: 3, available: 1, ok: false },
      ],
    });
    expect(await available(NAVY_M)).toBe(10);
    expect(await available(PINK_M)).toBe(1);
  });
});

describe('checkout: idempotency', () => {
  it('two identical requests one after the other: one reservation, the same session', async () => {
    const body = { items: [{ sku: NAVY_M, quantity: 2 }], email: 'a@example.com' };
    const first = await json(await checkout(body));
    // The same intent spelled differently is the same checkout.
    const second = await json(await checkout({ items: [{ sku: 'HB', variantAttributes: { size: 'm', colour: 'navy' }, quantity: 2 }], email: ' A@Example.com ' }));
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.checkoutId).toBe(first.checkoutId);
    expect(await count("SELECT COUNT(*) AS n FROM reservations WHERE status = 'active'")).toBe(1);
    expect(await available(NAVY_M)).toBe(8);
  });

  it('a repeat of the checkout that holds the last unit still answers its session, not "sold out"', async () => {
    await setStock('cochlearfit', PINK_M, 1);
    const body = { items: [{ sku: PINK_M, quantity: 1 }], email: 'last@example.com' };
    const first = await checkout(body);
    expect(first.status).toBe(200);
    const again = await checkout(body);
    expect(again.status).toBe(200);
    expect((await json(again)).sessionId).toBe((await json(first)).sessionId);
    const someoneElse = await checkout({ ...body, email: 'other@example.com' });
    expect(someoneElse.status).toBe(409);
    expect(await json(someoneElse)).toMatchObject({ code: 'insufficient_stock', lines: [{ sku: PINK_M, requested: 1, available: 0, ok: false }] });
  });

  it('twenty identical requests at once: one reservation, one session for all', async () => {
    const body = { items: [{ sku: PINK_M, quantity: 1 }, { sku: NAVY_M, quantity: 1 }] };
    const answers = await Promise.all(Array.from({ length: 20 }, () => checkout(body)));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const sessions = new Set((await Promise.all(answers.map(json))).map((b) => b.sessionId));
    expect(sessions.size).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM reservations WHERE status = 'active'")).toBe(1);
    expect(await available(PINK_M)).toBe(9);
    expect(await available(NAVY_M)).toBe(9);
  });

  it("the client's Idempotency-Key decides on its own", async () => {
    const a = await json(await checkout({ items: [{ sku: NAVY_M, quantity: 1 }] }, { 'idempotency-key': 'order-attempt-1' }));
    const b = await json(await checkout({ items: [{ sku: NAVY_M, quantity: 1 }] }, { 'idempotency-key': 'order-attempt-2' }));
    const again = await json(await checkout({ items: [{ sku: NAVY_M, quantity: 1 }] }, { 'idempotency-key': 'order-attempt-1' }));
    expect(a.sessionId).not.toBe(b.sessionId);
    expect(again.sessionId).toBe(a.sessionId);
    expect(await available(NAVY_M)).toBe(8);
    const bad = await checkout({ items: [{ sku: NAVY_M, quantity: 1 }] }, { 'idempotency-key': 'has spaces in it' });
    expect(bad.status).toBe(400);
  });

  it('a changed cart makes a new checkout; the superseded one gives its stock back', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 2 });
    const cookie = { cookie: shopper.cookie! };
    const first = await json(await call('/api/checkout-session', { method: 'POST', headers: cookie }));
    expect(await available(NAVY_M)).toBe(8);

    await shopper.view('POST', { sku: PINK_M, quantity: 1 });
    const second = await json(await call('/api/checkout-session', { method: 'POST', headers: cookie }));
    expect(second.checkoutId).not.toBe(first.checkoutId);
    expect(await available(NAVY_M)).toBe(8);
    expect(await available(PINK_M)).toBe(9);
    const statuses = await env.DB.prepare('SELECT id, status FROM checkouts WHERE id IN (?, ?)').bind(first.checkoutId, second.checkoutId).all();
    expect(Object.fromEntries(statuses.results.map((r) => [r.id, r.status]))).toEqual({ [first.checkoutId]: 'superseded', [second.checkoutId]: 'open' });
    expect(await env.DB.prepare('SELECT status FROM reservations WHERE id = ?').bind(first.checkoutId).first('status')).toBe('released');
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
    const percent = await json(await checkout({ items: [{ sku: PINK_M, quantity: 3 }], coupon: 'tenoff' }));
    expect(percent.amounts).toMatchObject({ subtotal: 5700, discount: 570, total: 5130 });
    const amount = await json(await checkout({ items: [{ sku: NAVY_M, quantity: 2 }], coupon: 'Fiver' }));
    expect(amount.amounts).toMatchObject({ subtotal: 3600, discount: 500, total: 3100 });
  });

  it('unknown, not yet valid, expired, exhausted, disabled or under-minimum coupons -> 400 with the reason; nothing held', async () => {
    const day = 24 * 60 * 60 * 1000;
    await coupon({ code: 'LATER', percentOff: 5, startsAt: new Date(Date.now() + day).toISOString() });
    await coupon({ code: 'GONE', percentOff: 5, startsAt: new Date(Date.now() - 2 * day).toISOString(), endsAt: new Date(Date.now() - day).toISOString() });
    await coupon({ code: 'ONCE', amountOff: 100, maxRedemptions: 1 });
    await env.DB.prepare("UPDATE coupons SET redemptions = 1 WHERE code = 'ONCE'").run();
    await coupon({ code: 'OFF', percentOff: 5 });
    expect((await call('/api/admin/coupons/off/disable', { method: 'POST', admin: 'cochlearfit' })).status).toBe(200);
    await coupon({ code: 'BIGSPEND', amountOff: 100, minSubtotal: 100_000 });

    const cases = { NOPE: 'coupon_unknown', LATER: 'coupon_not_started', GONE: 'coupon_expired', ONCE: 'coupon_exhausted', OFF: 'coupon_inactive', BIGSPEND: 'coupon_minimum_not_met' };
    for (const [code, reason] of Object.entries(cases)) {
      const res = await checkout({ items: [{ sku: NAVY_M, quantity: 1 }], coupon: code });
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ code: reason, errors: [{ path: 'coupon' }] });
    }
    expect(await available(NAVY_M)).toBe(10);
  });

  it('lists coupons with their redemption counts; a taken code -> 409', async () => {
    await coupon({ code: 'LISTED', percentOff: 15, maxRedemptions: 100 });
    expect((await coupon({ code: 'listed', percentOff: 20 })).status).toBe(409);
    const { coupons } = await json(await call('/api/admin/coupons', { admin: 'cochlearfit' }));
    expect(coupons.find((c: { code: string }) => c.code === 'LISTED')).toEqual({
      code: 'LISTED', percentOff: 15, amountOff: null, startsAt: null, endsAt: null, minSubtotal: 0, maxRedemptions: 100, redemptions: 0, active: true,
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
    const res = await checkout({ items: [{ sku: 'HB-CUSTOM', quantity: 3 }] });
    expect(res.status).toBe(200);
    expect((await json(res)).amounts.total).toBe(7500);
    expect(await available('HB-CUSTOM')).toBe(0);
    const held = await env.DB.prepare('SELECT held FROM reservation_lines WHERE reservation_id = ?').bind((await json(await checkout({ items: [{ sku: 'HB-CUSTOM', quantity: 3 }] }))).checkoutId).first('held');
    expect(held).toBe(0);
  });
});

describe('checkout: contention', () => {
  it('300 concurrent checkouts for a variant with 20 units: exactly 20 succeed, the rest get 409, available ends at 0', async () => {
    await setStock('cochlearfit', NAVY_M, 20);
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => checkout({ items: [{ sku: NAVY_M, quantity: 1 }], email: `buyer${i}@example.com` })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 409)).toHaveLength(280);
    expect(await available(NAVY_M)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM checkouts WHERE status = 'open'")).toBe(20);
    expect(await count("SELECT COUNT(*) AS n FROM reservations WHERE status = 'active'")).toBe(20);
  }, 60_000);
});

describe('checkout: production without a payment key', () => {
  it('answers 503 with a clear message and holds nothing', async () => {
    env.ENVIRONMENT = 'production';
    try {
      const res = await checkout({ items: [{ sku: NAVY_M, quantity: 1 }] });
      expect(res.status).toBe(503);
      expect(await json(res)).toMatchObject({ code: 'payments_unavailable' });
    } finally {
      env.ENVIRONMENT = 'development';
    }
    expect(await available(NAVY_M)).toBe(10);
  });
});
