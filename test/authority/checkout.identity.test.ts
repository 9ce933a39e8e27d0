// Which checkouts are the same: identity decides, never matching content. A live checkout is reused only for
// the same cart (cookie) or the same Idempotency-Key; strangers with identical carts or bodies never share one.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { repairStockObjects, slowStockObject } from './faults';
import { availableOf, call, countRows, json, postCheckout, putCatalog, releaseAllHolds, reservationStatus, setStock, Shopper } from './helpers';

const NAVY_M = 'HB-NAVY-M';
const PINK_M = 'HB-PINK-M';
const NAVY_KEY = 'hb|colour=navy;size=m';

const cartCheckout = (shopper: Shopper, headers: Record<string, string> = {}) =>
  postCheckout(undefined, { cookie: shopper.cookie!, ...headers });

beforeEach(async () => {
  await releaseAllHolds();
  await putCatalog('cochlearfit');
  await setStock('cochlearfit', NAVY_M, 10);
  await setStock('cochlearfit', PINK_M, 10);
});

describe('checkout identity: strangers', () => {
  it('two carts with the same lines -> two checkouts, two sessions, two units held', async () => {
    const [alice, bob] = [new Shopper(), new Shopper()];
    await alice.view('POST', { sku: PINK_M, quantity: 1 });
    await bob.view('POST', { sku: PINK_M, quantity: 1 });
    const a = await json(await cartCheckout(alice));
    const b = await json(await cartCheckout(bob));
    expect(a.checkoutId).not.toBe(b.checkoutId);
    expect(a.sessionId).not.toBe(b.sessionId);
    expect(await availableOf(PINK_M)).toBe(8);
    expect(await countRows("SELECT COUNT(*) AS n FROM reservations WHERE status = 'active'")).toBe(2);
  });

  it('50 clients posting the same body at once, no key: a checkout each while stock lasts, then 409', async () => {
    await setStock('cochlearfit', NAVY_M, 30);
    const answers = await Promise.all(Array.from({ length: 50 }, () => postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }] })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.filter((s) => s === 409)).toHaveLength(20);
    const opened = await Promise.all(answers.filter((r) => r.status === 200).map(json));
    expect(new Set(opened.map((b) => b.sessionId)).size).toBe(30);
    expect(new Set(opened.map((b) => b.checkoutId)).size).toBe(30);
    expect(await availableOf(NAVY_M)).toBe(0);
    expect(await countRows("SELECT COUNT(*) AS n FROM checkouts WHERE status = 'open'")).toBe(30);
  }, 30_000);

  it('the same body twice with no key and no cart: two checkouts', async () => {
    const body = { items: [{ sku: NAVY_M, quantity: 1 }], email: 'same@example.com' };
    const first = await json(await postCheckout(body));
    const second = await json(await postCheckout(body));
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(await availableOf(NAVY_M)).toBe(8);
  });
});

