// After the payment: refunds restock exactly what the order took from stock, refund failures give the refunded
// amount back, disputes show on the order and in metrics, and refund or dispute events that arrive before their
// order is paid are kept and applied when it is. Each in every order of arrival that matters.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { inventoryObjectName } from '../../durable-objects/inventory-do';
import { demoCatalog, json, putCatalog, releaseAllHolds, setStock } from './helpers';
import { deliver } from './stripe-events';
import { eventsFor, metrics, orderOf, startCheckout, stock } from './webhook-helpers';

const NAVY_M = 'HB-NAVY-M';
const PINK_M = 'HB-PINK-M';
const MADE = 'HB-MADE';

async function apply(event: object, outcome = 'applied') {
  const res = await deliver('cochlearfit', event);
  expect(res.status).toBe(200);
  expect(await json(res)).toEqual({ received: true, outcome });
}

beforeEach(async () => {
  await releaseAllHolds();
  const catalog = demoCatalog();
  catalog.products[0]!.variants.push({ sku: MADE, attributes: { colour: 'made', size: 'M' }, unitAmount: 2500, active: true, backorder: true });
  await putCatalog('cochlearfit', catalog);
  await setStock('cochlearfit', NAVY_M, 10);
  await setStock('cochlearfit', PINK_M, 10);
  await setStock('cochlearfit', MADE, 1);
  await env.DB.prepare('UPDATE shops SET restock_on_refund = 1 WHERE id = ?').bind('cochlearfit').run();
});

describe('refunds restock what was committed', () => {
  it('a full refund puts back only the units the order took: not its oversold line, not its backorder line', async () => {
    const checkout = await startCheckout([
      { sku: NAVY_M, quantity: 2 },
      { sku: PINK_M, quantity: 3 },
      { sku: MADE, quantity: 4 },
    ]);
    const events = eventsFor(checkout);
    // The pink hold lapsed (its stock object let it go) and the units were sold elsewhere before the payment landed.
    const pink = env.INVENTORY.get(env.INVENTORY.idFromName(inventoryObjectName('cochlearfit', 'hb|colour=pink;size=m')));
    expect(await pink.release(checkout.checkoutId)).toMatchObject({ ok: true });
    await setStock('cochlearfit', PINK_M, 0);
    await apply(events.completed());
    const order = await orderOf(checkout.sessionId);
    expect(order).toMatchObject({ status: 'paid', attention: 'oversold' });
    expect(order.lines.map((l: { sku: string; committed: number }) => [l.sku, l.committed])).toEqual([
      [MADE, 0],
      [NAVY_M, 2],
      [PINK_M, 0],
    ]);
    expect(await stock(NAVY_M)).toEqual({ onHand: 8, held: 0, available: 8 });

    await apply(events.refunded(checkout.amounts.total));
    expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'refunded', amounts: { refunded: checkout.amounts.total } });
    expect(await stock(NAVY_M)).toEqual({ onHand: 10, held: 0, available: 10 });
    expect(await stock(PINK_M)).toEqual({ onHand: 0, held: 0, available: 0 });
    expect(await stock(MADE)).toMatchObject({ onHand: 1 });
    // A second full refund event (a redelivery under a new id) restocks nothing more.
    await apply(events.refunded(checkout.amounts.total));
    expect(await stock(NAVY_M)).toMatchObject({ onHand: 10 });
  });
});

describe('charges without our metadata', () => {
  it("a refund of our payment whose charge carries no metadata is matched to the order by payment intent", async () => {
    const checkout = await startCheckout([{ sku: NAVY_M, quantity: 1 }]);
    const events = eventsFor(checkout);
    await apply(events.completed());
    const event = events.refunded(700);
    (event.data.object as { metadata: Record<string, string> }).metadata = {};
    await apply(event);
    expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'partially_refunded', amounts: { refunded: 700 } });
  });
});

