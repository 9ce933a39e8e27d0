// The latency model through the whole chain (LATENCY_MODEL on the gateway and the authority, as the bench's
// --model runs it): a checkout's x-cost.modeledMs is exactly what its counted round trips imply. Behaviour,
// not timing: the delays are small and nothing here is timed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness';

const MODEL = { d1PrimaryMs: 3, d1ReplicaMs: 1, durableObjectMs: 2, stripeMs: 0 };
let stack: Stack;

beforeAll(async () => {
  const modeled = { COST_ACCOUNTING: '1', LATENCY_MODEL: JSON.stringify(MODEL) };
  stack = await startStack(undefined, {
    quiet: true,
    bindings: { frontDoor: { COST_ACCOUNTING: '1' }, gateway: { ...modeled, ENVIRONMENT: 'development' }, authority: modeled },
  });
});
afterAll(() => stack?.stop());

describe('whole stack: latency model', () => {
  it("a checkout's modeled wait is its D1, stock and limiter round trips at the model's prices", async () => {
    const res = await fetch(`${stack.urls.othershop}/api/checkout-session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-connecting-ip': '198.23.0.1' },
      body: JSON.stringify({ items: [{ sku: 'OS-MUG-1', quantity: 1 }] }),
    });
    expect(res.status).toBe(200);
    const cost = JSON.parse(res.headers.get('x-cost')!);
    expect(cost).toMatchObject({ limiterRoundTrips: 1, providerCalls: 1, providerRoundTrips: 1 });
    expect(cost.durableObjectRoundTrips).toBeGreaterThan(cost.limiterRoundTrips); // the stock objects' too
    const primaryTrips = cost.d1RoundTrips - cost.d1ReplicaRoundTrips;
    expect(cost.modeledMs).toBe(
      primaryTrips * MODEL.d1PrimaryMs + cost.d1ReplicaRoundTrips * MODEL.d1ReplicaMs + cost.durableObjectRoundTrips * MODEL.durableObjectMs,
    );
    expect(cost.modeledMs).toBeGreaterThan(0);
  });
});
