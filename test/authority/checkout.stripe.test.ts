// Checkout through the real stripe package against a fake Stripe API that checks what it is sent.
// All Stripe tests live in this one file: the fake is shared, and failures injected here must not leak.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { createExecutionContext, createScheduledController } from 'cloudflare:test';
import CommerceAuthority from '../../workers/commerce-authority/src/index';
import { breakStockObject, repairStockObjects } from './faults';
import { call, json, putCatalog, releaseAllHolds, reservationStatus, setStock } from './helpers';
import { checkoutSession, deliver, stripeEvent } from './stripe-events';

const SHOP = 'stripeshop';
const fake = (path: string, body?: unknown) =>
  fetch(`${env.STRIPE_API_BASE}/__control/${path}`, { method: body ? 'POST' : 'GET', body: body ? JSON.stringify(body) : undefined });

interface Recorded {
  method: string;
  path: string;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  authorized: boolean;
  form: any;
}
const recorded = async (): Promise<Recorded[]> => (await fake('requests')).json();

const checkout = (body: unknown, headers: Record<string, string> = {}) =>
  call('/api/checkout-session', { method: 'POST', shop: SHOP, json: body, headers });

const checkoutsOfShop = async () => env.DB.prepare('SELECT COUNT(*) AS n FROM checkouts WHERE shop_id = ?').bind(SHOP).first<number>('n');

async function available(sku: string): Promise<number> {
  const { items } = await json(await call('/api/admin/inventory', { shop: SHOP, admin: SHOP }));
  return items.find((i: { sku: string }) => i.sku === sku).available;
}

const runCron = () =>
  new CommerceAuthority(createExecutionContext(), env).scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }));

beforeEach(async () => {
  await releaseAllHolds();
  await fake('reset', {});
  const catalog = {
    products: [
      {
        sku: 'HB',
        name: 'Classic Headband',
        description: '',
        active: true,
        variants: [
          { sku: 'HB-NAVY-M', attributes: { colour: 'navy', size: 'M' }, unitAmount: 1800, active: true, backorder: false },
          { sku: 'HB-PINK-M', attributes: { colour: 'pink', size: 'M' }, unitAmount: 1900, active: true, backorder: false, stripePriceId: 'price_PinkM123' },
        ],
      },
    ],
  };
  await putCatalog(SHOP, catalog);
  await setStock(SHOP, 'HB-NAVY-M', 10);
  await setStock(SHOP, 'HB-PINK-M', 10);
});

