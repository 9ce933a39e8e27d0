// The whole chain on workerd (through Miniflare), driven over HTTP: front-door -> gateway -> authority -> D1 / DOs.
import http from 'node:http';
import { describe, expect, inject, it } from 'vitest';

const urls = inject('stackUrls');
let ipCounter = 0;
/** Each test acts as its own client address: locally, the runtime keeps a CF-Connecting-IP the client sends. */
const newClientIp = () => `198.18.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

function call(shop: keyof typeof urls, path: string, init: RequestInit & { ip?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set('cf-connecting-ip', init.ip ?? newClientIp());
  if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  return fetch(`${urls[shop]}${path}`, { ...init, headers });
}

/** fetch() will not send a Host of our choosing; node:http will. */
function withHost(host: string, path: string): Promise<{ status: number; type: string | undefined; body: string }> {
  const { port } = new URL(urls.cochlearfit);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(await res.json()).toMatchObject({ status, code });
}

describe('whole stack', () => {
  it('health reports every hop and D1, with timings', async () => {
    const res = await call('cochlearfit', '/api/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; hops: { hop: string; ok: boolean; ms: number }[] };
    expect(body.ok).toBe(true);
    expect(body.hops.map((h) => h.hop)).toEqual(['front-door', 'checkout-gateway', 'commerce-authority', 'd1']);
    expect(body.hops.every((h) => h.ok && h.ms >= 0)).toBe(true);
  });

  it('validate answers through the front-door with live stock', async () => {
    const res = await call('cochlearfit', '/api/inventory/validate', {
      method: 'POST',
      body: JSON.stringify({ items: [{ sku: 'CF-CLASSIC', variantAttributes: { colour: 'Navy', size: 'M' }, quantity: 2 }, { sku: 'CF-CLASSIC-PNK-M', quantity: 1 }] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: false,
      items: [
        { sku: 'CF-CLASSIC', variantKey: 'cf-classic|colour=navy;size=m', requested: 2, available: 25, ok: true },
        { sku: 'CF-CLASSIC-PNK-M', variantKey: 'cf-classic|colour=blush%20pink;size=m', requested: 1, available: 0, ok: false, reason: 'insufficient_stock' },
      ],
    });
  });

  it('15 checkout-session requests from one IP: the 11th to 15th get 429; other IPs and shops count apart', async () => {
    const ip = newClientIp();
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 15; i++) {
      last = await call('cochlearfit', '/api/checkout-session', { method: 'POST', body: '{}', ip });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 10).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429, 429, 429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('ratelimit-remaining')).toBe('0');
    await expectProblem(last!, 429, 'rate_limited');

    expect((await call('cochlearfit', '/api/checkout-session', { method: 'POST', body: '{}' })).status).not.toBe(429);
    expect((await call('othershop', '/api/checkout-session', { method: 'POST', body: '{}', ip })).status).not.toBe(429);
  });

  it('a forged x-shop-id never selects another shop', async () => {
    const products = await call('cochlearfit', '/api/products', { headers: { 'x-shop-id': 'othershop' } });
    const body = (await products.json()) as { products: { sku: string }[] };
    expect(body.products.map((p) => p.sku)).toEqual(['CF-CLASSIC', 'CF-SPORT', 'CF-KIDS']);

    const admin = await call('cochlearfit', '/api/admin/inventory', {
      headers: { 'x-shop-id': 'othershop', authorization: 'Bearer stack-admin-othershop' },
    });
    await expectProblem(admin, 401, 'unauthorized');
  });

  it('unknown path -> 404, wrong method -> 405, unmapped host -> 404, oversized body -> 413: all problem+json', async () => {
    await expectProblem(await call('cochlearfit', '/api/secret'), 404, 'not_found');
    const wrong = await call('cochlearfit', '/api/products', { method: 'POST', body: '{}' });
    expect(wrong.headers.get('allow')).toBe('GET');
    await expectProblem(wrong, 405, 'method_not_allowed');
    const unmapped = await withHost('shop.evil.example', '/api/products');
    expect(unmapped.status).toBe(404);
    expect(unmapped.type).toBe('application/problem+json');
    expect(JSON.parse(unmapped.body)).toMatchObject({ code: 'unknown_shop', detail: 'unknown shop' });
    const big = JSON.stringify({ items: [{ sku: 'CF-CLASSIC-NVY-M', quantity: 1 }], pad: 'x'.repeat(70 * 1024) });
    await expectProblem(await call('cochlearfit', '/api/inventory/validate', { method: 'POST', body: big }), 413, 'body_too_large');
  });

  it('the request id is returned on every answer and reaches the authority', async () => {
    const res = await call('cochlearfit', '/api/products', { headers: { 'x-request-id': 'stack-test-request-1' } });
    expect(res.headers.get('x-request-id')).toBe('stack-test-request-1');
  });
});
