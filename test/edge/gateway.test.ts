// The gateway refuses shop-scoped requests that carry no shop.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('checkout-gateway', () => {
  it('no x-shop-id on a shop-scoped route -> 400 problem+json', async () => {
    const res = await exports.default.fetch(new Request('http://gateway/api/inventory/validate', { method: 'POST', body: '{}' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'missing_shop' });
  });

  it('forwards a scoped request to the authority unchanged', async () => {
    const res = await exports.default.fetch(
      new Request('http://gateway/api/products', { headers: { 'x-shop-id': 'cochlearfit', 'x-request-id': 'req-12345678' } }),
    );
    expect(res.status).toBe(200);
    const forwarded = (await res.json()) as { url: string; headers: Record<string, string> };
    expect(forwarded.url).toBe('http://gateway/api/products');
    expect(forwarded.headers['x-shop-id']).toBe('cochlearfit');
  });
});
