// What webhook tests share: a checkout to pay, the Stripe events about it, and what a merchant then sees
// (stock through the admin inventory API, orders through the admin orders API).
import { expect } from 'vitest';
import { call, json } from './helpers';
import {
  checkoutSession,
  paymentIntentFor,
  stripeCharge,
  stripeDispute,
  stripeEvent,
  stripeRefund,
  type SessionFacts,
} from './stripe-events';

export interface OpenCheckout {
  sessionId: string;
  checkoutId: string;
  amounts: { subtotal: number; discount: number; total: number };
}

export async function stock(sku: string, shop = 'cochlearfit') {
  const { items } = await json(await call('/api/admin/inventory', { shop, admin: shop }));
  const { onHand, held, available } = items.find((i: { sku: string }) => i.sku === sku);
  return { onHand, held, available };
}

export async function startCheckout(
  items: { sku: string; quantity: number }[],
  extra: Record<string, unknown> = {},
): Promise<OpenCheckout> {
  const email = `${crypto.randomUUID()}@example.com`;
  const res = await call('/api/checkout-session', { method: 'POST', json: { items, email, ...extra } });
  expect(res.status).toBe(200);
  return json(res);
}

export function facts(checkout: OpenCheckout, extra: Partial<SessionFacts> = {}): SessionFacts {
  return {
    sessionId: checkout.sessionId,
    checkoutId: checkout.checkoutId,
    shopId: 'cochlearfit',
    subtotal: checkout.amounts.subtotal,
    discount: checkout.amounts.discount,
    ...extra,
  };
}

/** The events Stripe sends about one checkout, shaped as Stripe shapes them. */
export function eventsFor(checkout: OpenCheckout) {
  const session = (extra: Partial<SessionFacts> = {}) => checkoutSession(facts(checkout, extra));
  const paymentIntent = paymentIntentFor(checkout.checkoutId);
  const total = checkout.amounts.subtotal - checkout.amounts.discount;
  return {
    paymentIntent,
    completed: (extra: Partial<SessionFacts> = {}) => stripeEvent('checkout.session.completed', session(extra)),
    completedUnpaid: () => stripeEvent('checkout.session.completed', session({ paymentStatus: 'unpaid' })),
    asyncSucceeded: () => stripeEvent('checkout.session.async_payment_succeeded', session()),
    asyncFailed: () => stripeEvent('checkout.session.async_payment_failed', session({ paymentStatus: 'unpaid' })),
    expired: () => stripeEvent('checkout.session.expired', { ...session({ paymentStatus: 'unpaid' }), status: 'expired' }),
    /** charge.refunded: the charge's cumulative amount_refunded as of `created` (s). */
    refunded: (amountRefunded: number, created?: number) =>
      stripeEvent(
        'charge.refunded',
        stripeCharge({
          paymentIntent,
          amount: total,
          amountRefunded,
          metadata: { shop_id: 'cochlearfit', checkout_id: checkout.checkoutId },
        }),
        { created },
      ),
    refundFailed: (refundId: string, amount: number, created?: number, type = 'charge.refund.updated') =>
      stripeEvent(type, stripeRefund({ id: refundId, paymentIntent, amount, status: 'failed' }), { created }),
    disputeCreated: () =>
      stripeEvent('charge.dispute.created', stripeDispute({ paymentIntent, amount: total, status: 'needs_response' })),
    disputeClosed: (status: 'won' | 'lost') =>
      stripeEvent('charge.dispute.closed', stripeDispute({ paymentIntent, amount: total, status })),
  };
}

export async function orders(shop = 'cochlearfit') {
  return (await json(await call('/api/admin/orders?limit=200', { shop, admin: shop }))).orders as any[];
}

export async function orderOf(sessionId: string, shop = 'cochlearfit') {
  return (await orders(shop)).find((o) => o.sessionId === sessionId);
}

export async function metrics(shop = 'cochlearfit') {
  return json(await call('/api/admin/metrics', { shop, admin: shop }));
}
