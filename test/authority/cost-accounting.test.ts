// Cost accounting (benchmarks only): the same answers, plus a header counting what the request cost.
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { call, json, putCatalog, releaseAllHolds, setStock } from './helpers';

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
    expect(cost.d1RowsWritten).toBeGreaterThan(0);
    expect(cost.durableObjectCalls).toBe(2); // the stock read before writing, and the hold
    expect(cost.durableObjectRoundTrips).toBe(2); // one after the other
    expect(cost.subrequests).toBe(cost.durableObjectCalls);
    // Sequential round trips: what a shopper waits for. Statements in one batch or in flight together count once.
    expect(cost.d1RoundTrips).toBeGreaterThan(0);
    expect(cost.d1RoundTrips).toBeLessThanOrEqual(cost.d1Statements);
    expect(cost.d1WriteRoundTrips).toBeGreaterThan(0);
    expect(cost.d1WriteRoundTrips).toBeLessThan(cost.d1RoundTrips);
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
