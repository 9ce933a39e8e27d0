// Webhooks turning holds into orders: each event type, redeliveries, concurrency and out-of-order arrival,
// checked by the stock counts, order rows and the return page a shopper sees.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { call, json, putCatalog, releaseAllHolds, setStock, Shopper } from './helpers';
import { checkoutSession, deliver, stripeEvent } from './stripe-events';

const NAVY_M = 'HB-NAVY-M';
const PINK_M = 'HB-PINK-M';

async function stock(sku: string) {
  const { items } = await json(await call('/api/admin/inventory', { admin: 'cochlearfit' }));
  const { onHand, held, available } = items.find((i: { sku: string }) => i.sku === sku);
  return { onHand, held, available };
}

async function startCheckout(items = [{ sku: NAVY_M, quantity: 2 }], extra: Record<string, unknown> = {}) {
  const res = await call('/api/checkout-session', { method: 'POST', json: { items, email: `${crypto.randomUUID()}@example.com`, ...extra } });
  expect(res.status).toBe(200);
  return json(res);
}

function facts(checkout: { sessionId: string; checkoutId: string; amounts: { subtotal: number; discount: number } }, extra: object = {}) {
  return { sessionId: checkout.sessionId, checkoutId: checkout.checkoutId, shopId: 'cochlearfit', subtotal: checkout.amounts.subtotal, discount: checkout.amounts.discount, ...extra };
}

const completed = (checkout: Parameters<typeof facts>[0], extra: object = {}) => stripeEvent('checkout.session.completed', checkoutSession(facts(checkout, extra)));

async function orders(status?: string) {
  const query = status ? `?status=${status}` : '';
  return (await json(await call(`/api/admin/orders${query}`, { admin: 'cochlearfit' }))).orders;
}

async function returnPage(sessionId: string) {
  return json(await call(`/api/checkout/session/${sessionId}`));
}

beforeEach(async () => {
  await releaseAllHolds();
  await putCatalog('cochlearfit');
  await setStock('cochlearfit', NAVY_M, 10);
  await setStock('cochlearfit', PINK_M, 10);
  await env.DB.prepare('UPDATE shops SET restock_on_refund = 0, order_prefix = ? WHERE id = ?').bind('CF', 'cochlearfit').run();
});

describe('checkout.session.completed (paid)', () => {
  it('a real-shaped event becomes one paid order; the stock is committed and the cart emptied', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 2 });
    await shopper.view('POST', { sku: PINK_M, quantity: 1 });
    const checkout = await json(await call('/api/checkout-session', { method: 'POST', headers: { cookie: shopper.cookie! } }));
    expect(await returnPage(checkout.sessionId)).toEqual({ status: 'open', paymentStatus: 'unpaid' });

    const res = await deliver('cochlearfit', completed(checkout));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ received: true, outcome: 'applied' });

    expect(await stock(NAVY_M)).toEqual({ onHand: 8, held: 0, available: 8 });
    expect(await stock(PINK_M)).toEqual({ onHand: 9, held: 0, available: 9 });
    expect((await shopper.view()).lines).toEqual([]);

    const [order] = await orders();
    expect(order).toMatchObject({
      number: expect.stringMatching(/^CF-\d{4}$/),
      status: 'paid',
      attention: null,
      email: 'ada@example.com',
      shippingAddress: { name: 'Ada Lovelace', address: { city: 'London', postal_code: 'N1 9GU' } },
      amounts: { subtotal: 5500, discount: 0, shipping: 0, tax: 0, total: 5500, refunded: 0 },
      lines: [
        { sku: NAVY_M, name: 'Headband', attributes: { colour: 'navy', size: 'M' }, quantity: 2, unitAmount: 1800, lineAmount: 3600 },
        { sku: PINK_M, name: 'Headband', attributes: { colour: 'pink', size: 'M' }, quantity: 1, unitAmount: 1900, lineAmount: 1900 },
      ],
      history: [{ status: 'paid', note: expect.stringContaining('checkout.session.completed') }],
    });

    const page = await returnPage(checkout.sessionId);
    expect(page).toEqual({
      status: 'complete',
      paymentStatus: 'paid',
      order: { number: order.number, status: 'paid', fulfilment: null, total: 5500, currency: 'gbp', lines: expect.any(Array) },
    });
    expect(JSON.stringify(page)).not.toContain('ada@example.com');
  });

  it('order numbers count up per shop from 1001', async () => {
    const first = await startCheckout([{ sku: NAVY_M, quantity: 1 }]);
    const second = await startCheckout([{ sku: PINK_M, quantity: 1 }]);
    await deliver('cochlearfit', completed(first));
    await deliver('cochlearfit', completed(second));
    const numbers = (await orders()).map((o: { number: string }) => Number(o.number.slice(3)));
    expect(numbers[0]).toBe(numbers[1] + 1);
    expect(Math.min(...numbers)).toBeGreaterThanOrEqual(1001);
  });

  it('50 concurrent deliveries of the same event make one order and commit the stock once', async () => {
    const checkout = await startCheckout([{ sku: NAVY_M, quantity: 3 }]);
    const event = completed(checkout);
    const answers = await Promise.all(Array.from({ length: 50 }, () => deliver('cochlearfit', event)));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const outcomes = await Promise.all(answers.map(async (r) => (await json(r)).outcome));
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(49);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM orders WHERE session_id = ?').bind(checkout.sessionId).first('n')).toBe(1);
    expect(await stock(NAVY_M)).toEqual({ onHand: 7, held: 0, available: 7 });
  }, 20_000);

  it('completed twice (two events, one session) is one order', async () => {
    const checkout = await startCheckout();
    await deliver('cochlearfit', completed(checkout));
    const again = await deliver('cochlearfit', completed(checkout));
    expect(again.status).toBe(200);
    expect((await orders()).filter((o: { sessionId: string }) => o.sessionId === checkout.sessionId)).toHaveLength(1);
    expect(await stock(NAVY_M)).toEqual({ onHand: 8, held: 0, available: 8 });
  });

  it('an amount that differs from the checkout is paid but flagged for attention', async () => {
    const checkout = await startCheckout();
    await deliver('cochlearfit', completed(checkout, { subtotal: 100 }));
    expect((await orders())[0]).toMatchObject({ status: 'paid', attention: 'amount_mismatch' });
  });

  it('a coupon is counted once, when the order is paid', async () => {
    await call('/api/admin/coupons', { method: 'POST', admin: 'cochlearfit', json: { code: 'PAIDONCE', percentOff: 10 } });
    const checkout = await startCheckout([{ sku: NAVY_M, quantity: 1 }], { coupon: 'paidonce' });
    const redemptions = async () => (await json(await call('/api/admin/coupons', { admin: 'cochlearfit' }))).coupons.find((c: { code: string }) => c.code === 'PAIDONCE').redemptions;
    expect(await redemptions()).toBe(0);
    const event = completed(checkout);
    await Promise.all([deliver('cochlearfit', event), deliver('cochlearfit', event), deliver('cochlearfit', completed(checkout))]);
    expect(await redemptions()).toBe(1);
  });
});

