// /api/cart: server-side cart behind a signed cookie, hydrated at every read, within the shop's limits.
import { createExecutionContext, createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import CommerceAuthority from '../../workers/commerce-authority/src/index';
import { call, demoCatalog, json, putCatalog, releaseAllHolds, setStock, Shopper } from './helpers';

const NAVY_M = 'HB-NAVY-M';

beforeEach(async () => {
  await putCatalog('cochlearfit');
  await setStock('cochlearfit', NAVY_M, 25);
  await setStock('cochlearfit', 'HB-NAVY-L', 3);
  await setStock('cochlearfit', 'HB-PINK-M', 8);
  await env.DB.prepare('UPDATE shops SET max_line_quantity = 10, max_cart_lines = 50').run();
});

describe('cart basics', () => {
  it('reading without a cart creates nothing', async () => {
    const shopper = new Shopper();
    const res = await shopper.cart();
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await json(res)).toEqual({ id: null, currency: 'gbp', lines: [], subtotal: 0, itemCount: 0, challenge: null });
  });

  it('adding creates the cart, sets a host-only signed cookie and answers the full cart', async () => {
    const shopper = new Shopper();
    const cart = await shopper.view('POST', { sku: NAVY_M, quantity: 2 });
    expect(cart).toEqual({
      id: expect.any(String),
      currency: 'gbp',
      lines: [
        {
          sku: NAVY_M,
          variantKey: 'hb|colour=navy;size=m',
          name: 'Headband',
          attributes: { colour: 'navy', size: 'M' },
          quantity: 2,
          maxQuantity: 10,
          unitAmount: 1800,
          lineAmount: 3600,
          available: 25,
        },
      ],
      subtotal: 3600,
      itemCount: 2,
      challenge: null,
    });
    const setCookie = shopper.lastSetCookie!;
    expect(setCookie).toMatch(/^__Host-cart=/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('Secure');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Domain');
    // The cookie carries the cart id and its signature, nothing else.
    expect(decodeURIComponent(shopper.cookie!.split('=')[1]!).split('.')[0]).toBe(cart.id);
  });

  it('adding again merges into the line, whether named by sku or by product + attributes', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 1 });
    const cart = await shopper.view('POST', { sku: 'HB', variantAttributes: { Size: 'm', Colour: 'NAVY' }, quantity: 2 });
    expect(cart.lines).toHaveLength(1);
    expect(cart.lines[0]).toMatchObject({ sku: NAVY_M, quantity: 3 });
  });

  it('PATCH sets, PATCH 0 removes, DELETE {sku} removes, DELETE empties, PUT replaces', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 1 });
    await shopper.view('POST', { sku: 'HB-PINK-M', quantity: 1 });
    expect((await shopper.view('PATCH', { sku: NAVY_M, quantity: 5 })).lines.map((l: { quantity: number }) => l.quantity)).toEqual([5, 1]);
    expect((await shopper.view('PATCH', { sku: 'HB-PINK-M', quantity: 0 })).lines.map((l: { sku: string }) => l.sku)).toEqual([NAVY_M]);
    await shopper.view('POST', { sku: 'HB-PINK-M', quantity: 1 });
    expect((await shopper.view('DELETE', { sku: NAVY_M })).lines.map((l: { sku: string }) => l.sku)).toEqual(['HB-PINK-M']);
    const emptied = await shopper.view('DELETE');
    expect(emptied.lines).toEqual([]);
    expect(emptied.id).toBeTruthy();

    const replaced = await shopper.view('PUT', {
      items: [
        { sku: 'HB-PINK-M', quantity: 2 },
        { sku: NAVY_M, quantity: 1 },
        { sku: 'HB', variantAttributes: { colour: 'pink', size: 'M' }, quantity: 1 },
      ],
    });
    expect(replaced.lines.map((l: { sku: string; quantity: number }) => [l.sku, l.quantity])).toEqual([
      ['HB-PINK-M', 3],
      [NAVY_M, 1],
    ]);
    expect(replaced.subtotal).toBe(3 * 1900 + 1800);
    expect(replaced.id).toBe(emptied.id);
  });
});