describe('checkout with Stripe', () => {
  it('creates a hosted Checkout Session with our prices, metadata, expiry and idempotency key', async () => {
    const res = await checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 2, unitAmount: 1 }, { sku: 'HB-PINK-M', quantity: 1 }], email: 'buyer@example.com' });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.sessionId).toMatch(/^cs_test_fake/);
    expect(body.url).toBe(`https://checkout.stripe.test/c/pay/${body.sessionId}`);

    const [create] = await recorded();
    expect(create!.path).toBe('/v1/checkout/sessions');
    expect(create!.authorized).toBe(true);
    expect(create!.stripeVersion).toBe('2026-10-28.endive');
    expect(create!.idempotencyKey).toBe(`checkout:${body.checkoutId}`);
    const form = create!.form;
    expect(form).toMatchObject({
      mode: 'payment',
      ui_mode: 'hosted_page',
      client_reference_id: body.checkoutId,
      customer_email: 'buyer@example.com',
      metadata: { shop_id: SHOP, inventory_reservation_id: body.checkoutId, checkout_id: body.checkoutId },
      payment_intent_data: { metadata: { shop_id: SHOP, checkout_id: body.checkoutId } },
      success_url: 'http://authority.internal/checkout/success/?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: `http://authority.internal/cart/?checkout_id=${body.checkoutId}`,
    });
    expect(form.line_items).toEqual([
      { quantity: '2', price_data: { currency: 'gbp', unit_amount: '1800', product_data: { name: 'Classic Headband (navy, M)', metadata: { sku: 'HB-NAVY-M' } } } },
      { quantity: '1', price: 'price_PinkM123' },
    ]);
    expect(Number(form.expires_at) * 1000).toBe(Date.parse(body.expiresAt));
    expect(form.return_url).toBeUndefined();
  });

  it('a retried attempt (same Idempotency-Key) returns the same session without calling Stripe again', async () => {
    const attempt = { 'idempotency-key': 'stripe-retry-1' };
    const first = await json(await checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 1 }] }, attempt));
    const again = await json(await checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 1 }] }, attempt));
    expect(again.sessionId).toBe(first.sessionId);
    expect((await recorded()).filter((r) => r.path === '/v1/checkout/sessions')).toHaveLength(1);
    expect(await available('HB-NAVY-M')).toBe(9);
  });

  it('embedded_page: return_url and a client secret, no success or cancel URL', async () => {
    const body = await json(await checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 1 }], uiMode: 'embedded_page' }));
    expect(body.clientSecret).toBe(`${body.sessionId}_secret_fake`);
    expect(body.url).toBeUndefined();
    const [create] = await recorded();
    expect(create!.form).toMatchObject({ ui_mode: 'embedded_page', return_url: 'http://authority.internal/checkout/success/?session_id={CHECKOUT_SESSION_ID}' });
    expect(create!.form.success_url).toBeUndefined();
  });

  it('a coupon becomes a one-off Stripe coupon of exactly our discount', async () => {
    await call('/api/admin/coupons', { method: 'POST', shop: SHOP, admin: SHOP, json: { code: 'SAVE15', percentOff: 15 } });
    const body = await json(await checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 3 }], coupon: 'save15' }));
    expect(body.amounts).toMatchObject({ subtotal: 5400, discount: 810, total: 4590 });
    const [coupon, session] = await recorded();
    expect(coupon).toMatchObject({ path: '/v1/coupons', idempotencyKey: `checkout:${body.checkoutId}:coupon` });
    expect(coupon!.form).toMatchObject({ amount_off: '810', currency: 'gbp', duration: 'once', max_redemptions: '1', name: 'SAVE15' });
    expect(session!.form.discounts).toEqual([{ coupon: expect.stringMatching(/^co_fake_\d+$/) }]);
  });

  it("cost accounting counts the stripe package's HTTP calls: coupon then session, two sequential round trips", async () => {
    await call('/api/admin/coupons', { method: 'POST', shop: SHOP, admin: SHOP, json: { code: 'COST10', percentOff: 10 } });
    env.COST_ACCOUNTING = '1';
    try {
      const res = await checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 1 }], coupon: 'cost10' });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.headers.get('x-cost')!)).toMatchObject({ providerCalls: 2, providerRoundTrips: 2 });
      expect((await recorded()).map((r) => r.path)).toEqual(['/v1/coupons', '/v1/checkout/sessions']);
    } finally {
      env.COST_ACCOUNTING = undefined;
    }
  });

  for (const [mode, what] of [
    ['500', 'a Stripe 500'],
    ['429', 'a Stripe 429'],
    ['hang', 'a Stripe timeout'],
  ] as const) {
    it(`${what} after the hold -> 502, holds released, available back where it was`, async () => {
      await fake('fail', { mode });
      const before = await checkoutsOfShop();
      const res = await checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 4 }, { sku: 'HB-PINK-M', quantity: 2 }] });
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const problem = await json(res);
      expect(problem).toMatchObject({ code: 'payment_provider_error' });
      expect(JSON.stringify(problem)).not.toContain('sk_test');
      expect(await available('HB-NAVY-M')).toBe(10);
      expect(await available('HB-PINK-M')).toBe(10);
      expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM reservations WHERE status IN ('pending', 'active')").first('n')).toBe(0);
      // Nothing is written before the session exists: no checkout recorded, no coupon use, no reservation.
      expect(await checkoutsOfShop()).toBe(before);

      // Stripe recovers: the same request now succeeds with a new checkout and a fresh hold.
      await fake('reset', {});
      const retry = await checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 4 }, { sku: 'HB-PINK-M', quantity: 2 }] });
      expect(retry.status).toBe(200);
      expect(await available('HB-NAVY-M')).toBe(6);
    }, 20_000);
  }
});