describe('out of order: expired and completed', () => {
  it('expired then completed: the payment still becomes an order, its stock taken again', async () => {
    const checkout = await startCheckout();
    await deliver('cochlearfit', stripeEvent('checkout.session.expired', { ...checkoutSession(facts(checkout)), status: 'expired', payment_status: 'unpaid' }));
    expect(await stock(NAVY_M)).toEqual({ onHand: 10, held: 0, available: 10 });
    expect(await returnPage(checkout.sessionId)).toEqual({ status: 'expired', paymentStatus: 'unpaid' });

    await deliver('cochlearfit', completed(checkout));
    expect(await stock(NAVY_M)).toEqual({ onHand: 8, held: 0, available: 8 });
    expect((await orders())[0]).toMatchObject({ status: 'paid', attention: null });
  });

  it('expired then completed with the stock sold meanwhile: the paid order is kept and flagged oversold', async () => {
    const checkout = await startCheckout([{ sku: NAVY_M, quantity: 2 }]);
    await deliver('cochlearfit', stripeEvent('checkout.session.expired', { ...checkoutSession(facts(checkout)), status: 'expired' }));
    await setStock('cochlearfit', NAVY_M, 1);
    await deliver('cochlearfit', completed(checkout));
    expect((await orders())[0]).toMatchObject({ status: 'paid', attention: 'oversold' });
    expect(await stock(NAVY_M)).toEqual({ onHand: 1, held: 0, available: 1 });
  });

  it('completed then expired: the expiry changes nothing', async () => {
    const checkout = await startCheckout();
    await deliver('cochlearfit', completed(checkout));
    const late = await deliver('cochlearfit', stripeEvent('checkout.session.expired', { ...checkoutSession(facts(checkout)), status: 'expired' }));
    expect(late.status).toBe(200);
    expect(await stock(NAVY_M)).toEqual({ onHand: 8, held: 0, available: 8 });
    expect((await orders())[0]).toMatchObject({ status: 'paid' });
    expect(await returnPage(checkout.sessionId)).toMatchObject({ status: 'complete', paymentStatus: 'paid' });
  });
});

