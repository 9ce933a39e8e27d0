// Cost accounting (benchmarks only): the same answers, plus a header counting what the request cost.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { call, json, putCatalog, releaseAllHolds, setStock, Shopper } from './helpers';

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
    // The short path (decision 0015): one batched read, the holds, the claim, the provider, the open.
    expect(cost).toMatchObject({ d1RoundTrips: 3, d1WriteRoundTrips: 2, durableObjectCalls: 1, durableObjectRoundTrips: 1 });
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
    expect(JSON.parse(first.headers.get('x-cost')!)).toMatchObject({ d1RoundTrips: 3, d1WriteRoundTrips: 2, durableObjectRoundTrips: 1 });
    const retry = await call('/api/checkout-session', { method: 'POST', headers });
    expect((await json(retry)).checkoutId).toBe((await json(first)).checkoutId);
    expect(JSON.parse(retry.headers.get('x-cost')!)).toMatchObject({ d1RoundTrips: 1, d1WriteRoundTrips: 0, d1RowsWritten: 0, durableObjectCalls: 0 });
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
  });

  it("a checkout reads only its own client's live checkouts, however many others are open", async () => {
    await releaseAllHolds();
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-PINK-M', 500);
    const crowd = Array.from({ length: 300 }, (_, i) => `198.18.${i >> 8}.${i & 255}`);
    for (let i = 0; i < crowd.length; i += 50) {
      await Promise.all(
        crowd.slice(i, i + 50).map((ip) =>
          call('/api/checkout-session', { method: 'POST', headers: { 'x-client-ip': ip }, json: { items: [{ sku: 'HB-PINK-M', quantity: 1 }] } }),
        ),
      );
    }
    env.COST_ACCOUNTING = '1';
    const res = await call('/api/checkout-session', {
      method: 'POST',
      headers: { 'x-client-ip': '203.0.113.250' },
      json: { items: [{ sku: 'HB-PINK-M', quantity: 1 }] },
    });
    expect(res.status).toBe(200);
    // The cap's trigger sums this client's checkouts through its index; the 300 others are not read.
    expect(JSON.parse(res.headers.get('x-cost')!).d1RowsRead).toBeLessThan(50);
  }, 60_000);

  it('is off by default and in production', async () => {
    expect((await call('/api/products')).headers.get('x-cost')).toBeNull();
    env.COST_ACCOUNTING = '1';
    env.ENVIRONMENT = 'production';
    expect((await call('/api/products')).headers.get('x-cost')).toBeNull();
  });
});
