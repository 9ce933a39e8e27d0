// GET /api/products: the sellable catalog with live availability, per shop.
import { beforeAll, describe, expect, it } from 'vitest';
import { call, json, putCatalog, setStock } from './helpers';
import { env } from 'cloudflare:workers';
import { database } from '../../workers/commerce-authority/src/db/client';
import { reserveAll } from '../../workers/commerce-authority/src/inventory/reservations';

describe('GET /api/products', () => {
  beforeAll(async () => {
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-M', 4);
  });

  it('lists active variants with live availability, not inactive ones', async () => {
    await reserveAll(env, database(env.DB), {
      shopId: 'cochlearfit',
      reservationId: 'p-1',
      lines: [{ sku: 'HB-NAVY-M', variantKey: 'hb|colour=navy;size=m', quantity: 3, backorder: false }],
      expiresAt: Date.now() + 3_600_000,
    });
    const res = await call('/api/products');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.currency).toBe('gbp');
    expect(body.products).toHaveLength(1);
    const variants = body.products[0].variants;
    expect(variants.map((v: { sku: string }) => v.sku)).toEqual(['HB-NAVY-M', 'HB-NAVY-L', 'HB-PINK-M']);
    expect(variants[0]).toEqual({
      sku: 'HB-NAVY-M',
      variantKey: 'hb|colour=navy;size=m',
      attributes: { colour: 'navy', size: 'M' },
      unitAmount: 1800,
      currency: 'gbp',
      available: 1,
      backorder: false,
      maxPerCheckout: null,
      requiresChallenge: false,
    });
    expect(variants[1].available).toBe(0);
  });

  it("another shop sees only its own catalog", async () => {
    const body = await json(await call('/api/products', { shop: 'othershop' }));
    expect(body.products).toEqual([]);
  });
});
