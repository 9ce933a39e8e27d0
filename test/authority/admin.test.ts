// Admin routes: per-shop bearer tokens, stock through the InventoryDO (with the console's thresholds and recent
// changes), catalog upsert.
import { beforeAll, describe, expect, it } from 'vitest';
import { call, demoCatalog, json, putCatalog, setStock, type CallOptions } from './helpers';

describe('admin authentication', () => {
  const routes = [
    { method: 'GET', path: '/api/admin/inventory' },
    { method: 'PUT', path: '/api/admin/inventory/HB-NAVY-M', json: { onHand: 99 } },
    { method: 'POST', path: '/api/admin/inventory/HB-NAVY-M/adjust', json: { delta: 99, reason: 'x' } },
    { method: 'PUT', path: '/api/admin/catalog', json: demoCatalog() },
    { method: 'PUT', path: '/api/admin/inventory/HB-NAVY-M/low-stock', json: { lowStockThreshold: 99 } },
    { method: 'GET', path: '/api/admin/inventory/HB-NAVY-M/changes' },
  ];

  beforeAll(async () => {
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-M', 5);
  });

  for (const route of routes) {
    it(`${route.method} ${route.path}: missing, wrong or another shop's token -> 401, nothing changes`, async () => {
      const attempts: CallOptions[] = [
        { headers: {} },
        { headers: { authorization: 'Bearer not-the-token' } },
        { headers: { authorization: 'Basic dG9rZW4tY29jaGxlYXJmaXQ=' } },
        { admin: 'othershop' },
      ];
      for (const attempt of attempts) {
        const res = await call(route.path, { method: route.method, json: route.json, ...attempt });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
        expect(await json(res)).toMatchObject({ status: 401, code: 'unauthorized' });
      }
      const stock = await json(await call('/api/admin/inventory', { admin: 'cochlearfit' }));
      expect(stock.items.find((i: { sku: string }) => i.sku === 'HB-NAVY-M')).toMatchObject({ onHand: 5, lowStockThreshold: null });
    });
  }
});

describe('admin stock', () => {
  beforeAll(async () => {
    await putCatalog('cochlearfit');
  });

  it('PUT sets onHand; POST adjust adds a delta; GET lists onHand, held and available', async () => {
    const set = await call('/api/admin/inventory/HB-PINK-M', { method: 'PUT', admin: 'cochlearfit', json: { onHand: 7 } });
    expect(set.status).toBe(200);
    expect(await json(set)).toEqual({ sku: 'HB-PINK-M', variantKey: 'hb|colour=pink;size=m', onHand: 7, held: 0, available: 7 });

    const adjust = await call('/api/admin/inventory/HB-PINK-M/adjust', { admin: 'cochlearfit', json: { delta: -2, reason: 'damaged' } });
    expect(await json(adjust)).toMatchObject({ onHand: 5, available: 5 });

    const list = await json(await call('/api/admin/inventory', { admin: 'cochlearfit' }));
    expect(list.items.map((i: { sku: string }) => i.sku)).toEqual(['HB-NAVY-M', 'HB-NAVY-L', 'HB-PINK-M', 'HB-GONE']);
    expect(list.items[2]).toEqual({
      sku: 'HB-PINK-M',
      productSku: 'HB',
      productName: 'Headband',
      variantKey: 'hb|colour=pink;size=m',
      attributes: { colour: 'pink', size: 'M' },
      sellable: true,
      backorder: false,
      onHand: 5,
      held: 0,
      available: 5,
      lowStockThreshold: null,
      lowStock: false,
    });
    expect(list.items[3]).toMatchObject({ sku: 'HB-GONE', sellable: false });
  });

  it('an adjustment retried with the same Idempotency-Key applies once', async () => {
    await setStock('cochlearfit', 'HB-NAVY-L', 10);
    for (let i = 0; i < 3; i++) {
      const res = await call('/api/admin/inventory/HB-NAVY-L/adjust', {
        admin: 'cochlearfit',
        headers: { 'idempotency-key': 'delivery-2026-11-27' },
        json: { delta: 5, reason: 'delivery' },
      });
      expect(await json(res)).toMatchObject({ onHand: 15 });
    }
  });

  it('going below zero -> 409 and nothing changes', async () => {
    await setStock('cochlearfit', 'HB-NAVY-L', 2);
    const res = await call('/api/admin/inventory/HB-NAVY-L/adjust', { admin: 'cochlearfit', json: { delta: -3, reason: 'count' } });
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ code: 'below_held', stock: { onHand: 2 } });
  });

  it('an unknown sku -> 404', async () => {
    const res = await call('/api/admin/inventory/NOPE', { method: 'PUT', admin: 'cochlearfit', json: { onHand: 1 } });
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ code: 'unknown_sku' });
  });

  it("a shop's admin cannot touch another shop's variant", async () => {
    await putCatalog('othershop', {
      products: [{ sku: 'OTHER', name: 'Other', description: '', active: true, variants: [{ sku: 'OTHER-1', attributes: {}, unitAmount: 100, active: true, backorder: false }] }],
    });
    const res = await call('/api/admin/inventory/OTHER-1', { method: 'PUT', admin: 'cochlearfit', json: { onHand: 1 } });
    expect(res.status).toBe(404);
  });
});

