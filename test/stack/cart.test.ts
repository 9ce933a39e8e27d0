// The cart through the whole chain: the cookie set by the authority reaches the browser and comes back.
import { describe, expect, inject, it } from 'vitest';

const urls = inject('stackUrls');

describe('whole stack: cart', () => {
  it('a shopper adds, reads back with the cookie, and another shop does not know the cookie', async () => {
    const headers = { 'content-type': 'application/json', origin: urls.cochlearfit, 'cf-connecting-ip': '198.19.0.1' };
    const added = await fetch(`${urls.cochlearfit}/api/cart`, { method: 'POST', headers, body: JSON.stringify({ sku: 'CF-SPORT-TEA-M', quantity: 2 }) });
    expect(added.status).toBe(200);
    expect(added.headers.get('access-control-allow-origin')).toBe(urls.cochlearfit);
    expect(added.headers.get('access-control-allow-credentials')).toBe('true');
    const cookie = added.headers.getSetCookie()[0]!.split(';')[0]!;
    expect(cookie).toMatch(/^__Host-cart=/);
    const cart = (await added.json()) as { id: string; subtotal: number };
    expect(cart.subtotal).toBe(4400);

    const read = await fetch(`${urls.cochlearfit}/api/cart`, { headers: { cookie, 'cf-connecting-ip': '198.19.0.1' } });
    expect(await read.json()).toMatchObject({ id: cart.id, itemCount: 2, lines: [{ sku: 'CF-SPORT-TEA-M', quantity: 2, unitAmount: 2200 }] });

    const elsewhere = await fetch(`${urls.othershop}/api/cart`, { headers: { cookie, 'cf-connecting-ip': '198.19.0.1' } });
    expect(await elsewhere.json()).toMatchObject({ id: null, lines: [] });
  });
});