describe('Stripe failing at each step', () => {
  it('the coupon step failing (and its retry) -> 502, holds and the coupon use released', async () => {
    await call('/api/admin/coupons', { method: 'POST', shop: SHOP, admin: SHOP, json: { code: 'FAILCOUPON', amountOff: 100, maxRedemptions: 1 } });
    await fake('fail', { mode: '500', times: 2 });
    const res = await checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 2 }], coupon: 'failcoupon' });
    expect(res.status).toBe(502);
    const calls = await recorded();
    expect(calls.map((c) => c.path)).toEqual(['/v1/coupons', '/v1/coupons']);
    expect(calls[0]!.idempotencyKey).toBe(calls[1]!.idempotencyKey); // the retry reuses the key
    expect(await available('HB-NAVY-M')).toBe(10);
    const { coupons } = await json(await call('/api/admin/coupons', { shop: SHOP, admin: SHOP }));
    expect(coupons.find((c: { code: string }) => c.code === 'FAILCOUPON')).toMatchObject({ reserved: 0, redemptions: 0 });
    // The one use is free again: the next attempt gets it.
    expect((await checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 1 }], coupon: 'failcoupon' })).status).toBe(200);
  }, 20_000);

  it('Stripe failing while a stock object cannot let go: 502; the reaper finishes the give-back in its next run', async () => {
    await fake('fail', { mode: '500' });
    breakStockObject('hb|colour=pink;size=m', 'release', SHOP);
    const items = { items: [{ sku: 'HB-NAVY-M', quantity: 2 }, { sku: 'HB-PINK-M', quantity: 3 }] };
    const attempt = { 'idempotency-key': 'release-fails' };
    try {
      expect((await checkout(items, attempt)).status).toBe(502);
    } finally {
      repairStockObjects();
    }
    // Navy let go; pink could not, and its units stay out of sale only until the reaper's next run.
    expect([await available('HB-NAVY-M'), await available('HB-PINK-M')]).toEqual([10, 7]);
    const givenBack = (await recorded()).find((c) => c.path === '/v1/checkout/sessions')!.idempotencyKey!.replace('checkout:', '');
    const fence = () => reservationStatus(givenBack);
    expect(await fence()).toBe('releasing');
    await runCron();
    expect(await fence()).toBe('released');
    expect([await available('HB-NAVY-M'), await available('HB-PINK-M')]).toEqual([10, 10]);

    // Stripe recovers and the shopper tries again: a checkout of its own, never the id that was given back.
    await fake('reset', {});
    const retry = await checkout(items, attempt);
    expect(retry.status).toBe(200);
    const { checkoutId } = await json(retry);
    expect(checkoutId).not.toBe(givenBack);
    expect([await available('HB-NAVY-M'), await available('HB-PINK-M')]).toEqual([8, 7]);
    expect(await reservationStatus(checkoutId)).toBe('active');
  }, 20_000);

  it('expiring a superseded session failing: the new checkout still opens and the old holds are released', async () => {
    const cookieShopper = await call('/api/cart', { method: 'POST', shop: SHOP, json: { sku: 'HB-NAVY-M', quantity: 1 } });
    const cookie = cookieShopper.headers.getAll('set-cookie')[0]!.split(';')[0]!;
    const first = await json(await call('/api/checkout-session', { method: 'POST', shop: SHOP, headers: { cookie } }));
    await call('/api/cart', { method: 'POST', shop: SHOP, headers: { cookie }, json: { sku: 'HB-PINK-M', quantity: 1 } });
    await fake('reset', {});
    await fake('fail', { mode: '500', times: 2 });
    const second = await call('/api/checkout-session', { method: 'POST', shop: SHOP, headers: { cookie } });
    expect(second.status).toBe(200);
    const calls = await recorded();
    expect(calls[0]!.path).toBe(`/v1/checkout/sessions/${first.sessionId}/expire`);
    expect(await env.DB.prepare('SELECT status FROM checkouts WHERE id = ?').bind(first.checkoutId).first('status')).toBe('superseded');
    expect(await reservationStatus(first.checkoutId)).toBe('released');
    expect(await available('HB-NAVY-M')).toBe(9);
    expect(await available('HB-PINK-M')).toBe(9);
  }, 20_000);

});