describe('admin stock: low-stock thresholds and recent changes (the console)', () => {
  const threshold = (sku: string, body: unknown, admin = 'cochlearfit') =>
    call(`/api/admin/inventory/${sku}/low-stock`, { method: 'PUT', admin, json: body });

  beforeAll(async () => {
    await putCatalog('cochlearfit');
  });

  it('a threshold flags the variant once available falls to it; null clears it; a catalog upsert keeps it', async () => {
    await setStock('cochlearfit', 'HB-PINK-M', 6);
    const set = await threshold('HB-PINK-M', { lowStockThreshold: 5 });
    expect(set.status).toBe(200);
    expect(await json(set)).toMatchObject({ sku: 'HB-PINK-M', available: 6, lowStockThreshold: 5, lowStock: false });
    await call('/api/admin/inventory/HB-PINK-M/adjust', { admin: 'cochlearfit', json: { delta: -1, reason: 'sample' } });
    await putCatalog('cochlearfit');
    const listed = (await json(await call('/api/admin/inventory', { admin: 'cochlearfit' }))).items;
    expect(listed.find((i: { sku: string }) => i.sku === 'HB-PINK-M')).toMatchObject({ available: 5, lowStockThreshold: 5, lowStock: true });
    expect(await json(await threshold('HB-PINK-M', { lowStockThreshold: null }))).toMatchObject({ lowStockThreshold: null, lowStock: false });
  });

  it('recent changes: newest first, with reason and refusals, bounded by limit', async () => {
    await setStock('cochlearfit', 'HB-NAVY-L', 3);
    await call('/api/admin/inventory/HB-NAVY-L/adjust', { admin: 'cochlearfit', json: { delta: 4, reason: 'delivery from Leeds' } });
    await call('/api/admin/inventory/HB-NAVY-L/adjust', { admin: 'cochlearfit', json: { delta: -99, reason: 'typo' } });
    const res = await call('/api/admin/inventory/HB-NAVY-L/changes?limit=2', { admin: 'cochlearfit' });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.sku).toBe('HB-NAVY-L');
    expect(body.changes).toEqual([
      { kind: 'adjust', requested: -99, reason: 'typo', accepted: false, onHandAfter: 7, at: expect.any(String) },
      { kind: 'adjust', requested: 4, reason: 'delivery from Leeds', accepted: true, onHandAfter: 7, at: expect.any(String) },
    ]);
    const all = await json(await call('/api/admin/inventory/HB-NAVY-L/changes', { admin: 'cochlearfit' }));
    expect(all.changes.at(-1)).toMatchObject({ kind: 'set', reason: 'count set by admin' });

    // A count may say why; an empty reason is refused and changes nothing.
    const counted = { onHand: 9, reason: 'stocktake 28 Nov' };
    expect(await json(await call('/api/admin/inventory/HB-NAVY-L', { method: 'PUT', admin: 'cochlearfit', json: counted }))).toMatchObject({ onHand: 9 });
    const empty = await call('/api/admin/inventory/HB-NAVY-L', { method: 'PUT', admin: 'cochlearfit', json: { onHand: 1, reason: ' ' } });
    expect(empty.status).toBe(400);
    expect((await json(empty)).errors[0].path).toBe('reason');
    const latest = await json(await call('/api/admin/inventory/HB-NAVY-L/changes?limit=1', { admin: 'cochlearfit' }));
    expect(latest.changes).toEqual([{ kind: 'set', requested: 9, reason: 'stocktake 28 Nov', accepted: true, onHandAfter: 9, at: expect.any(String) }]);
  });

  it('bad input -> 400 naming the field; unknown sku -> 404; nothing changes', async () => {
    const bad = async (res: Response, path: string) => {
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect((await json(res)).errors.map((e: { path: string }) => e.path)).toContain(path);
    };
    await bad(await threshold('HB-PINK-M', { lowStockThreshold: -1 }), 'lowStockThreshold');
    await bad(await threshold('HB-PINK-M', { lowStockThreshold: 1.5 }), 'lowStockThreshold');
    await bad(await threshold('HB-PINK-M', {}), 'lowStockThreshold');
    await bad(await threshold('HB-PINK-M', { lowStockThreshold: 2, colour: 'red' }), 'colour');
    await bad(await threshold('no%20sku', { lowStockThreshold: 2 }), 'sku');
    await bad(await call('/api/admin/inventory/HB-PINK-M/changes?limit=101', { admin: 'cochlearfit' }), 'limit');
    await bad(await call('/api/admin/inventory/HB-PINK-M/changes?since=1', { admin: 'cochlearfit' }), 'since');
    expect((await threshold('NOPE', { lowStockThreshold: 2 })).status).toBe(404);
    expect((await call('/api/admin/inventory/NOPE/changes', { admin: 'cochlearfit' })).status).toBe(404);
    // Another shop's variant is unknown here.
    expect((await threshold('OTHER-1', { lowStockThreshold: 2 })).status).toBe(404);
    const listed = (await json(await call('/api/admin/inventory', { admin: 'cochlearfit' }))).items;
    expect(listed.find((i: { sku: string }) => i.sku === 'HB-PINK-M').lowStockThreshold).toBeNull();
  });
});

