// The webhook's gates: signature over the raw body with the shop's own secret, freshness, and tenant.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, json, putCatalog, releaseAllHolds, setStock } from './helpers';
import { checkoutSession, deliver, signature, stripeEvent, WEBHOOK_SECRETS } from './stripe-events';

let checkout: { sessionId: string; checkoutId: string; amounts: { subtotal: number } };

async function state() {
  const orders = await env.DB.prepare('SELECT COUNT(*) AS n FROM orders').first('n');
  const events = await env.DB.prepare('SELECT COUNT(*) AS n FROM stripe_events').first('n');
  const { items } = await json(await call('/api/admin/inventory', { admin: 'cochlearfit' }));
  return { orders, events, items };
}

const completedFor = (shopId: string) =>
  stripeEvent('checkout.session.completed', checkoutSession({ sessionId: checkout.sessionId, checkoutId: checkout.checkoutId, shopId, subtotal: checkout.amounts.subtotal }));

describe('webhook gates', () => {
  beforeAll(async () => {
    await releaseAllHolds();
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-M', 10);
    checkout = await json(await call('/api/checkout-session', { method: 'POST', json: { items: [{ sku: 'HB-NAVY-M', quantity: 1 }] } }));
  });

  const refusals: [string, () => Promise<Response>, string][] = [
    ['no signature header', () => deliver('cochlearfit', completedFor('cochlearfit'), { header: null }), 'invalid_signature'],
    ['a signature made with another secret', () => deliver('cochlearfit', completedFor('cochlearfit'), { secret: 'whsec_not_ours' }), 'invalid_signature'],
    ["a signature made with another shop's secret", () => deliver('cochlearfit', completedFor('cochlearfit'), { secret: WEBHOOK_SECRETS.stripeshop }), 'invalid_signature'],
    ['a garbled signature header', () => deliver('cochlearfit', completedFor('cochlearfit'), { header: 't=abc,v1=zzz' }), 'invalid_signature'],
    ['a timestamp older than the tolerance', () => deliver('cochlearfit', completedFor('cochlearfit'), { timestamp: Math.floor(Date.now() / 1000) - 301 }), 'invalid_signature'],
    ['an event for shop X at shop Y', () => deliver('cochlearfit', completedFor('othershop')), 'wrong_shop'],
    [
      'an event without metadata.shop_id',
      () => {
        const event = completedFor('cochlearfit');
        (event.data.object as { metadata: Record<string, string> }).metadata = {};
        return deliver('cochlearfit', event);
      },
      'missing_shop',
    ],
  ];

  for (const [name, send, code] of refusals) {
    it(`${name} -> 400 and nothing changes`, async () => {
      const before = await state();
      const res = await send();
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await json(res)).toMatchObject({ code });
      expect(await state()).toEqual(before);
    });
  }

  it('a payload changed after signing -> 400', async () => {
    const event = completedFor('cochlearfit');
    const header = await signature(JSON.stringify(event), WEBHOOK_SECRETS.cochlearfit!);
    (event.data.object as { amount_total: number }).amount_total = 1;
    const res = await deliver('cochlearfit', event, { header });
    expect(res.status).toBe(400);
  });

  it('the genuine event, signed and fresh, is applied', async () => {
    const res = await deliver('cochlearfit', completedFor('cochlearfit'));
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ outcome: 'applied' });
  });

  it('the return page never answers for another shop or a malformed id', async () => {
    expect((await call(`/api/checkout/session/${checkout.sessionId}`, { shop: 'othershop' })).status).toBe(404);
    expect((await call('/api/checkout/session/not-a-session')).status).toBe(400);
    expect((await call('/api/checkout/session/cs_unknown123')).status).toBe(404);
  });
});