describe('the session first, then one write', () => {
  it('nothing is written while Stripe makes the session; the answer comes with the row that records it', async () => {
    await fake('late', { ms: 500 });
    const before = await checkoutsOfShop();
    const pending = checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 2 }] });
    // While the session is being made the stock is held, and nothing is recorded yet.
    for (let tries = 0; (await available('HB-NAVY-M')) !== 8 && tries < 50; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await available('HB-NAVY-M')).toBe(8);
    expect(await checkoutsOfShop()).toBe(before);

    const body = await json(await pending);
    const row = await env.DB.prepare('SELECT status, session_id, session_url FROM checkouts WHERE id = ?').bind(body.checkoutId).first();
    expect(row).toEqual({ status: 'open', session_id: body.sessionId, session_url: body.url });
    expect(await reservationStatus(body.checkoutId)).toBe('active');
  }, 20_000);

  it('two requests of one attempt while Stripe is slow: Stripe refuses the key in use, the second waits, one session and one hold', async () => {
    // Longer than the stripe package's own wait before its retry (500 ms), shorter than the tests' Stripe timeout
    // (1 s): the twin sees the key in use twice, and then waits on its own.
    await fake('late', { ms: 800 });
    const attempt = { 'idempotency-key': 'slow-stripe-twins' };
    const items = { items: [{ sku: 'HB-NAVY-M', quantity: 3 }] };
    const first = checkout(items, attempt);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the first is at Stripe
    const [a, b] = await Promise.all([first, checkout(items, attempt)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [one, two] = [await json(a), await json(b)];
    expect(two).toEqual(one);
    const calls = await recorded();
    expect(calls.every((c) => c.path === '/v1/checkout/sessions' && c.idempotencyKey === `checkout:${one.checkoutId}`)).toBe(true);
    expect(calls.length).toBeGreaterThanOrEqual(3); // the first, then the twin's, refused with 409 and retried
    expect(await available('HB-NAVY-M')).toBe(7);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM checkouts WHERE idempotency_key = 'client:slow-stripe-twins'").first('n')).toBe(1);
  }, 20_000);

  it('one request of an attempt gives the holds back while its twin is at Stripe: the twin cannot record them, and holds anew', async () => {
    // A's two calls and B's first fail; B's retry (500 ms later, by the stripe package) then makes the session,
    // after A has given the shared holds back.
    await fake('fail', { mode: '500', times: 3 });
    const attempt = { 'idempotency-key': 'twin-gives-back' };
    const items = { items: [{ sku: 'HB-NAVY-M', quantity: 3 }] };
    const a = checkout(items, attempt);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [first, second] = await Promise.all([a, checkout(items, attempt)]);
    expect([first.status, second.status]).toEqual([502, 200]);
    const won = await json(second);
    // The units are held once, by the checkout that was recorded: not under the id A gave back.
    expect(await available('HB-NAVY-M')).toBe(7);
    expect(await reservationStatus(won.checkoutId)).toBe('active');
    const calls = await recorded();
    const keys = [...new Set(calls.filter((c) => c.path === '/v1/checkout/sessions').map((c) => c.idempotencyKey))];
    expect(keys).toEqual([expect.not.stringContaining(won.checkoutId), `checkout:${won.checkoutId}`]);
    const givenBack = keys[0]!.replace('checkout:', '');
    // A wrote the fence for the id it gave back; no checkout was recorded under it.
    expect(await reservationStatus(givenBack)).toBe('released');
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM checkouts WHERE id = ?').bind(givenBack).first('n')).toBe(0);
    expect(calls.filter((c) => c.idempotencyKey === keys[0])).toHaveLength(4); // A twice, B twice: its second made a session
    const expired = calls.filter((c) => c.path.endsWith('/expire'));
    expect(expired).toHaveLength(1); // ... that no checkout could record, so it was expired
    expect(expired[0]!.path).not.toContain(won.sessionId);
  }, 20_000);

  it('... and when the stock object cannot let go of them: the fence still holds the twin off, and the reaper finishes', async () => {
    await fake('fail', { mode: '500', times: 3 });
    breakStockObject('hb|colour=navy;size=m', 'release', SHOP);
    const attempt = { 'idempotency-key': 'twin-gives-back-slowly' };
    const items = { items: [{ sku: 'HB-NAVY-M', quantity: 3 }] };
    let answers: Response[];
    try {
      const a = checkout(items, attempt);
      await new Promise((resolve) => setTimeout(resolve, 200));
      answers = await Promise.all([a, checkout(items, attempt)]);
    } finally {
      repairStockObjects();
    }
    expect(answers.map((r) => r.status)).toEqual([502, 200]);
    const won = await json(answers[1]!);
    const keys = [...new Set((await recorded()).filter((c) => c.path === '/v1/checkout/sessions').map((c) => c.idempotencyKey))];
    const givenBack = keys[0]!.replace('checkout:', '');
    expect(givenBack).not.toBe(won.checkoutId);
    expect(await reservationStatus(givenBack)).toBe('releasing');
    expect(await available('HB-NAVY-M')).toBe(4); // the fenced holds, until the reaper's run, and the checkout's own
    await runCron();
    // Had the twin recorded the fenced id, the reaper would now have given back its checkout's holds (10).
    expect(await available('HB-NAVY-M')).toBe(7);
    expect(await reservationStatus(won.checkoutId)).toBe('active');
  }, 20_000);

  it('one key sent with two bodies at once (a client bug): one checkout, holding exactly its own units; the other 422', async () => {
    // The second request finds the first's holds under the shared id with another quantity, and must not strip
    // the lines that matched from a checkout the first then records.
    await fake('late', { ms: 300, times: 2 });
    const attempt = { 'idempotency-key': 'one-key-two-bodies' };
    const b = checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 2 }, { sku: 'HB-PINK-M', quantity: 1 }] }, attempt);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const a = checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 2 }, { sku: 'HB-PINK-M', quantity: 2 }] }, attempt);
    const answers = await Promise.all([b, a]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 422]);
    const won = await json(answers.find((r) => r.status === 200)!);
    const pink = won.lines.find((l: { sku: string }) => l.sku === 'HB-PINK-M').quantity;
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM checkouts WHERE idempotency_key = 'client:one-key-two-bodies' AND status = 'open'").first('n')).toBe(1);
    expect(await reservationStatus(won.checkoutId)).toBe('active');
    expect([await available('HB-NAVY-M'), await available('HB-PINK-M')]).toEqual([8, 10 - pink]);
  }, 20_000);

  it("a coupon's last use raced: the claim that loses expires its session, and the coupon counts one use", async () => {
    await call('/api/admin/coupons', { method: 'POST', shop: SHOP, admin: SHOP, json: { code: 'LASTONE', amountOff: 100, maxRedemptions: 1 } });
    await fake('late', { ms: 300, times: 4 }); // both reads see the use free; both make a coupon and a session
    const answers = await Promise.all([
      checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 1 }], coupon: 'lastone' }),
      checkout({ items: [{ sku: 'HB-PINK-M', quantity: 1 }], coupon: 'lastone' }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await json(answers.find((r) => r.status === 409)!)).toMatchObject({ code: 'coupon_exhausted' });
    const won = await json(answers.find((r) => r.status === 200)!);
    const calls = await recorded();
    expect(calls.filter((c) => c.path === '/v1/checkout/sessions')).toHaveLength(2);
    const expired = calls.filter((c) => c.path.endsWith('/expire'));
    expect(expired).toHaveLength(1);
    expect(expired[0]!.path).not.toContain(won.sessionId);
    const { coupons } = await json(await call('/api/admin/coupons', { shop: SHOP, admin: SHOP }));
    expect(coupons.find((c: { code: string }) => c.code === 'LASTONE')).toMatchObject({ reserved: 1, redemptions: 0 });
    expect((await available('HB-NAVY-M')) + (await available('HB-PINK-M'))).toBe(19);
  }, 20_000);

  it('two tabs check out one cart at once: one live checkout, the stock held once, every other session expired', async () => {
    const added = await call('/api/cart', { method: 'POST', shop: SHOP, json: { sku: 'HB-NAVY-M', quantity: 1 } });
    const cookie = added.headers.getAll('set-cookie').map((c) => c.split(';')[0]!).join('; ');
    await fake('late', { ms: 300, times: 2 }); // both tabs hold and reach Stripe before either claims
    const answers = await Promise.all(
      ['tab-a', 'tab-b'].map((tab) => call('/api/checkout-session', { method: 'POST', shop: SHOP, headers: { cookie, 'idempotency-key': tab } })),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    const live = await env.DB.prepare("SELECT id, session_id FROM checkouts WHERE shop_id = ? AND cart_id IS NOT NULL AND status = 'open'")
      .bind(SHOP)
      .all<{ id: string; session_id: string }>();
    expect(live.results).toHaveLength(1);
    expect(await available('HB-NAVY-M')).toBe(9);
    // Every session made but the live one is expired: the claim that lost the cart's, and the one it then replaced.
    const calls = await recorded();
    const made = calls.filter((c) => c.path === '/v1/checkout/sessions').length;
    expect(made).toBe(3); // each tab's, then the loser's again once it had superseded the winner
    const expired = calls.filter((c) => c.path.endsWith('/expire'));
    expect(expired).toHaveLength(made - 1);
    expect(expired.every((c) => !c.path.includes(live.results[0]!.session_id))).toBe(true);
  }, 20_000);

  it('a claim refused after its session was made (the cap, raced): that session is expired and its stock given back', async () => {
    await env.DB.prepare('UPDATE shops SET max_held_units_per_client = 2 WHERE id = ?').bind(SHOP).run();
    try {
      await fake('late', { ms: 300, times: 2 });
      const ip = { 'x-client-ip': '198.51.100.23' };
      // Both read an address holding nothing, so both hold and reach Stripe; the claims' trigger lets one through.
      const answers = await Promise.all([
        checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 2 }] }, ip),
        checkout({ items: [{ sku: 'HB-PINK-M', quantity: 2 }] }, ip),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 429]);
      const won = await json(answers.find((r) => r.status === 200)!);
      const calls = (await recorded()).map((r) => `${r.method} ${r.path}`);
      const made = calls.filter((c) => c === 'POST /v1/checkout/sessions');
      expect(made).toHaveLength(2);
      const expired = calls.filter((c) => c.endsWith('/expire'));
      expect(expired).toHaveLength(1);
      expect(expired[0]).not.toContain(won.sessionId);
      expect((await available('HB-NAVY-M')) + (await available('HB-PINK-M'))).toBe(18);
    } finally {
      await env.DB.prepare('UPDATE shops SET max_held_units_per_client = 20 WHERE id = ?').bind(SHOP).run();
    }
  }, 20_000);
});

