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
    expect(cost.subrequests).toBe(cost.durableObjectCalls);
  });

  it('is off by default and in production', async () => {
    expect((await call('/api/products')).headers.get('x-cost')).toBeNull();
    env.COST_ACCOUNTING = '1';
    env.ENVIRONMENT = 'production';
    expect((await call('/api/products')).headers.get('x-cost')).toBeNull();
  });
});
