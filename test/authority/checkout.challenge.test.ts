// Cloudflare Turnstile on the checkouts a shop marks as worth protecting, verified against a fake siteverify
// that checks the form it receives (test/support/fake-turnstile.ts). Nothing is held until the token passes.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TURNSTILE_TEST_SECRET, TURNSTILE_TEST_SITE_KEY, TURNSTILE_WIDGET_SECRET, type SiteverifyRequest } from '../support/fake-turnstile';
import { availableOf, call, countRows, demoCatalog, json, postCheckout, putCatalog, releaseAllHolds, setStock } from './helpers';

const NAVY_M = 'HB-NAVY-M'; // 1800
const FLAGGED = 'HB-SIGNED';
const SECRET_BINDING = 'TURNSTILE_SECRET_KEY_COCHLEARFIT';
const secrets = env as unknown as Record<string, string | undefined>;

const control = (path: string, body?: unknown) =>
  fetch(new URL(`/__control/${path}`, env.TURNSTILE_VERIFY_URL), { method: body ? 'POST' : 'GET', body: body ? JSON.stringify(body) : undefined });
const received = async (): Promise<SiteverifyRequest[]> => (await control('requests')).json();

/** Three headbands (5400) reach the 5000 threshold; two (3600) do not. */
const bigOrder = (extra: object = {}) => ({ items: [{ sku: NAVY_M, quantity: 3 }], ...extra });
const smallOrder = { items: [{ sku: NAVY_M, quantity: 2 }] };
const client = { 'x-client-ip': '203.0.113.9' };

async function configureShop(shop: string, minTotal: number | null) {
  await env.DB.prepare(
    'UPDATE shops SET turnstile_site_key = ?, turnstile_secret_binding = ?, challenge_min_total = ? WHERE id = ?',
  )
    .bind(TURNSTILE_TEST_SITE_KEY, `TURNSTILE_SECRET_KEY_${shop.toUpperCase()}`, minTotal, shop)
    .run();
}

beforeEach(async () => {
  await releaseAllHolds();
  const catalog = demoCatalog();
  catalog.products[0]!.variants.push({ sku: FLAGGED, attributes: { colour: 'signed', size: 'M' }, unitAmount: 900, requiresChallenge: true });
  await putCatalog('cochlearfit', catalog);
  await setStock('cochlearfit', NAVY_M, 10);
  await setStock('cochlearfit', FLAGGED, 10);
  await configureShop('cochlearfit', 5000);
  secrets[SECRET_BINDING] = TURNSTILE_TEST_SECRET;
  await control('reset', {});
});

afterEach(() => {
  delete secrets[SECRET_BINDING];
  env.ENVIRONMENT = 'development';
});

describe('the storefront learns when to show the widget', () => {
  it('GET /api/products carries the public site key and the threshold; flagged variants say so', async () => {
    const body = await json(await call('/api/products'));
    expect(body.challenge).toEqual({ provider: 'turnstile', siteKey: TURNSTILE_TEST_SITE_KEY, minTotal: 5000 });
    const flagged = body.products[0].variants.find((v: { sku: string }) => v.sku === FLAGGED);
    expect(flagged.requiresChallenge).toBe(true);
    expect(JSON.stringify(body)).not.toContain(TURNSTILE_TEST_SECRET);
  });

  it('no challenge is advertised where none will be asked (no secret outside production)', async () => {
    delete secrets[SECRET_BINDING];
    expect((await json(await call('/api/products'))).challenge).toBeNull();
  });
});

