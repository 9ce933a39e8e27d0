// When stock cannot be read, a shop fails closed (503, nothing changes); best effort only outside production.
import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, json, putCatalog, setStock } from './helpers';

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