describe('checkout identity: one buyer', () => {
  it('the same cart twice -> the same checkout; a changed cart supersedes it and gives its stock back', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 2 });
    const first = await json(await cartCheckout(shopper));
    const again = await json(await cartCheckout(shopper));
    expect(again.checkoutId).toBe(first.checkoutId);
    expect(await availableOf(NAVY_M)).toBe(8);

    await shopper.view('POST', { sku: PINK_M, quantity: 1 });
    const second = await json(await cartCheckout(shopper));
    expect(second.checkoutId).not.toBe(first.checkoutId);
    expect(await availableOf(NAVY_M)).toBe(8);
    expect(await availableOf(PINK_M)).toBe(9);
    const statuses = await env.DB.prepare('SELECT id, status FROM checkouts WHERE id IN (?, ?)').bind(first.checkoutId, second.checkoutId).all();
    expect(Object.fromEntries(statuses.results.map((r) => [r.id, r.status]))).toEqual({
      [first.checkoutId]: 'superseded',
      [second.checkoutId]: 'open',
    });
    expect(await reservationStatus(first.checkoutId)).toBe('released');
  });

  it('tabs checking out one cart at once (a double click, another key, another email, none): one live checkout, its stock held once', async () => {
    // Stock for every tab at once: each holds before it claims (and gives back if it loses), so with little stock
    // a buyer's own tabs could refuse each other for a moment (409), which is not what this test is about.
    await setStock('cochlearfit', NAVY_M, 100);
    for (let round = 0; round < 3; round++) {
      const shopper = new Shopper();
      await shopper.view('POST', { sku: NAVY_M, quantity: 2 });
      const cookie = shopper.cookie!;
      const answers = await Promise.all([
        postCheckout(undefined, { cookie, 'idempotency-key': `tab-one-${round}` }),
        postCheckout(undefined, { cookie, 'idempotency-key': `tab-one-${round}` }),
        postCheckout(undefined, { cookie, 'idempotency-key': `tab-two-${round}` }),
        postCheckout({ email: 'tab@example.com' }, { cookie }),
        postCheckout(undefined, { cookie }),
      ]);
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const ids = [...new Set((await Promise.all(answers.map(json))).map((b) => b.checkoutId as string))];
      const marks = ids.map(() => '?').join(', ');
      const statuses = await env.DB.prepare(`SELECT id, status FROM checkouts WHERE id IN (${marks})`).bind(...ids).all<{ id: string; status: string }>();
      const live = statuses.results.filter((r) => r.status === 'open');
      expect(live).toHaveLength(1);
      expect(statuses.results.filter((r) => r.status === 'superseded')).toHaveLength(ids.length - 1);
      // The live one's units are held in the stock object, and only its.
      expect(await availableOf(NAVY_M)).toBe(100 - 2 * (round + 1));
      const held = `SELECT COUNT(*) AS n FROM reservations WHERE status = 'active' AND id IN (${marks})`;
      expect(await countRows(held, ...ids)).toBe(1);
      expect(await env.DB.prepare('SELECT id FROM reservations WHERE status = ? AND id IN (' + marks + ')').bind('active', ...ids).first('id')).toBe(live[0]!.id);
    }
  }, 30_000);

  it('a tab that checks out again finds its live checkout or supersedes it: never two', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 2 });
    const cookie = shopper.cookie!;
    const first = await json(await postCheckout(undefined, { cookie, 'idempotency-key': 'again-one' }));
    const second = await json(await postCheckout(undefined, { cookie, 'idempotency-key': 'again-two' }));
    const again = await json(await postCheckout(undefined, { cookie, 'idempotency-key': 'again-two' }));
    expect(again.checkoutId).toBe(second.checkoutId);
    const liveOfCart = 'SELECT COUNT(*) AS n FROM checkouts WHERE cart_id = (SELECT cart_id FROM checkouts WHERE id = ?) AND status = ?';
    expect(await countRows(liveOfCart, first.checkoutId, 'open')).toBe(1);
    expect(await availableOf(NAVY_M)).toBe(8);
  });

  it('the same Idempotency-Key twice -> one checkout, however the request spells the same lines', async () => {
    const key = { 'idempotency-key': 'attempt-spelled-twice' };
    const first = await json(await postCheckout({ items: [{ sku: NAVY_M, quantity: 2 }], email: 'a@example.com' }, key));
    const second = await json(
      await postCheckout({ items: [{ sku: 'HB', variantAttributes: { size: 'm', colour: 'navy' }, quantity: 2 }], email: ' A@Example.com ' }, key),
    );
    expect(second.checkoutId).toBe(first.checkoutId);
    expect(second.sessionId).toBe(first.sessionId);
    expect(await availableOf(NAVY_M)).toBe(8);
    const other = await json(await postCheckout({ items: [{ sku: NAVY_M, quantity: 2 }] }, { 'idempotency-key': 'another-attempt' }));
    expect(other.sessionId).not.toBe(first.sessionId);
    expect(await availableOf(NAVY_M)).toBe(6);
  });

  it('a live checkout left without a session (by a version that claimed first, decision 0020) is replaced, its stock given back', async () => {
    const key = { 'idempotency-key': 'left-by-an-older-version' };
    const body = { items: [{ sku: NAVY_M, quantity: 2 }] };
    const old = await json(await postCheckout(body, key));
    // What an older version's claim left while its request was still at the provider (or had crashed there).
    await env.DB.prepare('UPDATE checkouts SET session_id = NULL, session_url = NULL WHERE id = ?').bind(old.checkoutId).run();
    const res = await postCheckout(body, key);
    expect(res.status).toBe(200);
    const replaced = await json(res);
    expect(replaced.checkoutId).not.toBe(old.checkoutId);
    expect(replaced.sessionId).toBeTruthy();
    expect(await env.DB.prepare('SELECT status FROM checkouts WHERE id = ?').bind(old.checkoutId).first('status')).toBe('superseded');
    expect(await availableOf(NAVY_M)).toBe(8);
  });

  it('the same key 20 times at once -> one checkout, one reservation, one unit held', async () => {
    const body = { items: [{ sku: PINK_M, quantity: 1 }, { sku: NAVY_M, quantity: 1 }] };
    const answers = await Promise.all(Array.from({ length: 20 }, () => postCheckout(body, { 'idempotency-key': 'double-click-storm' })));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    const sessions = new Set((await Promise.all(answers.map(json))).map((b) => b.sessionId));
    expect(sessions.size).toBe(1);
    expect(await countRows("SELECT COUNT(*) AS n FROM reservations WHERE status = 'active'")).toBe(1);
    expect(await availableOf(PINK_M)).toBe(9);
    expect(await availableOf(NAVY_M)).toBe(9);
  }, 30_000);

  it('twins whose stock reads differ (one short, one not): the short one gives nothing back that the other records', async () => {
    // A holds navy, finds pink short and gives navy back, slowly; meanwhile pink is restocked and B, the same
    // attempt, holds both under the same id and records its checkout.
    const body = { items: [{ sku: NAVY_M, quantity: 2 }, { sku: PINK_M, quantity: 1 }] };
    const attempt = { 'idempotency-key': 'twins-diverge' };
    const started = Date.now();
    await setStock('cochlearfit', PINK_M, 0);
    const givingBack = slowStockObject(NAVY_KEY, 'release', 1_000);
    let answers: Response[];
    try {
      const a = postCheckout(body, attempt);
      await givingBack; // A is giving navy back
      await setStock('cochlearfit', PINK_M, 5);
      answers = await Promise.all([a, postCheckout(body, attempt)]);
    } finally {
      repairStockObjects();
    }
    const b = answers[1]!;
    expect(b.status).toBe(200);
    const recorded = await json(b);
    // The recorded checkout holds every unit it sells, and nothing else is held (B's pink hold under the fenced id
    // went back too).
    expect(await countRows("SELECT COUNT(*) AS n FROM checkouts WHERE idempotency_key = 'client:twins-diverge' AND status = 'open'")).toBe(1);
    expect(await reservationStatus(recorded.checkoutId)).toBe('active');
    expect([await availableOf(NAVY_M), await availableOf(PINK_M)]).toEqual([8, 4]);
    // A fenced the shared id before giving anything back: B could not record it, and held anew.
    expect(answers[0]!.status).toBe(409);
    expect(await countRows("SELECT COUNT(*) AS n FROM reservations WHERE status = 'released' AND id NOT IN (SELECT id FROM checkouts) AND updated_at >= ?", started)).toBe(1);
  }, 20_000);

  it('the same key with a coupon 20 times at once -> one checkout, one coupon use, never a 500', async () => {
    const coupon = await call('/api/admin/coupons', { method: 'POST', admin: 'cochlearfit', json: { code: 'TWINS', percentOff: 10, maxRedemptions: 3 } });
    expect(coupon.status).toBe(201);
    const body = { items: [{ sku: NAVY_M, quantity: 1 }], coupon: 'twins' };
    const answers = await Promise.all(Array.from({ length: 20 }, () => postCheckout(body, { 'idempotency-key': 'coupon-twins' })));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set((await Promise.all(answers.map(json))).map((b) => b.checkoutId)).size).toBe(1);
    expect(await countRows("SELECT COUNT(*) AS n FROM coupon_redemptions WHERE code = 'TWINS' AND status = 'reserved'")).toBe(1);
    expect(await availableOf(NAVY_M)).toBe(9);
  }, 30_000);

  it('a retry of the checkout that holds the last unit still answers its session; a stranger gets 409', async () => {
    await setStock('cochlearfit', PINK_M, 1);
    const body = { items: [{ sku: PINK_M, quantity: 1 }] };
    const first = await postCheckout(body, { 'idempotency-key': 'last-unit' });
    expect(first.status).toBe(200);
    const retry = await postCheckout(body, { 'idempotency-key': 'last-unit' });
    expect(retry.status).toBe(200);
    expect((await json(retry)).sessionId).toBe((await json(first)).sessionId);
    const stranger = await postCheckout(body);
    expect(stranger.status).toBe(409);
    expect(await json(stranger)).toMatchObject({ code: 'insufficient_stock', lines: [{ sku: PINK_M, requested: 1, available: 0, ok: false }] });
  });

  it('the same key with another body -> 422 idempotency_key_reused, nothing held', async () => {
    const key = { 'idempotency-key': 'reused-for-something-else' };
    expect((await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }] }, key)).status).toBe(200);
    const before = { navy: await availableOf(NAVY_M), pink: await availableOf(PINK_M) };
    const checkoutsBefore = await countRows('SELECT COUNT(*) AS n FROM checkouts');
    for (const body of [
      { items: [{ sku: PINK_M, quantity: 1 }] },
      { items: [{ sku: NAVY_M, quantity: 2 }] },
      { items: [{ sku: NAVY_M, quantity: 1 }], email: 'someone@example.com' },
    ]) {
      const res = await postCheckout(body, key);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await json(res)).toMatchObject({ status: 422, code: 'idempotency_key_reused', errors: [{ path: '(header) idempotency-key' }] });
    }
    expect({ navy: await availableOf(NAVY_M), pink: await availableOf(PINK_M) }).toEqual(before);
    expect(await countRows('SELECT COUNT(*) AS n FROM checkouts')).toBe(checkoutsBefore);
  });

  it('a key names one attempt: reused on the cart after the cart changed -> 422, the open checkout untouched', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 1 });
    const key = { 'idempotency-key': 'cart-attempt-1' };
    const first = await json(await cartCheckout(shopper, key));
    await shopper.view('POST', { sku: NAVY_M, quantity: 1 });
    const reused = await cartCheckout(shopper, key);
    expect(reused.status).toBe(422);
    expect(await env.DB.prepare('SELECT status FROM checkouts WHERE id = ?').bind(first.checkoutId).first('status')).toBe('open');
    const fresh = await json(await cartCheckout(shopper, { 'idempotency-key': 'cart-attempt-2' }));
    expect(fresh.amounts.subtotal).toBe(2 * 1800);
    expect(await availableOf(NAVY_M)).toBe(8);
  });

  it('bad Idempotency-Key headers -> 400 problem+json, nothing held', async () => {
    for (const bad of ['has spaces in it', 'x'.repeat(201), 'tab\tinside', '']) {
      const res = await call('/api/checkout-session', {
        method: 'POST',
        json: { items: [{ sku: NAVY_M, quantity: 1 }] },
        headers: { 'idempotency-key': bad },
      });
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ code: 'invalid_idempotency_key' });
    }
    expect(await availableOf(NAVY_M)).toBe(10);
  });
});

