// Stock reads: POST /api/inventory/validate, the availability contract scoped to the shop of x-shop-id; and when
// stock cannot be read, a shop fails closed (503, nothing changes), best effort only outside production.
import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, json, putCatalog, setStock } from './helpers';

const validate = (body: unknown, shop: string | null = 'cochlearfit') => call('/api/inventory/validate', { json: body, shop });

describe('POST /api/inventory/validate', () => {
  beforeAll(async () => {
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-M', 5);
    await setStock('cochlearfit', 'HB-PINK-M', 1);
    await putCatalog('othershop', {
      products: [{ sku: 'OTHER', name: 'Other', description: '', active: true, variants: [{ sku: 'OTHER-1', attributes: {}, unitAmount: 100, active: true, backorder: false }] }],
    });
    await setStock('othershop', 'OTHER-1', 50);
  });

  it('answers per line, naming variants by their sku or by product sku + attributes', async () => {
    const res = await validate({
      items: [
        { sku: 'HB-NAVY-M', quantity: 2 },
        { sku: 'HB', quantity: 1, variantAttributes: { Size: 'm', colour: 'Pink' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      ok: true,
      items: [
        { sku: 'HB-NAVY-M', variantKey: 'hb|colour=navy;size=m', requested: 2, available: 5, ok: true },
        { sku: 'HB', variantKey: 'hb|colour=pink;size=m', requested: 1, available: 1, ok: true },
      ],
    });
  });

  it('more than available -> ok false with the available count', async () => {
    const body = await json(await validate({ items: [{ sku: 'HB-NAVY-M', quantity: 6 }] }));
    expect(body).toEqual({
      ok: false,
      items: [{ sku: 'HB-NAVY-M', variantKey: 'hb|colour=navy;size=m', requested: 6, available: 5, ok: false, reason: 'insufficient_stock' }],
    });
  });

  it('lines for one variant are judged on their sum', async () => {
    const body = await json(await validate({ items: [{ sku: 'HB-NAVY-M', quantity: 3 }, { sku: 'HB-NAVY-M', quantity: 3 }] }));
    expect(body.ok).toBe(false);
    expect(body.items.map((i: { reason?: string }) => i.reason)).toEqual(['insufficient_stock', 'insufficient_stock']);
  });

  it('an unknown sku is a line with ok false and a reason, not an error', async () => {
    const res = await validate({ items: [{ sku: 'NOPE', quantity: 1 }, { sku: 'HB-NAVY-M', quantity: 1 }] });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.ok).toBe(false);
    expect(body.items[0]).toEqual({ sku: 'NOPE', variantKey: 'nope', requested: 1, available: 0, ok: false, reason: 'unknown_sku' });
    expect(body.items[1].ok).toBe(true);
  });

  it('an inactive variant is not available', async () => {
    const body = await json(await validate({ items: [{ sku: 'HB-GONE', quantity: 1 }] }));
    expect(body.items[0]).toMatchObject({ ok: false, reason: 'inactive', available: 0 });
  });

  it("another shop's sku is unknown here", async () => {
    const body = await json(await validate({ items: [{ sku: 'OTHER-1', quantity: 1 }] }));
    expect(body.items[0]).toMatchObject({ ok: false, reason: 'unknown_sku' });
  });

  it('no shop context -> 400', async () => {
    const res = await validate({ items: [{ sku: 'HB-NAVY-M', quantity: 1 }] }, null);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await json(res)).toMatchObject({ status: 400, code: 'missing_shop' });
  });

  it('a body shopId naming another shop -> 400, the same shop is fine', async () => {
    const res = await validate({ shopId: 'othershop', items: [{ sku: 'HB-NAVY-M', quantity: 1 }] });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ code: 'shop_mismatch', errors: [{ path: 'shopId' }] });
    const same = await validate({ shopId: 'cochlearfit', items: [{ sku: 'HB-NAVY-M', quantity: 1 }] });
    expect(same.status).toBe(200);
  });

  it('an unknown or inactive shop -> 404', async () => {
    expect((await validate({ items: [{ sku: 'X', quantity: 1 }] }, 'nosuchshop')).status).toBe(404);
    expect((await validate({ items: [{ sku: 'X', quantity: 1 }] }, 'closedshop')).status).toBe(404);
  });
});

const items = [{ sku: 'HB-NAVY-M', quantity: 1 }];

function breakStockObjects() {
  vi.spyOn(env.INVENTORY, 'get').mockImplementation(
    () => ({ snapshot: () => Promise.reject(new Error('stock object unreachable')) }) as never,
  );
}

describe('inventory policy when stock objects fail', () => {
  beforeAll(async () => {
    for (const shop of ['cochlearfit', 'lenientshop'] as const) {
      await putCatalog(shop);
      await setStock(shop, 'HB-NAVY-M', 5);
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
    env.ENVIRONMENT = 'development';
  });

  it('fail-closed shop: validate and products answer 503 problem+json', async () => {
    breakStockObjects();
    const res = await call('/api/inventory/validate', { json: { items } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await json(res)).toMatchObject({ code: 'inventory_unavailable' });
    expect((await call('/api/products')).status).toBe(503);
  });

  it('best-effort shop outside production: answers, marking stock as unknown', async () => {
    breakStockObjects();
    const res = await call('/api/inventory/validate', { shop: 'lenientshop', json: { items } });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      ok: true,
      items: [{ sku: 'HB-NAVY-M', variantKey: 'hb|colour=navy;size=m', requested: 1, available: null, ok: true }],
    });
  });

  it('best-effort shop in production: fails closed all the same', async () => {
    env.ENVIRONMENT = 'production';
    breakStockObjects();
    const res = await call('/api/inventory/validate', { shop: 'lenientshop', json: { items } });
    expect(res.status).toBe(503);
  });
});
