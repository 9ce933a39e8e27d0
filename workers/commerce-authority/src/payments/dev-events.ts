// Stripe-shaped events for the dev payment provider, signed with the shop's webhook secret exactly as Stripe
// signs them, so they go through the real webhook path (front-door -> gateway -> authority).
import Stripe from 'stripe';
import type { CheckoutRow } from '../db/schema';

export type DevEventType =
  | 'checkout.session.completed'
  | 'checkout.session.async_payment_succeeded'
  | 'checkout.session.async_payment_failed'
  | 'checkout.session.expired';

const cryptoProvider = Stripe.createSubtleCryptoProvider();

export function devSessionEvent(type: DevEventType, checkout: CheckoutRow, paymentStatus: 'paid' | 'unpaid') {
  const now = Math.floor(Date.now() / 1000);
  return {
    id: `evt_dev_${crypto.randomUUID().replaceAll('-', '')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: now,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: {
      object: {
        id: checkout.sessionId,
        object: 'checkout.session',
        mode: 'payment',
        ui_mode: checkout.uiMode,
        status: type === 'checkout.session.expired' ? 'expired' : 'complete',
        payment_status: paymentStatus,
        amount_subtotal: checkout.subtotal,
        amount_total: checkout.total,
        currency: checkout.currency,
        total_details: { amount_discount: checkout.discount, amount_shipping: 0, amount_tax: 0 },
        customer_details: { email: checkout.email ?? 'shopper@example.com' },
        client_reference_id: checkout.id,
        metadata: { shop_id: checkout.shopId, inventory_reservation_id: checkout.reservationId, checkout_id: checkout.id },
        payment_intent: type === 'checkout.session.expired' ? null : `pi_dev_${checkout.id.replace(/^chk_/, '')}`,
        expires_at: Math.floor(checkout.expiresAt / 1000),
      },
    },
  };
}

export async function signedDevEvent(event: ReturnType<typeof devSessionEvent>, secret: string) {
  const payload = JSON.stringify(event);
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, cryptoProvider });
  return { payload, signature };
}