describe('a checkout that needs the challenge', () => {
  it('below the threshold and unflagged: no token needed, siteverify not called', async () => {
    expect((await postCheckout(smallOrder, client)).status).toBe(200);
    expect(await received()).toEqual([]);
  });

  it('no token -> 403 challenge_required with the widget config; nothing held', async () => {
    const res = await postCheckout(bigOrder(), client);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await json(res)).toMatchObject({
      status: 403,
      title: 'Forbidden',
      code: 'challenge_required',
      challenge: { provider: 'turnstile', siteKey: TURNSTILE_TEST_SITE_KEY, minTotal: 5000 },
    });
    expect(await availableOf(NAVY_M)).toBe(10);
    expect(await received()).toEqual([]);
  });

  it('a flagged variant needs it whatever the total', async () => {
    const res = await postCheckout({ items: [{ sku: FLAGGED, quantity: 1 }] }, client);
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({ code: 'challenge_required' });
    expect((await postCheckout({ items: [{ sku: FLAGGED, quantity: 1 }], challengeToken: 'pass-flagged' }, client)).status).toBe(200);
    expect(await availableOf(FLAGGED)).toBe(9);
  });

  it('siteverify says no -> 403 challenge_failed; yes -> 200; the form carried the secret, the token and the client IP', async () => {
    const failed = await postCheckout(bigOrder({ challengeToken: 'bot-token' }), client);
    expect(failed.status).toBe(403);
    expect(await json(failed)).toMatchObject({ code: 'challenge_failed', errorCodes: ['invalid-input-response'] });
    expect(await availableOf(NAVY_M)).toBe(10);

    const passed = await postCheckout(bigOrder({ challengeToken: 'pass-one' }), client);
    expect(passed.status).toBe(200);
    expect(await availableOf(NAVY_M)).toBe(7);
    const requests = await received();
    expect(requests).toHaveLength(2);
    expect(requests[1]).toEqual({
      contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
      form: { secret: TURNSTILE_TEST_SECRET, response: 'pass-one', remoteip: '203.0.113.9' },
    });
  });

  it('a token is single use: spent on one checkout, refused on the next; nothing held', async () => {
    expect((await postCheckout(bigOrder({ challengeToken: 'pass-twice' }), client)).status).toBe(200);
    const again = await postCheckout(bigOrder({ challengeToken: 'pass-twice' }), client);
    expect(again.status).toBe(403);
    expect(await json(again)).toMatchObject({ code: 'challenge_failed', errorCodes: ['timeout-or-duplicate'] });
    expect(await availableOf(NAVY_M)).toBe(7);
  });

  it('a retried attempt (same Idempotency-Key) gets its checkout back without spending another token', async () => {
    const attempt = { ...client, 'idempotency-key': 'challenge-attempt-1' };
    const first = await json(await postCheckout(bigOrder({ challengeToken: 'pass-retry' }), attempt));
    const retry = await postCheckout(bigOrder({ challengeToken: 'pass-retry' }), attempt);
    expect(retry.status).toBe(200);
    expect((await json(retry)).checkoutId).toBe(first.checkoutId);
    expect(await received()).toHaveLength(1);
  });

  it('the same attempt twice at once: one token pays for one checkout, and the stock is held once', async () => {
    const attempt = { ...client, 'idempotency-key': 'challenge-twins' };
    const order = bigOrder({ challengeToken: 'pass-twins' });
    const answers = await Promise.all([postCheckout(order, attempt), postCheckout(order, attempt)]);
    const statuses = answers.map((r) => r.status).sort();
    // The second to verify finds the token spent (403) unless it finds the first's checkout first (200).
    expect([[200, 200], [200, 403]]).toContainEqual(statuses);
    const held = order.items.reduce((units: number, l: { quantity: number }) => units + l.quantity, 0);
    expect(await availableOf(NAVY_M)).toBe(10 - held);
    expect(await countRows("SELECT COUNT(*) AS n FROM checkouts WHERE status IN ('pending', 'open')")).toBe(1);
  });

  it('siteverify failing or unreachable -> 503 challenge_unavailable; nothing held', async () => {
    await control('mode', { mode: 'down' });
    const down = await postCheckout(bigOrder({ challengeToken: 'pass-down' }), client);
    expect(down.status).toBe(503);
    expect(await json(down)).toMatchObject({ code: 'challenge_unavailable' });
    expect(down.headers.get('retry-after')).toBe('5');

    const url = env.TURNSTILE_VERIFY_URL;
    env.TURNSTILE_VERIFY_URL = 'http://127.0.0.1:9/turnstile/v0/siteverify'; // nothing listens there
    try {
      expect((await postCheckout(bigOrder({ challengeToken: 'pass-unreachable' }), client)).status).toBe(503);
    } finally {
      env.TURNSTILE_VERIFY_URL = url;
    }
    expect(await availableOf(NAVY_M)).toBe(10);
    expect(await countRows("SELECT COUNT(*) AS n FROM checkouts WHERE status IN ('pending', 'open')")).toBe(0);
  });
});