describe('refund failures', () => {
  const t = Math.floor(Date.now() / 1000);

  it('a failed refund restores the refunded amount, whichever of the two events arrives first', async () => {
    for (const failureFirst of [false, true]) {
      const checkout = await startCheckout([{ sku: NAVY_M, quantity: 1 }]);
      const events = eventsFor(checkout);
      await apply(events.completed());
      const refund = events.refunded(1000, t + 10);
      const failure = events.refundFailed(`re_fail_${failureFirst}`, 1000, t + 20);
      for (const event of failureFirst ? [failure, refund] : [refund, failure]) await apply(event);
      expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'paid', amounts: { refunded: 0 } });
    }
  });

  it('refund, its failure, then a second refund: Stripe shows the second only, in any order of arrival', async () => {
    const orders = [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
    ];
    for (const order of orders) {
      const checkout = await startCheckout([{ sku: NAVY_M, quantity: 1 }]);
      const events = eventsFor(checkout);
      await apply(events.completed());
      const sequence = [events.refunded(1000, t + 10), events.refundFailed(`re_${order.join('')}`, 1000, t + 20, 'refund.updated'), events.refunded(500, t + 30)];
      for (const i of order) await apply(sequence[i]!);
      expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'partially_refunded', amounts: { refunded: 500 } });
    }
    expect((await metrics()).refunds.failed).toBeGreaterThanOrEqual(3);
  });

  it('the same failure reported twice (refund.updated and charge.refund.updated) restores the amount once', async () => {
    const checkout = await startCheckout([{ sku: NAVY_M, quantity: 1 }]);
    const events = eventsFor(checkout);
    await apply(events.completed());
    await apply(events.refunded(1200, t + 10));
    await apply(events.refunded(1500, t + 11));
    await apply(events.refundFailed('re_twice', 300, t + 20, 'refund.updated'));
    await apply(events.refundFailed('re_twice', 300, t + 20, 'charge.refund.updated'));
    expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'partially_refunded', amounts: { refunded: 1200 } });
  });
});

describe('disputes', () => {
  it('created then closed lost: the order shows disputed, then lost; metrics count both', async () => {
    const before = (await metrics()).disputes;
    const checkout = await startCheckout([{ sku: NAVY_M, quantity: 1 }]);
    const events = eventsFor(checkout);
    await apply(events.completed());
    await apply(events.disputeCreated());
    expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'paid', dispute: 'disputed' });
    await apply(events.disputeClosed('lost'));
    expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'paid', dispute: 'lost' });
    expect((await metrics()).disputes).toEqual({ opened: before.opened + 1, won: before.won, lost: before.lost + 1 });
  });

  it('closed (won) delivered before created: the order ends won, counted once as opened and once as won', async () => {
    const before = (await metrics()).disputes;
    const checkout = await startCheckout([{ sku: NAVY_M, quantity: 1 }]);
    const events = eventsFor(checkout);
    await apply(events.completed());
    await apply(events.disputeClosed('won'));
    await apply(events.disputeCreated());
    expect(await orderOf(checkout.sessionId)).toMatchObject({ dispute: 'won' });
    expect((await metrics()).disputes).toEqual({ opened: before.opened + 1, won: before.won + 1, lost: before.lost });
  });
});

describe('events before their order is paid are kept, not lost', () => {
  it('a refund before the completed event: 200 deferred, then applied when the order is recorded', async () => {
    const checkout = await startCheckout([{ sku: NAVY_M, quantity: 2 }]);
    const events = eventsFor(checkout);
    await apply(events.refunded(1000), 'deferred');
    await apply(events.disputeCreated(), 'deferred');
    expect(await orderOf(checkout.sessionId)).toBeUndefined();
    await apply(events.completed());
    expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'partially_refunded', dispute: 'disputed', amounts: { refunded: 1000 } });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM deferred_stripe_events').first('n')).toBe(0);
  });

  it('a full refund while the order awaits its delayed payment: applied (and restocked) once the payment succeeds', async () => {
    const checkout = await startCheckout([{ sku: NAVY_M, quantity: 2 }]);
    const events = eventsFor(checkout);
    await apply(events.completedUnpaid());
    await apply(events.refunded(checkout.amounts.total), 'deferred');
    expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'pending_payment' });
    await apply(events.asyncSucceeded());
    expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'refunded', amounts: { refunded: checkout.amounts.total } });
    expect(await stock(NAVY_M)).toEqual({ onHand: 10, held: 0, available: 10 });
  });
});

describe('shipping address', () => {
  it('is read from either payload shape (API versions before and after 2025-03-31)', async () => {
    for (const shippingShape of ['current', 'legacy'] as const) {
      const checkout = await startCheckout([{ sku: NAVY_M, quantity: 1 }]);
      await apply(eventsFor(checkout).completed({ shippingShape }));
      expect(await orderOf(checkout.sessionId)).toMatchObject({
        shippingAddress: { name: 'Ada Lovelace', address: { city: 'London', postal_code: 'N1 9GU', country: 'GB' } },
      });
    }
  });
});
