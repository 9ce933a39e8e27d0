// Bad input anywhere gets a 4xx problem+json that names the field, and changes nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { call, demoCatalog, json, putCatalog, setStock, type CallOptions } from './helpers';

const line = { sku: 'HB-NAVY-M', quantity: 1 };
const manyItems = Array.from({ length: 1000 }, () => line);

interface BadCase {
  name: string;
  options: CallOptions;
  status: number;
  path: string;
}

function bodyCases(base: CallOptions, cases: [string, unknown, string][]): BadCase[] {
  return cases.map(([name, body, path]) => ({ name, options: { ...base, json: body }, status: 400, path }));
}

function transportCases(base: CallOptions): BadCase[] {
  return [
    { name: 'not JSON', options: { ...base, raw: '{"items": [', headers: { 'content-type': 'application/json' } }, status: 400, path: '(body)' },
    { name: 'empty body', options: { ...base, raw: '', headers: { 'content-type': 'application/json' } }, status: 400, path: '(body)' },
    { name: 'wrong content type', options: { ...base, raw: JSON.stringify({ items: [line] }), headers: { 'content-type': 'text/plain' } }, status: 415, path: '(header) content-type' },
    { name: 'no content type', options: { ...base, raw: JSON.stringify({ items: [line] }) }, status: 415, path: '(header) content-type' },
  ];
}

const validate: CallOptions = { method: 'POST' };
const setStockCall: CallOptions = { method: 'PUT', admin: 'cochlearfit' };
const adjust: CallOptions = { method: 'POST', admin: 'cochlearfit' };
const catalog: CallOptions = { method: 'PUT', admin: 'cochlearfit' };

const variantWith = (patch: Record<string, unknown>) => ({
  products: [{ ...demoCatalog().products[0], variants: [{ ...demoCatalog().products[0]!.variants[0], ...patch }] }],
});

const cases: [string, BadCase[]][] = [
  [
    '/api/inventory/validate',
    [
      ...transportCases(validate),
      ...bodyCases(validate, [
        ['a JSON array', [line], '(body)'],
        ['null', null, '(body)'],
        ['no items', {}, 'items'],
        ['empty items', { items: [] }, 'items'],
        ['1,000 items', { items: manyItems }, 'items'],
        ['quantity as a string', { items: [{ sku: 'HB-NAVY-M', quantity: '1' }] }, 'items[0].quantity'],
        ['quantity zero', { items: [{ sku: 'HB-NAVY-M', quantity: 0 }] }, 'items[0].quantity'],
        ['negative quantity', { items: [{ sku: 'HB-NAVY-M', quantity: -1 }] }, 'items[0].quantity'],
        ['fractional quantity', { items: [{ sku: 'HB-NAVY-M', quantity: 1.5 }] }, 'items[0].quantity'],
        ['huge quantity', { items: [{ sku: 'HB-NAVY-M', quantity: 1e12 }] }, 'items[0].quantity'],
        ['missing sku', { items: [{ quantity: 1 }] }, 'items[0].sku'],
        ['empty sku', { items: [{ sku: '', quantity: 1 }] }, 'items[0].sku'],
        ['sku with odd characters', { items: [{ sku: 'HB NAVY;--', quantity: 1 }] }, 'items[0].sku'],
        ['unknown field in a line', { items: [{ ...line, price: 1 }] }, 'items[0].price'],
        ['unknown top-level field', { items: [line], total: 0 }, 'total'],
        ['attributes not strings', { items: [{ ...line, variantAttributes: { size: 3 } }] }, 'items[0].variantAttributes.size'],
        ['shopId not a slug', { items: [line], shopId: 'Other Shop!' }, 'shopId'],
      ]),
    ],
  ],
  [
    'PUT /api/admin/inventory/:sku',
    [
      ...transportCases({ ...setStockCall }),
      ...bodyCases(setStockCall, [
        ['negative onHand', { onHand: -1 }, 'onHand'],
        ['fractional onHand', { onHand: 2.5 }, 'onHand'],
        ['string onHand', { onHand: '5' }, 'onHand'],
        ['huge onHand', { onHand: 1e15 }, 'onHand'],
        ['unknown field', { onHand: 5, held: 0 }, 'held'],
      ]),
    ],
  ],
  [
    'POST /api/admin/inventory/:sku/adjust',
    [
      ...transportCases(adjust),
      ...bodyCases(adjust, [
        ['zero delta', { delta: 0, reason: 'x' }, 'delta'],
        ['fractional delta', { delta: 0.5, reason: 'x' }, 'delta'],
        ['missing reason', { delta: 1 }, 'reason'],
        ['blank reason', { delta: 1, reason: '   ' }, 'reason'],
      ]),
    ],
  ],
  [
    'PUT /api/admin/catalog',
    [
      ...transportCases(catalog),
      ...bodyCases(catalog, [
        ['no products', { products: [] }, 'products'],
        ['negative price', variantWith({ unitAmount: -1 }), 'products[0].variants[0].unitAmount'],
        ['fractional price', variantWith({ unitAmount: 18.5 }), 'products[0].variants[0].unitAmount'],
        ['currency in upper case', variantWith({ currency: 'GBP' }), 'products[0].variants[0].currency'],
        ['bad stripe price id', variantWith({ stripePriceId: 'prod_123' }), 'products[0].variants[0].stripePriceId'],
        ['unknown variant field', variantWith({ stock: 5 }), 'products[0].variants[0].stock'],
        ['purchase limit zero', variantWith({ maxPerCheckout: 0 }), 'products[0].variants[0].maxPerCheckout'],
        ['negative purchase limit', variantWith({ maxPerCheckout: -2 }), 'products[0].variants[0].maxPerCheckout'],
        ['purchase limit as a string', variantWith({ maxPerCheckout: '2' }), 'products[0].variants[0].maxPerCheckout'],
        ['huge purchase limit', variantWith({ maxPerCheckout: 1e9 }), 'products[0].variants[0].maxPerCheckout'],
        ['challenge flag as a string', variantWith({ requiresChallenge: 'yes' }), 'products[0].variants[0].requiresChallenge'],
      ]),
    ],
  ],
];

async function state() {
  const inventory = await json(await call('/api/admin/inventory', { admin: 'cochlearfit' }));
  const products = await json(await call('/api/products'));
  return { inventory, products };
}

describe('bad input', () => {
  let before: Awaited<ReturnType<typeof state>>;
  beforeAll(async () => {
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-M', 5);
    before = await state();
  });

  for (const [route, routeCases] of cases) {
    describe(route, () => {
      for (const bad of routeCases) {
        it(`${bad.name} -> ${bad.status} naming ${bad.path}`, async () => {
          const path =
            route === '/api/inventory/validate'
              ? route
              : route.startsWith('PUT /api/admin/inventory')
                ? '/api/admin/inventory/HB-NAVY-M'
                : route.startsWith('POST')
                  ? '/api/admin/inventory/HB-NAVY-M/adjust'
                  : '/api/admin/catalog';
          const res = await call(path, bad.options);
          expect(res.status).toBe(bad.status);
          expect(res.headers.get('content-type')).toBe('application/problem+json');
          const body = await json(res);
          expect(body).toMatchObject({ status: bad.status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
          expect(body.errors.map((e: { path: string }) => e.path)).toContain(bad.path);
          expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
          expect(await state()).toEqual(before);
        });
      }
    });
  }
});
