// The gateway: shop enforcement and per-client rate limits in RateLimiter objects. Behind it sits a stand-in
// authority that echoes requests and knows two shops.
import { env, exports } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GatewayEnv } from '../../workers/checkout-gateway/src/env';

const gatewayEnv = env as unknown as GatewayEnv;

function send(path: string, init: { method?: string; shop?: string | null; ip?: string; body?: string } = {}) {
  const headers = new Headers({ 'content-type': 'application/json' });
  if (init.shop !== null) headers.set('x-shop-id', init.shop ?? 'cochlearfit');
  if (init.ip) headers.set('x-client-ip', init.ip);
  return exports.default.fetch(new Request(`http://gateway${path}`, { method: init.method ?? 'GET', headers, body: init.body }));
}
const checkout = (ip: string, shop = 'cochlearfit') => send('/api/checkout-session', { method: 'POST', ip, shop, body: '{}' });

describe('checkout-gateway: shop enforcement', () => {
  it('no x-shop-id on a shop-scoped route -> 400 problem+json', async () => {
    const res = await send('/api/inventory/validate', { method: 'POST', shop: null, body: '{}' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'missing_shop' });
  });

  it('an unknown or inactive shop -> 404', async () => {
    const res = await send('/api/products', { shop: 'nosuchshop' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'unknown_shop' });
  });

  it("a deactivated shop's Stripe webhook still reaches the authority (which verifies it with that shop's secret)", async () => {
    const res = await send('/api/stripe-webhook', { method: 'POST', shop: 'closedshop', body: '{"id":"evt_1"}' });
    expect(res.status).toBe(200);
    const seen = (await res.json()) as { url: string; headers: Record<string, string>; body: string };
    expect(seen).toMatchObject({ url: 'http://gateway/api/stripe-webhook', body: '{"id":"evt_1"}' });
    expect(seen.headers['x-shop-id']).toBe('closedshop');
    expect((await send('/api/products', { shop: 'closedshop' })).status).toBe(404);
  });

  it('a path outside the allowlist -> 404 even here', async () => {
    expect((await send('/api/internal/anything')).status).toBe(404);
  });

  it('forwards a scoped request to the authority unchanged', async () => {
    const res = await send('/api/products', { ip: '198.51.100.1' });
    expect(res.status).toBe(200);
    const seen = (await res.json()) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('http://gateway/api/products');
    expect(seen.headers['x-shop-id']).toBe('cochlearfit');
    expect(res.headers.get('ratelimit-limit')).toBe('300');
  });
});

describe('checkout-gateway: rate limits', () => {
  afterEach(() => vi.restoreAllMocks());

  it('15 checkout-session requests from one IP: the 11th to 15th get 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 15; i++) {
      last = await checkout('192.0.2.10');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array(10).fill(200), ...Array(5).fill(429)]);
    expect(last!.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(Number(last!.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(last!.headers.get('ratelimit-limit')).toBe('10');
    expect(last!.headers.get('ratelimit-remaining')).toBe('0');
    expect(await last!.json()).toMatchObject({ status: 429, code: 'rate_limited' });

    // Another IP is unaffected; the same IP at another shop has its own counter.
    expect((await checkout('192.0.2.11')).status).toBe(200);
    expect((await checkout('192.0.2.10', 'othershop')).status).toBe(200);
    // Other route classes from the same IP are counted apart.
    expect((await send('/api/products', { ip: '192.0.2.10' })).status).toBe(200);
  });

  it('counts exactly under concurrency: 100 parallel checkouts from one IP let 10 through', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, () => checkout('192.0.2.20')));
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(90);
  });

  it('two IPv6 addresses in one /64 share one limit; the next /64 has its own', async () => {
    const inOneNetwork = Array.from({ length: 12 }, (_, i) => `2001:db8:5:7::${(i + 1).toString(16)}`);
    const statuses = [];
    for (const ip of inOneNetwork) statuses.push((await checkout(ip)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect((await checkout('2001:db8:5:7:ffff:ffff:ffff:ffff')).status).toBe(429);
    expect((await checkout('2001:db8:5:8::1')).status).toBe(200);
  });

  it('an env override replaces the shop limit for its class', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await send('/api/inventory/validate', { method: 'POST', ip: '192.0.2.50', body: '{}' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });

  it('the webhook route is not limited per IP', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => send('/api/stripe-webhook', { method: 'POST', ip: '192.0.2.30', body: '{}' })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
  });

  it('when the limiter fails, checkout fails closed (503) and reads fail open', async () => {
    vi.spyOn(gatewayEnv.RATE_LIMITER, 'get').mockImplementation(() => {
      throw new Error('limiter down');
    });
    const closed = await checkout('192.0.2.40');
    expect(closed.status).toBe(503);
    expect(await closed.json()).toMatchObject({ code: 'rate_limiter_unavailable' });
    expect((await send('/api/products', { ip: '192.0.2.40' })).status).toBe(200);
    expect((await send('/api/cart', { method: 'POST', ip: '192.0.2.40', body: '{}' })).status).toBe(200);
  });
});