describe('cart cookie trust', () => {
  it('a tampered cookie gives a new empty cart, never the one it names', async () => {
    const owner = new Shopper();
    const cart = await owner.view('POST', { sku: NAVY_M, quantity: 2 });
    const [name, value] = owner.cookie!.split('=');
    const signature = decodeURIComponent(value!).split('.')[1];

    for (const forged of [`${cart.id}.AAAA${signature!.slice(4)}`, `${cart.id}`, `${cart.id}.`, 'not-a-cart.xyz']) {
      const attacker = new Shopper();
      attacker.cookie = `${name}=${encodeURIComponent(forged)}`;
      expect(await attacker.view()).toMatchObject({ id: null, lines: [] });
      const theirs = await attacker.view('POST', { sku: 'HB-PINK-M', quantity: 1 });
      expect(theirs.id).not.toBe(cart.id);
      expect(theirs.lines.map((l: { sku: string }) => l.sku)).toEqual(['HB-PINK-M']);
    }
    expect((await owner.view()).lines).toEqual([expect.objectContaining({ sku: NAVY_M, quantity: 2 })]);
  });

  it("a valid cookie of another shop's cart gives a new empty cart", async () => {
    await putCatalog('othershop');
    await setStock('othershop', NAVY_M, 5);
    const there = new Shopper('othershop');
    const theirCart = await there.view('POST', { sku: NAVY_M, quantity: 1 });
    const here = new Shopper('cochlearfit');
    here.cookie = there.cookie;
    expect(await here.view()).toMatchObject({ id: null, lines: [] });
    const mine = await here.view('POST', { sku: NAVY_M, quantity: 1 });
    expect(mine.id).not.toBe(theirCart.id);
    expect((await there.view()).lines[0].quantity).toBe(1);
  });

  it('a cart idle for 30 days is purged by the cron; its cookie then gives a new empty cart', async () => {
    const idle = new Shopper();
    const old = await idle.view('POST', { sku: NAVY_M, quantity: 1 });
    const recent = new Shopper();
    await recent.view('POST', { sku: NAVY_M, quantity: 1 });
    const thirtyOneDaysAgo = Date.now() - 31 * 24 * 60 * 60 * 1000;
    await env.DB.prepare('UPDATE carts SET updated_at = ? WHERE id = ?').bind(thirtyOneDaysAgo, old.id).run();

    const authority = new CommerceAuthority(createExecutionContext(), env);
    await authority.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }));

    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM cart_lines WHERE cart_id = ?').bind(old.id).first('n')).toBe(0);
    expect(await idle.view()).toMatchObject({ id: null, lines: [] });
    expect((await recent.view()).lines).toHaveLength(1);
  });
});

describe('reading your own writes through D1 sessions', () => {
  it("a cart write leaves D1's bookmark in a host-only cookie; the next requests read from it", async () => {
    const shopper = new Shopper();
    const added = await shopper.cart('POST', { sku: NAVY_M, quantity: 1 });
    const bookmark = added.headers.getAll('set-cookie').find((c) => c.startsWith('__Host-d1='));
    expect(bookmark).toMatch(/^__Host-d1=[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    // The line written a moment ago is there for the cart read and for the checkout.
    expect((await shopper.view()).lines).toEqual([expect.objectContaining({ sku: NAVY_M, quantity: 1 })]);
    const checkout = await call('/api/checkout-session', { method: 'POST', headers: { cookie: shopper.cookie! } });
    expect((await json(checkout)).lines).toEqual([expect.objectContaining({ sku: NAVY_M, quantity: 1 })]);
    await releaseAllHolds();
  });

  it('a refused write leaves no bookmark, and a malformed bookmark is ignored', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 1 });
    const refused = await shopper.cart('POST', { sku: NAVY_M, quantity: 500 });
    expect(refused.status).toBe(400);
    expect(refused.headers.getAll('set-cookie').some((c) => c.startsWith('__Host-d1='))).toBe(false);
    for (const forged of ['not-a-bookmark', 'ffffffff-ffffffff-ffffffff-' + 'f'.repeat(31) + 'g', '%00']) {
      const cookie = `${shopper.cookie!.split('; ')[0]}; __Host-d1=${forged}`;
      const res = await call('/api/cart', { headers: { cookie } });
      expect(res.status).toBe(200);
      expect((await json(res)).lines).toHaveLength(1);
      expect((await call('/api/products', { headers: { cookie } })).status).toBe(200);
    }
  });
});

