// Cost accounting (benchmarks only): the same answers, plus a header counting what the request cost.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { availableOf, call, json, putCatalog, releaseAllHolds, setStock, Shopper } from './helpers';

afterEach(() => {
  env.COST_ACCOUNTING = undefined;
  env.ENVIRONMENT = 'development';
});

describe('cost accounting', () => {
  it('counts D1 statements, rows and Durable Object calls of a checkout without changing its answer', async () => {
    await releaseAllHolds();
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-M', 5);
    env.COST_ACCOUNTING = '1';
    const res = await call('/api/checkout-session', { method: 'POST', json: { items: [{ sku: 'HB-NAVY-M', quantity: 2 }] } });
    expect(res.status).toBe(200);
    expect((await json(res)).amounts.total).toBe(3600);
    const cost = JSON.parse(res.headers.get('x-cost')!);
    expect(cost.d1Statements).toBeGreaterThan(3);
    expect(cost.d1RowsRead).toBeGreaterThan(0);
    expect(cost.subrequests).toBe(cost.durableObjectCalls);
    // The short path (decisions 0015 and 0020): one batched read, the holds, the provider, then one write: the
    // checkout with its session, its coupon use and the record of its holds.
    expect(cost).toMatchObject({ d1RoundTrips: 2, d1WriteRoundTrips: 1, durableObjectCalls: 1, durableObjectRoundTrips: 1 });
    expect(cost.d1RowsWritten).toBeLessThanOrEqual(12);
  });

  it('the short path holds for a cart, an Idempotency-Key and a coupon; a retry reads once and writes nothing', async () => {
    await releaseAllHolds();
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-M', 5);
    const shopper = new Shopper();
    await shopper.view('POST', { sku: 'HB-NAVY-M', quantity: 1 });
    env.COST_ACCOUNTING = '1';
    const headers = { cookie: shopper.cookie!, 'idempotency-key': 'cost-cart-1' };
    const first = await call('/api/checkout-session', { method: 'POST', headers });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.headers.get('x-cost')!)).toMatchObject({ d1RoundTrips: 2, d1WriteRoundTrips: 1, durableObjectRoundTrips: 1 });
    const retry = await call('/api/checkout-session', { method: 'POST', headers });
    expect((await json(retry)).checkoutId).toBe((await json(first)).checkoutId);
    expect(JSON.parse(retry.headers.get('x-cost')!)).toMatchObject({ d1RoundTrips: 1, d1WriteRoundTrips: 0, d1RowsWritten: 0, durableObjectCalls: 0 });
  });

  it('add to cart: one read of the variant (with the cart, at once), then one batch that writes and reads back', async () => {
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-M', 5);
    await setStock('cochlearfit', 'HB-PINK-M', 5);
    const shopper = new Shopper();
    env.COST_ACCOUNTING = '1';
    const first = await shopper.cart('POST', { sku: 'HB-NAVY-M', quantity: 1 });
    expect(first.status).toBe(200);
    // The shop, the variant, the write batch (the cart, its line, and the contents after them); the stock read
    // for the check and the stock read for the answer.
    expect(JSON.parse(first.headers.get('x-cost')!)).toMatchObject({ d1RoundTrips: 3, d1WriteRoundTrips: 1, durableObjectRoundTrips: 2 });
    const second = await shopper.cart('POST', { sku: 'HB-PINK-M', quantity: 2 });
    expect((await json(second)).lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([['HB-NAVY-M', 1], ['HB-PINK-M', 2]]);
    expect(JSON.parse(second.headers.get('x-cost')!)).toMatchObject({ d1RoundTrips: 3, d1WriteRoundTrips: 1, durableObjectRoundTrips: 2 });
    const read = await shopper.cart('GET');
    // Reading it: the shop, then the cart with its contents.
    expect(JSON.parse(read.headers.get('x-cost')!)).toMatchObject({ d1RoundTrips: 2, d1WriteRoundTrips: 0, durableObjectRoundTrips: 1 });
  });

  it('a sold-out refusal costs one D1 read and one round of holds, and writes nothing', async () => {
    await releaseAllHolds();
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-L', 0);
    env.COST_ACCOUNTING = '1';
    const res = await call('/api/checkout-session', { method: 'POST', json: { items: [{ sku: 'HB-NAVY-L', quantity: 1 }] } });
    expect(res.status).toBe(409);
    expect(JSON.parse(res.headers.get('x-cost')!)).toMatchObject({
      d1RoundTrips: 1,
      d1WriteRoundTrips: 0,
      d1RowsWritten: 0,
      durableObjectRoundTrips: 1,
    });

    // Two lines, both sold out, under a key (an id twins share): nothing was held, so nothing is given back or written.
    await setStock('cochlearfit', 'HB-PINK-M', 0);
    const keyed = (items: { sku: string; quantity: number }[], key: string) =>
      call('/api/checkout-session', { method: 'POST', json: { items }, headers: { 'idempotency-key': key } });
    const both = await keyed([{ sku: 'HB-NAVY-L', quantity: 1 }, { sku: 'HB-PINK-M', quantity: 1 }], 'cost-both-short');
    expect(both.status).toBe(409);
    expect(JSON.parse(both.headers.get('x-cost')!)).toMatchObject({ d1RoundTrips: 1, d1WriteRoundTrips: 0, d1RowsWritten: 0 });
    // One of them short: the line held is given back behind the fence (decision 0020), the one write of a refusal.
    await setStock('cochlearfit', 'HB-PINK-M', 5);
    const one = await keyed([{ sku: 'HB-NAVY-L', quantity: 1 }, { sku: 'HB-PINK-M', quantity: 1 }], 'cost-one-short');
    expect(one.status).toBe(409);
    expect(JSON.parse(one.headers.get('x-cost')!)).toMatchObject({ d1RoundTrips: 2, d1WriteRoundTrips: 1 });
    expect(await availableOf('HB-PINK-M')).toBe(5);
  });

  it('once a hold found a variant sold out, the next refusals leave its stock object alone; a restock is seen at once', async () => {
    await releaseAllHolds();
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-L', 0);
    env.COST_ACCOUNTING = '1';
    const attempt = () => call('/api/checkout-session', { method: 'POST', json: { items: [{ sku: 'HB-NAVY-L', quantity: 1 }] } });
    expect(JSON.parse((await attempt()).headers.get('x-cost')!).durableObjectCalls).toBe(1);
    const again = await attempt();
    expect(again.status).toBe(409);
    expect(await json(again)).toMatchObject({ code: 'insufficient_stock', lines: [{ sku: 'HB-NAVY-L', requested: 1, available: 0, ok: false }] });
    expect(JSON.parse(again.headers.get('x-cost')!)).toMatchObject({ d1RoundTrips: 1, durableObjectCalls: 0 });
    await setStock('cochlearfit', 'HB-NAVY-L', 1);
    expect((await attempt()).status).toBe(200);
    expect((await attempt()).status).toBe(409); // the last unit went to the one before
  });

  it("a checkout reads only its own client's live checkouts, however many others are open", async () => {
    await releaseAllHolds();
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-PINK-M', 500);
    // 300 other clients' live checkouts, written straight into D1 (the plan is what is measured, not how they came).
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
       INSERT INTO checkouts (id, shop_id, idempotency_key, request_hash, client_key, held_units, reservation_id, provider,
         session_id, ui_mode, lines, subtotal, discount, shipping, tax, total, currency, status, expires_at, created_at, updated_at)
       SELECT 'chk_crowd_' || i, 'cochlearfit', 'once:chk_crowd_' || i, 'h', '198.18.0.' || i, 1, 'chk_crowd_' || i, 'dev',
         'cs_crowd_' || i, 'hosted_page', '[]', 1900, 0, 0, 0, 1900, 'gbp', 'open', ?1, ?2, ?2 FROM n`,
    )
      .bind(Date.now() + 3_600_000, Date.now())
      .run();
    env.COST_ACCOUNTING = '1';
    const res = await call('/api/checkout-session', {
      method: 'POST',
      headers: { 'x-client-ip': '203.0.113.250' },
      json: { items: [{ sku: 'HB-PINK-M', quantity: 1 }] },
    });
    expect(res.status).toBe(200);
    // The cap's trigger sums this client's checkouts through its index; the 300 others are not read.
    expect(JSON.parse(res.headers.get('x-cost')!).d1RowsRead).toBeLessThan(50);
    await env.DB.prepare(`UPDATE checkouts SET status = 'expired' WHERE id LIKE 'chk_crowd_%'`).run();
  });

  it("counts every stock object method, the console's recent changes too", async () => {
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-M', 4);
    env.COST_ACCOUNTING = '1';
    const res = await call('/api/admin/inventory/HB-NAVY-M/changes', { admin: 'cochlearfit' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.headers.get('x-cost')!)).toMatchObject({ durableObjectCalls: 1, durableObjectRoundTrips: 1 });
  });

  it('is off by default and in production', async () => {
    expect((await call('/api/products')).headers.get('x-cost')).toBeNull();
    env.COST_ACCOUNTING = '1';
    env.ENVIRONMENT = 'production';
    expect((await call('/api/products')).headers.get('x-cost')).toBeNull();
  });
});