describe('migration 0016: one live checkout per cart', () => {
  it('ends the older of two live checkouts a cart was left with by the race, gives its coupon use back, then holds the rule', async () => {
    const created = await call('/api/admin/coupons', { method: 'POST', admin: 'cochlearfit', json: { code: 'TABS', percentOff: 10, maxRedemptions: 5 } });
    expect(created.status).toBe(201);
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 1 });
    const cookie = shopper.cookie!;
    await env.DB.exec('DROP INDEX checkouts_live_cart');
    // The state the race could leave: both checkouts of the cart live, each with a coupon use reserved.
    const older = await json(await postCheckout({ coupon: 'TABS' }, { cookie, 'idempotency-key': 'race-a' }));
    const newer = await json(await postCheckout({ coupon: 'TABS' }, { cookie, 'idempotency-key': 'race-b' }));
    await env.DB.batch([
      env.DB.prepare("UPDATE checkouts SET status = 'open' WHERE id = ?").bind(older.checkoutId),
      env.DB.prepare("UPDATE coupon_redemptions SET status = 'reserved' WHERE checkout_id = ?").bind(older.checkoutId),
    ]);

    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith('0016_'))!;
    await env.DB.batch(migration.queries.map((query) => env.DB.prepare(query)));

    const statusOf = (id: string) => env.DB.prepare('SELECT status FROM checkouts WHERE id = ?').bind(id).first('status');
    const useOf = (id: string) => env.DB.prepare('SELECT status FROM coupon_redemptions WHERE checkout_id = ?').bind(id).first('status');
    expect([await statusOf(older.checkoutId), await statusOf(newer.checkoutId)]).toEqual(['superseded', 'open']);
    expect([await useOf(older.checkoutId), await useOf(newer.checkoutId)]).toEqual(['released', 'reserved']);
    await expect(env.DB.prepare("UPDATE checkouts SET status = 'open' WHERE id = ?").bind(older.checkoutId).run()).rejects.toThrow(/UNIQUE/);
  });
});