describe('a deactivated shop', () => {
  it("the cron expires its open sessions at Stripe and releases their holds; a payment that lands anyway is recorded", async () => {
    const open = await json(await checkout({ items: [{ sku: 'HB-NAVY-M', quantity: 3 }] }));
    expect(await available('HB-NAVY-M')).toBe(7);
    await env.DB.prepare("UPDATE shops SET status = 'inactive' WHERE id = ?").bind(SHOP).run();
    try {
      await fake('reset', {});
      await runCron();
      const expired = (await recorded()).filter((r) => r.path === `/v1/checkout/sessions/${open.sessionId}/expire`);
      expect(expired).toHaveLength(1);
      expect(expired[0]).toMatchObject({ method: 'POST', authorized: true });
      expect(await env.DB.prepare('SELECT status FROM checkouts WHERE id = ?').bind(open.checkoutId).first('status')).toBe('expired');

      // The buyer had already paid: the webhook still reaches the shop and the order is recorded.
      const paid = stripeEvent(
        'checkout.session.completed',
        checkoutSession({ sessionId: open.sessionId, checkoutId: open.checkoutId, shopId: SHOP, subtotal: open.amounts.subtotal }),
      );
      const res = await deliver(SHOP, paid);
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ outcome: 'applied' });
      expect(await env.DB.prepare('SELECT status FROM orders WHERE session_id = ?').bind(open.sessionId).first('status')).toBe('paid');
    } finally {
      await env.DB.prepare("UPDATE shops SET status = 'active' WHERE id = ?").bind(SHOP).run();
    }
    expect(await available('HB-NAVY-M')).toBe(7);
  });
});