describe('the host a token was solved on (a site key may serve several sites)', () => {
  beforeEach(() => {
    secrets[SECRET_BINDING] = TURNSTILE_WIDGET_SECRET;
  });

  it("solved on one of the shop's hostnames (any case) -> 200", async () => {
    const res = await postCheckout(bigOrder({ challengeToken: 'pass-home@CochlearFit.test' }), client);
    expect(res.status).toBe(200);
    expect(await availableOf(NAVY_M)).toBe(7);
  });

  it("solved on a hostname given with a port, or on an allowed storefront origin -> 200", async () => {
    await env.DB.prepare(`UPDATE shops SET hostnames = ?, allowed_origins = ? WHERE id = 'cochlearfit'`)
      .bind(JSON.stringify(['cochlearfit.test', 'localhost:8787']), JSON.stringify(['https://www.merchant.example']))
      .run();
    try {
      expect((await postCheckout(bigOrder({ challengeToken: 'pass-port@localhost' }), client)).status).toBe(200);
      expect((await postCheckout(bigOrder({ challengeToken: 'pass-origin@www.merchant.example' }), client)).status).toBe(200);
    } finally {
      await env.DB.prepare(`UPDATE shops SET hostnames = ?, allowed_origins = '[]' WHERE id = 'cochlearfit'`).bind(JSON.stringify(['cochlearfit.test'])).run();
    }
  });

  it('solved on another site -> 403 challenge_failed (hostname-mismatch); nothing held, and the token is spent', async () => {
    for (const challengeToken of ['pass-away@othershop.test', 'pass-nohost']) {
      const res = await postCheckout(bigOrder({ challengeToken }), client);
      expect(res.status).toBe(403);
      expect(await json(res)).toMatchObject({ code: 'challenge_failed', errorCodes: ['hostname-mismatch'] });
    }
    expect(await availableOf(NAVY_M)).toBe(10);
    expect(await countRows("SELECT COUNT(*) AS n FROM checkouts WHERE status IN ('pending', 'open')")).toBe(0);
    expect(await received()).toHaveLength(2);
  });

  it("Cloudflare's dummy secret, which passes any token, is no secret in production: 503, nothing held", async () => {
    await configureShop('stripeshop', 1);
    await putCatalog('stripeshop');
    await setStock('stripeshop', NAVY_M, 5);
    secrets.TURNSTILE_SECRET_KEY_STRIPESHOP = TURNSTILE_TEST_SECRET;
    env.ENVIRONMENT = 'production';
    try {
      const res = await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }], challengeToken: 'pass-dummy' }, client, 'stripeshop');
      expect(res.status).toBe(503);
      expect(await json(res)).toMatchObject({ code: 'challenge_unavailable' });
    } finally {
      env.ENVIRONMENT = 'development';
      delete secrets.TURNSTILE_SECRET_KEY_STRIPESHOP;
      await configureShop('stripeshop', null);
    }
    expect(await availableOf(NAVY_M, 'stripeshop')).toBe(5);
    expect(await received()).toEqual([]);
  });
});

describe('without a Turnstile secret', () => {
  it('outside production the check is skipped (and logged)', async () => {
    delete secrets[SECRET_BINDING];
    expect((await postCheckout(bigOrder(), client)).status).toBe(200);
    expect(await received()).toEqual([]);
  });

  it('in production a shop that requires it takes no such checkout: 503, nothing held', async () => {
    await configureShop('stripeshop', 1);
    await putCatalog('stripeshop');
    await setStock('stripeshop', NAVY_M, 5);
    env.ENVIRONMENT = 'production';
    const res = await postCheckout({ items: [{ sku: NAVY_M, quantity: 1 }], challengeToken: 'pass-prod' }, client, 'stripeshop');
    expect(res.status).toBe(503);
    expect(await json(res)).toMatchObject({ code: 'challenge_unavailable' });
    env.ENVIRONMENT = 'development';
    expect(await availableOf(NAVY_M, 'stripeshop')).toBe(5);
    await configureShop('stripeshop', null);
  });
});

describe('bad challenge tokens', () => {
  it('empty, huge or not a string -> 400 naming the field; nothing held', async () => {
    for (const challengeToken of ['', 'x'.repeat(2049), 42, null, ['pass']]) {
      const res = await postCheckout(bigOrder({ challengeToken }), client);
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ code: 'validation_failed', errors: [{ path: 'challengeToken' }] });
    }
    expect(await availableOf(NAVY_M)).toBe(10);
    expect(await received()).toEqual([]);
  });
});
