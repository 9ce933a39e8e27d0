// Property-based fuzzing of every public route of the authority: random and malformed bodies, content types,
// headers and cookies. Whatever arrives, the answer is never a 5xx, errors are problem+json, and nothing that
// a shopper or operator would see changes.
import fc from 'fast-check';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/routes';
import { call, json, putCatalog, setStock, type CallOptions } from './helpers';

/** Runs per property; raise it for a deeper search: FUZZ_RUNS=5000 npx vitest run test/authority/fuzz.test.ts */
const RUNS = Number(env.FUZZ_RUNS);

const TABLES = ['carts', 'cart_lines', 'checkouts', 'reservations', 'orders', 'stripe_events', 'coupons', 'products', 'variants'];

async function state() {
  const counts: Record<string, unknown> = {};
  for (const table of TABLES) counts[table] = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first('n');
  const { items } = await json(await call('/api/admin/inventory', { admin: 'cochlearfit' }));
  return { counts, stock: items.map((i: { sku: string; onHand: number; held: number }) => [i.sku, i.onHand, i.held]) };
}

/** Bodies from plausible to absurd: JSON of any shape, near-misses of our contracts, and bytes that are not JSON. */
const body = fc.oneof(
  fc.json().map((text) => ({ text, type: 'application/json' })),
  fc.anything({ maxDepth: 3 }).map((value) => ({ text: JSON.stringify(value) ?? 'null', type: 'application/json' })),
  fc
    .record({
      sku: fc.oneof(fc.string(), fc.constantFrom('HB-NAVY-M', 'HB', '', '../etc', 'HB-NAVY-M\u0000')),
      quantity: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
      variantAttributes: fc.option(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer()))),
      items: fc.option(fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 5 })),
      coupon: fc.option(fc.string()),
      email: fc.option(fc.string()),
      uiMode: fc.option(fc.string()),
    })
    .map((value) => ({ text: JSON.stringify(value), type: 'application/json' })),
  fc.string().map((text) => ({ text, type: 'application/json' })),
  fc.string().map((text) => ({ text, type: fc.sample(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', ''), 1)[0]! })),
);

const headers = fc.record(
  {
    'idempotency-key': fc.string({ maxLength: 300 }),
    cookie: fc.oneof(fc.string(), fc.string().map((s) => `__Host-cart=${s}`)),
    'stripe-signature': fc.string(),
    authorization: fc.oneof(fc.string(), fc.string().map((s) => `Bearer ${s}`)),
  },
  { requiredKeys: [] },
);

function concrete(path: string): fc.Arbitrary<string> {
  const segment = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent), fc.constantFrom('HB-NAVY-M', 'cs_dev_x', 'TEN'));
  const names = path.match(/:[a-z]+/g) ?? [];
  return fc.tuple(...names.map(() => segment)).map((values) => names.reduce((p, name, i) => p.replace(name, values[i]!), path));
}

const headerEntries = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([, v]) => !/[\r\n\0]/.test(v)));

describe('fuzzing every public route', () => {
  beforeAll(async () => {
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-M', 5);
  });

  it('never answers 5xx, always answers problem+json on errors, and changes nothing a user would see', async () => {
    const before = await state();
    const routes = ROUTES.filter((r) => !r.path.startsWith('/api/admin'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), body, headers, fc.boolean(), async (route, payload, extra, withBody) => {
        const path = fc.sample(concrete(route.path), 1)[0]!;
        const options: CallOptions = {
          method: route.method,
          headers: { ...headerEntries(extra), ...(payload.type ? { 'content-type': payload.type } : {}) },
          ...(withBody && route.method !== 'GET' ? { raw: payload.text } : {}),
        };
        const res = await call(path, options);
        expect(res.status, `${route.method} ${path} -> ${res.status}`).toBeLessThan(500);
        if (res.status >= 400) expect(res.headers.get('content-type')).toBe('application/problem+json');
        await res.arrayBuffer();
      }),
      { numRuns: RUNS },
    );
    expect(await state()).toEqual(before);
  }, 120_000);

  it('admin routes with the right token: any malformed body is a 4xx, never a 5xx', async () => {
    const adminRoutes = ROUTES.filter((r) => r.path.startsWith('/api/admin') && r.method !== 'GET');
    const before = await state();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...adminRoutes), body, async (route, payload) => {
        const path = fc.sample(concrete(route.path), 1)[0]!;
        const res = await call(path, { method: route.method, admin: 'cochlearfit', raw: payload.text, headers: { 'content-type': payload.type } });
        expect(res.status, `${route.method} ${path} -> ${res.status}`).toBeLessThan(500);
        await res.arrayBuffer();
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
    // Random bodies are never valid catalog or stock changes, so nothing moved.
    expect((await state()).stock).toEqual(before.stock);
  }, 120_000);

  it('validate with well-formed random lines answers 200 and judges every line', async () => {
    const line = fc.record(
      {
        sku: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
        quantity: fc.integer({ min: 1, max: 1000 }),
        variantAttributes: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[A-Za-z0-9 ]{1,12}$/).filter((s) => s.trim().length > 0), { maxKeys: 3 }),
      },
      { requiredKeys: ['sku', 'quantity'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 20 }), async (items) => {
        const res = await call('/api/inventory/validate', { method: 'POST', json: { items } });
        expect(res.status).toBe(200);
        const answer = await json(res);
        expect(answer.items).toHaveLength(items.length);
        expect(answer.ok).toBe(answer.items.every((i: { ok: boolean }) => i.ok));
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  }, 60_000);
});