describe('admin catalog', () => {
  it('upserts products and variants; a second upsert updates prices and flags', async () => {
    const first = await call('/api/admin/catalog', { method: 'PUT', shop: 'othershop', admin: 'othershop', json: demoCatalog() });
    expect(first.status).toBe(200);
    expect(await json(first)).toEqual({ products: 1, variants: 4 });

    const catalog = demoCatalog();
    catalog.products[0]!.variants[0]!.unitAmount = 2100;
    catalog.products[0]!.variants[1]!.active = false;
    await call('/api/admin/catalog', { method: 'PUT', shop: 'othershop', admin: 'othershop', json: catalog });

    const products = await json(await call('/api/products', { shop: 'othershop' }));
    const variants = products.products[0].variants;
    expect(variants.map((v: { sku: string; unitAmount: number }) => [v.sku, v.unitAmount])).toEqual([
      ['HB-NAVY-M', 2100],
      ['HB-PINK-M', 1900],
    ]);
  });

  it("changing an existing variant's attributes is refused: its stock object would be orphaned", async () => {
    await putCatalog('cochlearfit');
    const catalog = demoCatalog();
    catalog.products[0]!.variants[0]!.attributes = { colour: 'navy', size: 'XL' };
    const res = await call('/api/admin/catalog', { method: 'PUT', admin: 'cochlearfit', json: catalog });
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ code: 'catalog_conflict', errors: [{ path: 'products[0].variants[0].sku' }] });
  });

  it('two variants with the same attributes, or a foreign currency, are refused and nothing is written', async () => {
    const catalog = demoCatalog();
    catalog.products[0]!.sku = 'NEW';
    catalog.products[0]!.variants = [
      { sku: 'NEW-1', attributes: { size: 'm' }, unitAmount: 100, active: true, backorder: false },
      { sku: 'NEW-2', attributes: { Size: 'M ' }, unitAmount: 100, active: true, backorder: false, currency: 'usd' },
    ];
    const res = await call('/api/admin/catalog', { method: 'PUT', admin: 'cochlearfit', json: catalog });
    expect(res.status).toBe(409);
    const body = await json(res);
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual([
      'products[0].variants[1].currency',
      'products[0].variants[1].attributes',
    ]);
    const products = await json(await call('/api/products'));
    expect(products.products.map((p: { sku: string }) => p.sku)).not.toContain('NEW');
  });
});
