// The webhook's gates: signature over the raw body with the shop's own secret, freshness, and tenant. Only a bad
// signature is refused (400); a validly signed event that is not ours is acknowledged as ignored, so Stripe
// neither retries it for days nor disables the endpoint, and it changes nothing but the ignored counter.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, json, putCatalog, releaseAllHolds, setStock } from './helpers';
import { checkoutSession, deliver, signature, stripeCharge, stripeEvent, stripeRefund, WEBHOOK_SECRETS } from './stripe-events';

let checkout: { sessionId: string; checkoutId: string; amounts: { subtotal: number } };

async function state() {
  const orders = await env.DB.prepare('SELECT COUNT(*) AS n FROM orders').first('n');
  const events = await env.DB.prepare('SELECT COUNT(*) AS n FROM stripe_events').first('n');
  const { items } = await json(await call('/api/admin/inventory', { admin: 'cochlearfit' }));
  return { orders, events, items };
}

const ignoredCount = async () =>
  (await json(await call('/api/admin/metrics', { admin: 'cochlearfit' }))).webhooks.ignored as number;

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

  const charge = (metadata: Record<string, string>) =>
    stripeEvent('charge.refunded', stripeCharge({ paymentIntent: 'pi_dashboard_1', amount: 5000, amountRefunded: 5000, metadata }));
  const foreign: [string, () => object][] = [
    ['an event for shop X at shop Y', () => completedFor('othershop')],
    [
      'a session without metadata.shop_id (a Payment Link on the same account)',
      () => {
        const event = completedFor('cochlearfit');
        (event.data.object as { metadata: Record<string, string> }).metadata = {};
        return event;
      },
    ],
    ['a session we never created, with our shop id', () => stripeEvent('checkout.session.completed', checkoutSession({ sessionId: 'cs_test_notours1', checkoutId: 'chk_01NOTOURS000000000000000000', shopId: 'cochlearfit', subtotal: 1800 }))],
    ['a Dashboard charge refunded (no metadata)', () => charge({})],
    ["a charge naming another shop", () => charge({ shop_id: 'othershop' })],
    ['a charge of ours naming a checkout we never created', () => charge({ shop_id: 'cochlearfit', checkout_id: 'chk_01NEVER0000000000000000000' })],
    ['an event type we do not handle', () => stripeEvent('invoice.paid', { id: 'in_1', object: 'invoice', metadata: { shop_id: 'cochlearfit' } })],
    ['a refund update that is not a failure', () => stripeEvent('refund.updated', stripeRefund({ paymentIntent: 'pi_x', amount: 100, status: 'succeeded' }))],
  ];

  for (const [name, event] of foreign) {
    it(`${name} -> 200 ignored, logged and counted, nothing applied`, async () => {
      const ignoredBefore = await ignoredCount();
      const before = await state();
      const res = await deliver('cochlearfit', event());
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual({ received: true, outcome: 'ignored' });
      expect(await state()).toEqual(before);
      expect(await ignoredCount()).toBe(ignoredBefore + 1);
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

  it("a deactivated shop's webhook still records what was paid", async () => {
    const paying = await json(await call('/api/checkout-session', { method: 'POST', json: { items: [{ sku: 'HB-NAVY-M', quantity: 2 }] } }));
    await env.DB.prepare("UPDATE shops SET status = 'inactive' WHERE id = 'cochlearfit'").run();
    try {
      expect((await call('/api/products')).status).toBe(404);
      const event = stripeEvent('checkout.session.completed', checkoutSession({ sessionId: paying.sessionId, checkoutId: paying.checkoutId, shopId: 'cochlearfit', subtotal: paying.amounts.subtotal }));
      const res = await deliver('cochlearfit', event);
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ outcome: 'applied' });
      expect(await env.DB.prepare('SELECT status FROM orders WHERE session_id = ?').bind(paying.sessionId).first('status')).toBe('paid');
    } finally {
      await env.DB.prepare("UPDATE shops SET status = 'active' WHERE id = 'cochlearfit'").run();
    }
  });

  it('the return page never answers for another shop or a malformed id', async () => {
    expect((await call(`/api/checkout/session/${checkout.sessionId}`, { shop: 'othershop' })).status).toBe(404);
    expect((await call('/api/checkout/session/not-a-session')).status).toBe(400);
    expect((await call('/api/checkout/session/cs_unknown123')).status).toBe(404);
  });
});