describe('cart hydration', () => {
  it('a price change between add and read shows the new price', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 2 });
    const catalog = demoCatalog();
    catalog.products[0]!.variants[0]!.unitAmount = 2450;
    await putCatalog('cochlearfit', catalog);
    const cart = await shopper.view();
    expect(cart.lines[0]).toMatchObject({ unitAmount: 2450, lineAmount: 4900 });
    expect(cart.subtotal).toBe(4900);
  });

  it('a deactivated variant stays in the cart, marked, and counts for nothing', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 1 });
    await shopper.view('POST', { sku: 'HB-PINK-M', quantity: 1 });
    const catalog = demoCatalog();
    catalog.products[0]!.variants[0]!.active = false;
    await putCatalog('cochlearfit', catalog);
    const cart = await shopper.view();
    expect(cart.lines[0]).toMatchObject({ sku: NAVY_M, problem: 'inactive', lineAmount: 0, available: 0 });
    expect(cart.subtotal).toBe(1900);
    expect(cart.itemCount).toBe(2);
  });

  it('a line above what is available now is kept and marked short', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: 'HB-NAVY-L', quantity: 3 });
    await setStock('cochlearfit', 'HB-NAVY-L', 1);
    expect((await shopper.view()).lines[0]).toMatchObject({ quantity: 3, available: 1, problem: 'insufficient_stock' });
  });
});

describe('cart limits', () => {
  it('more of one item than the per-line limit -> 400 naming the limit; nothing changes', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 8 });
    const res = await shopper.cart('POST', { sku: NAVY_M, quantity: 3 });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ code: 'cart_limit', limit: { name: 'maxLineQuantity', value: 10 } });
    expect((await shopper.view()).lines[0].quantity).toBe(8);
    const set = await shopper.cart('PATCH', { sku: NAVY_M, quantity: 11 });
    expect(set.status).toBe(400);
  });

  it('more lines than the per-cart limit -> 400 naming the limit', async () => {
    await env.DB.prepare('UPDATE shops SET max_cart_lines = 2 WHERE id = ?').bind('cochlearfit').run();
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 1 });
    await shopper.view('POST', { sku: 'HB-PINK-M', quantity: 1 });
    const res = await shopper.cart('POST', { sku: 'HB-NAVY-L', quantity: 1 });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ code: 'cart_limit', limit: { name: 'maxCartLines', value: 2 } });
    // An existing line can still change.
    expect((await shopper.view('POST', { sku: NAVY_M, quantity: 1 })).lines[0].quantity).toBe(2);
    const put = await shopper.cart('PUT', { items: [{ sku: NAVY_M, quantity: 1 }, { sku: 'HB-PINK-M', quantity: 1 }, { sku: 'HB-NAVY-L', quantity: 1 }] });
    expect(put.status).toBe(400);
  });

  it('adding more than is available -> 409 with the available count, and no cart is created', async () => {
    const shopper = new Shopper();
    const res = await shopper.cart('POST', { sku: 'HB-NAVY-L', quantity: 4 });
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({ code: 'insufficient_stock', sku: 'HB-NAVY-L', available: 3 });
    expect(shopper.cookie).toBeNull();
    await shopper.view('POST', { sku: 'HB-NAVY-L', quantity: 2 });
    const more = await shopper.cart('POST', { sku: 'HB-NAVY-L', quantity: 2 });
    expect(more.status).toBe(409);
    expect((await shopper.view()).lines[0].quantity).toBe(2);
  });

  it('an unknown sku -> 400, an inactive one -> 409; nothing is created', async () => {
    const shopper = new Shopper();
    const unknown = await shopper.cart('POST', { sku: 'NOPE', quantity: 1 });
    expect(unknown.status).toBe(400);
    expect(await json(unknown)).toMatchObject({ code: 'unknown_sku', errors: [{ path: 'sku' }] });
    expect((await shopper.cart('POST', { sku: 'HB-GONE', quantity: 1 })).status).toBe(409);
    expect(shopper.cookie).toBeNull();
  });

  it('20 parallel adds to one cart end consistent: never past the cap, every success counted', async () => {
    await env.DB.prepare('UPDATE shops SET max_line_quantity = 50 WHERE id = ?').bind('cochlearfit').run();
    await setStock('cochlearfit', NAVY_M, 15);
    const shopper = new Shopper();
    await shopper.view('POST', { sku: 'HB-PINK-M', quantity: 1 });
    const cookie = shopper.cookie!;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call('/api/cart', { method: 'POST', headers: { cookie }, json: { sku: NAVY_M, quantity: 1 } })),
    );
    const ok = results.filter((r) => r.status === 200).length;
    expect(ok).toBe(15);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
    const cart = await shopper.view();
    expect(cart.lines.find((l: { sku: string }) => l.sku === NAVY_M).quantity).toBe(15);
  });
});

