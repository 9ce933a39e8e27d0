// The front-door decides the shop from the Host header and nothing else.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

async function send(path: string, init: RequestInit & { host?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set('host', init.host ?? 'localhost:8787');
  return exports.default.fetch(new Request(`http://${init.host ?? 'localhost:8787'}${path}`, { ...init, headers }));
}

describe('front-door', () => {
  it('maps the demo hosts to the cochlearfit shop and forwards to the gateway', async () => {
    for (const host of ['localhost:8787', '127.0.0.1:8787', 'LOCALHOST:8787']) {
      const res = await send('/api/products', { host });
      expect(res.status).toBe(200);
      const forwarded = (await res.json()) as { headers: Record<string, string> };
      expect(forwarded.headers['x-shop-id']).toBe('cochlearfit');
    }
  });

  it('drops a forged x-shop-id', async () => {
    const res = await send('/api/products', { headers: { 'x-shop-id': 'othershop' } });
    const forwarded = (await res.json()) as { headers: Record<string, string> };
    expect(forwarded.headers['x-shop-id']).toBe('cochlearfit');
  });

  it('an unmapped host -> 404 problem+json "unknown shop"', async () => {
    const res = await send('/api/products', { host: 'evil.example' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 404, code: 'unknown_shop', detail: 'unknown shop' });
  });

  it('stamps a request id, keeping a sane one from the client', async () => {
    const fresh = await send('/api/products');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await send('/api/products', { headers: { 'x-request-id': 'client-req-12345' } });
    expect(kept.headers.get('x-request-id')).toBe('client-req-12345');
    const forwarded = (await kept.json()) as { headers: Record<string, string> };
    expect(forwarded.headers['x-request-id']).toBe('client-req-12345');
    const replaced = await send('/api/products', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(replaced.headers.get('x-request-id')).not.toBe('bad id with spaces');
  });
});