describe('delayed payment methods', () => {
  it('completed unpaid waits with its holds kept; async success commits them', async () => {
    const checkout = await startCheckout();
    await deliver('cochlearfit', completed(checkout, { paymentStatus: 'unpaid' }));
    expect((await orders())[0]).toMatchObject({ status: 'pending_payment' });
    expect(await stock(NAVY_M)).toEqual({ onHand: 10, held: 2, available: 8 });
    const holdExpiry = await env.DB.prepare('SELECT expires_at AS e FROM reservations WHERE id = ?').bind(checkout.checkoutId).first<number>('e');
    expect(holdExpiry!).toBeGreaterThan(Date.now() + 6 * 24 * 60 * 60 * 1000);
    expect(await returnPage(checkout.sessionId)).toMatchObject({ status: 'complete', paymentStatus: 'unpaid', order: { status: 'pending_payment' } });

    await deliver('cochlearfit', stripeEvent('checkout.session.async_payment_succeeded', checkoutSession(facts(checkout))));
    expect((await orders())[0]).toMatchObject({ status: 'paid', history: [{ status: 'pending_payment' }, { status: 'paid' }] });
    expect(await stock(NAVY_M)).toEqual({ onHand: 8, held: 0, available: 8 });
  });

  it('completed unpaid then async failure releases the holds', async () => {
    const checkout = await startCheckout();
    await deliver('cochlearfit', completed(checkout, { paymentStatus: 'unpaid' }));
    await deliver('cochlearfit', stripeEvent('checkout.session.async_payment_failed', checkoutSession(facts(checkout, { paymentStatus: 'unpaid' }))));
    expect((await orders())[0]).toMatchObject({ status: 'payment_failed' });
    expect(await stock(NAVY_M)).toEqual({ onHand: 10, held: 0, available: 10 });
    expect(await returnPage(checkout.sessionId)).toMatchObject({ paymentStatus: 'failed' });
    // A late success cannot resurrect a failed payment's order.
    await deliver('cochlearfit', stripeEvent('checkout.session.async_payment_succeeded', checkoutSession(facts(checkout))));
    expect((await orders())[0]).toMatchObject({ status: 'payment_failed' });
    expect(await stock(NAVY_M)).toEqual({ onHand: 10, held: 0, available: 10 });
  });

  it('async success arriving before completed still makes one paid order', async () => {
    const checkout = await startCheckout();
    await deliver('cochlearfit', stripeEvent('checkout.session.async_payment_succeeded', checkoutSession(facts(checkout))));
    await deliver('cochlearfit', completed(checkout, { paymentStatus: 'unpaid' }));
    const mine = (await orders()).filter((o: { sessionId: string }) => o.sessionId === checkout.sessionId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 'paid' });
    expect(await stock(NAVY_M)).toEqual({ onHand: 8, held: 0, available: 8 });
  });
});

describe('charge.refunded', () => {
  function refund(checkout: { checkoutId: string }, amountRefunded: number) {
    return stripeEvent('charge.refunded', {
      id: `ch_${checkout.checkoutId.slice(4, 20)}`,
      object: 'charge',
      amount: 3600,
      amount_refunded: amountRefunded,
      currency: 'gbp',
      payment_intent: `pi_${checkout.checkoutId.slice(4, 28)}`,
      metadata: { shop_id: 'cochlearfit', checkout_id: checkout.checkoutId },
      refunded: amountRefunded >= 3600,
      status: 'succeeded',
    });
  }

  it('a partial refund marks the order partially refunded and restocks nothing', async () => {
    const checkout = await startCheckout();
    await deliver('cochlearfit', completed(checkout));
    await deliver('cochlearfit', refund(checkout, 1000));
    expect((await orders())[0]).toMatchObject({ status: 'partially_refunded', amounts: { refunded: 1000 } });
    expect(await stock(NAVY_M)).toEqual({ onHand: 8, held: 0, available: 8 });
  });

  it('a full refund marks the order refunded; restocks only when the shop says so', async () => {
    const kept = await startCheckout();
    await deliver('cochlearfit', completed(kept));
    await deliver('cochlearfit', refund(kept, 3600));
    expect((await orders())[0]).toMatchObject({ status: 'refunded' });
    expect(await stock(NAVY_M)).toMatchObject({ onHand: 8 });

    await env.DB.prepare('UPDATE shops SET restock_on_refund = 1 WHERE id = ?').bind('cochlearfit').run();
    const restocked = await startCheckout();
    await deliver('cochlearfit', completed(restocked));
    expect(await stock(NAVY_M)).toMatchObject({ onHand: 6 });
    const event = refund(restocked, 3600);
    await deliver('cochlearfit', event);
    await deliver('cochlearfit', refund(restocked, 3600));
    expect(await stock(NAVY_M)).toEqual({ onHand: 8, held: 0, available: 8 });
  });
});

describe('other events', () => {
  it('an event type we do not handle is acknowledged and ignored', async () => {
    const res = await deliver('cochlearfit', stripeEvent('customer.created', { id: 'cus_1', object: 'customer' }));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ received: true, outcome: 'ignored' });
  });
});
