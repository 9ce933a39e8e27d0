// The latency model (LATENCY_MODEL, bench and stack tests only): injected waits per round trip, counted in
// x-cost as modeledMs; never applied in production. Also: D1's Sessions API in local workerd, and how the
// model and cost accounting route a session's reads (replica until the session's first write).
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { latencyModelOf, LATENCY_PRESETS } from '../../shared/latency-model';
import { meteredEnv } from '../../workers/commerce-authority/src/cost-accounting';
import { modeledEnv } from '../../workers/commerce-authority/src/latency-model';
import { call, json, putCatalog, releaseAllHolds, setStock } from './helpers';

afterEach(() => {
  env.COST_ACCOUNTING = undefined;
  env.LATENCY_MODEL = undefined;
  env.ENVIRONMENT = 'development';
});

/** Small delays: the test proves what is counted, not how long it takes. */
const MODEL = { d1PrimaryMs: 3, d1ReplicaMs: 1, durableObjectMs: 2, stripeMs: 0 };

describe('latency model', () => {
  it('reads a preset or JSON, and is off in production or without ENVIRONMENT', () => {
    expect(latencyModelOf({ LATENCY_MODEL: 'prod', ENVIRONMENT: 'development' })).toEqual(LATENCY_PRESETS.prod);
    expect(latencyModelOf({ LATENCY_MODEL: JSON.stringify(MODEL), ENVIRONMENT: 'development' })).toEqual(MODEL);
    expect(latencyModelOf({ LATENCY_MODEL: 'prod', ENVIRONMENT: 'production' })).toBeNull();
    expect(latencyModelOf({ LATENCY_MODEL: 'prod' })).toBeNull();
    expect(latencyModelOf({ ENVIRONMENT: 'development' })).toBeNull();
    expect(() => latencyModelOf({ LATENCY_MODEL: 'fast', ENVIRONMENT: 'development' })).toThrow(/preset/);
  });

  it('production ignores it: a model of a minute per round trip does not slow a request', async () => {
    env.ENVIRONMENT = 'production';
    env.LATENCY_MODEL = JSON.stringify({ d1PrimaryMs: 60_000, durableObjectMs: 60_000 });
    const res = await call('/api/products');
    expect(res.status).toBe(200);
  });

  it("a checkout's modeledMs is what its counted round trips imply", async () => {
    await releaseAllHolds();
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-M', 5);
    env.COST_ACCOUNTING = '1';
    env.LATENCY_MODEL = JSON.stringify(MODEL);
    const res = await call('/api/checkout-session', { method: 'POST', json: { items: [{ sku: 'HB-NAVY-M', quantity: 1 }] } });
    expect(res.status).toBe(200);
    expect((await json(res)).sessionId).toMatch(/^cs_dev_/);
    const cost = JSON.parse(res.headers.get('x-cost')!);
    expect(cost.providerCalls).toBe(1); // the dev provider's stand-in for Stripe
    expect(cost.providerRoundTrips).toBe(1);
    expect(cost.d1RoundTrips).toBeGreaterThan(0);
    const primaryTrips = cost.d1RoundTrips - cost.d1ReplicaRoundTrips;
    expect(cost.modeledMs).toBe(
      primaryTrips * MODEL.d1PrimaryMs + cost.d1ReplicaRoundTrips * MODEL.d1ReplicaMs + cost.durableObjectRoundTrips * MODEL.durableObjectMs,
    );
  });

  it('D1 sessions work in local workerd, and a session reads from a replica until it writes', async () => {
    const local = env.DB.withSession('first-unconstrained');
    expect(await local.prepare('SELECT 1 AS one').first('one')).toBe(1);
    expect(typeof local.getBookmark()).toBe('string');
    expect(await env.DB.withSession(local.getBookmark()!).prepare('SELECT 2 AS two').first('two')).toBe(2);

    const wait = { ms: 0 };
    const { env: metered, cost } = meteredEnv(modeledEnv(env, MODEL, wait));
    const session = metered.DB.withSession('first-unconstrained');
    await session.prepare('SELECT count(*) AS n FROM shops').first(); // replica: 1 ms
    await session.prepare('UPDATE shops SET updated_at = updated_at WHERE id = ?').bind('cochlearfit').run(); // write: 3 ms
    await session.prepare('SELECT count(*) AS n FROM shops').all(); // after the write: the primary, 3 ms
    await metered.DB.withSession('first-primary').prepare('SELECT 1').raw(); // 3 ms
    await metered.DB.prepare('SELECT 1').first(); // plain env.DB: 3 ms
    expect(typeof session.getBookmark()).toBe('string');
    const spent = cost();
    expect(spent).toMatchObject({ d1RoundTrips: 5, d1WriteRoundTrips: 1, d1ReplicaRoundTrips: 1, d1Statements: 5 });
    expect(wait.ms).toBe(4 * MODEL.d1PrimaryMs + MODEL.d1ReplicaMs);
  });

  it('calls issued together wait together: one round trip, one delay', async () => {
    const wait = { ms: 0 };
    const { env: metered, cost } = meteredEnv(modeledEnv(env, MODEL, wait));
    await Promise.all([metered.DB.prepare('SELECT 1').first(), metered.DB.prepare('SELECT 2').first()]);
    await metered.DB.batch([metered.DB.prepare('SELECT 1'), metered.DB.prepare('SELECT 2')]);
    expect(cost()).toMatchObject({ d1RoundTrips: 2, d1Statements: 4 });
    expect(wait.ms).toBe(2 * MODEL.d1PrimaryMs);
  });
});