describe('cart bad input', () => {
  const bad: [string, string, unknown, string][] = [
    ['POST', 'quantity zero', { sku: NAVY_M, quantity: 0 }, 'quantity'],
    ['POST', 'fractional quantity', { sku: NAVY_M, quantity: 1.5 }, 'quantity'],
    ['POST', 'negative quantity', { sku: NAVY_M, quantity: -2 }, 'quantity'],
    ['POST', 'quantity as a string', { sku: NAVY_M, quantity: '2' }, 'quantity'],
    ['POST', 'a price from the client', { sku: NAVY_M, quantity: 1, unitAmount: 1 }, 'unitAmount'],
    ['POST', 'no sku', { quantity: 1 }, 'sku'],
    ['POST', 'a JSON array', [{ sku: NAVY_M, quantity: 1 }], '(body)'],
    ['PATCH', 'negative quantity', { sku: NAVY_M, quantity: -1 }, 'quantity'],
    ['PATCH', 'huge quantity', { sku: NAVY_M, quantity: 10 ** 9 }, 'quantity'],
    ['DELETE', 'sku not a string', { sku: 42 }, 'sku'],
    ['PUT', 'items not an array', { items: { sku: NAVY_M } }, 'items'],
    ['PUT', '1,000 items', { items: Array.from({ length: 1000 }, () => ({ sku: NAVY_M, quantity: 1 })) }, 'items'],
    ['PUT', 'a line with a price', { items: [{ sku: NAVY_M, quantity: 1, price: 0 }] }, 'items[0].price'],
  ];

  for (const [method, name, body, path] of bad) {
    it(`${method} with ${name} -> 400 naming ${path}; the cart is unchanged`, async () => {
      const shopper = new Shopper();
      const before = await shopper.view('POST', { sku: NAVY_M, quantity: 2 });
      const res = await shopper.cart(method, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect((await json(res)).errors.map((e: { path: string }) => e.path)).toContain(path);
      expect(await shopper.view()).toEqual(before);
    });
  }

  it('not JSON, or not declared as JSON -> 400 / 415; the cart is unchanged', async () => {
    const shopper = new Shopper();
    const before = await shopper.view('POST', { sku: NAVY_M, quantity: 2 });
    expect((await call('/api/cart', { method: 'POST', headers: { cookie: shopper.cookie!, 'content-type': 'application/json' }, raw: '{"sku":' })).status).toBe(400);
    expect((await call('/api/cart', { method: 'POST', headers: { cookie: shopper.cookie! }, raw: JSON.stringify({ sku: NAVY_M, quantity: 1 }) })).status).toBe(415);
    expect((await call('/api/cart', { method: 'DELETE', headers: { cookie: shopper.cookie!, 'content-type': 'text/plain' }, raw: 'everything' })).status).toBe(415);
    expect(await shopper.view()).toEqual(before);
  });
});
