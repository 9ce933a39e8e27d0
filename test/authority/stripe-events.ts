// Stripe-shaped webhook events for tests: the JSON Stripe sends, signed the way Stripe signs it.
import Stripe from 'stripe';
import { call } from './helpers';

const cryptoProvider = Stripe.createSubtleCryptoProvider();
let sequence = 0;

export const WEBHOOK_SECRETS: Record<string, string> = {
  cochlearfit: 'whsec_test_cochlearfit',
  stripeshop: 'whsec_test_stripeshop',
};

export interface SessionFacts {
  sessionId: string;
  checkoutId: string;
  shopId: string;
  subtotal: number;
  discount?: number;
  shipping?: number;
  tax?: number;
  paymentStatus?: 'paid' | 'unpaid';
  email?: string;
}

/** A Checkout Session as the 2026-10-28 API returns it, with the fields Stripe fills in for a card payment. */
export function checkoutSession(facts: SessionFacts) {
  const discount = facts.discount ?? 0;
  const shipping = facts.shipping ?? 0;
  const tax = facts.tax ?? 0;
  return {
    id: facts.sessionId,
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: facts.subtotal,
    amount_total: facts.subtotal - discount + shipping + tax,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: 'https://shop.example/cart/',
    client_reference_id: facts.checkoutId,
    client_secret: null,
    collected_information: {
      shipping_details: { name: 'Ada Lovelace', address: { city: 'London', country: 'GB', line1: '12 Example Street', line2: null, postal_code: 'N1 9GU', state: null } },
    },
    consent: null,
    consent_collection: null,
    created: Math.floor(Date.now() / 1000) - 60,
    currency: 'gbp',
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: null,
    customer_creation: 'if_required',
    customer_details: {
      address: { city: 'London', country: 'GB', line1: '12 Example Street', line2: null, postal_code: 'N1 9GU', state: null },
      email: facts.email ?? 'ada@example.com',
      name: 'Ada Lovelace',
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    },
    customer_email: null,
    discounts: [],
    expires_at: Math.floor(Date.now() / 1000) + 1800,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: null,
    metadata: { shop_id: facts.shopId, inventory_reservation_id: facts.checkoutId, checkout_id: facts.checkoutId },
    mode: 'payment',
    payment_intent: `pi_${facts.checkoutId.slice(4, 28)}`,
    payment_link: null,
    payment_method_collection: 'if_required',
    payment_method_configuration_details: null,
    payment_method_options: { card: { request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    payment_status: facts.paymentStatus ?? 'paid',
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'complete',
    submit_type: null,
    subscription: null,
    success_url: 'https://shop.example/checkout/success/?session_id={CHECKOUT_SESSION_ID}',
    total_details: { amount_discount: discount, amount_shipping: shipping, amount_tax: tax },
    ui_mode: 'hosted_page',
    url: null,
    wallet_options: null,
  };
}

export function stripeEvent(type: string, object: Record<string, unknown>) {
  return {
    id: `evt_test_${Date.now().toString(36)}${(++sequence).toString().padStart(6, '0')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

export async function signature(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) {
  return Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp, cryptoProvider });
}

export async function deliver(shop: string, event: object, options: { secret?: string; timestamp?: number; header?: string | null } = {}) {
  const payload = JSON.stringify(event);
  const header = options.header !== undefined ? options.header : await signature(payload, options.secret ?? WEBHOOK_SECRETS[shop]!, options.timestamp);
  return call('/api/stripe-webhook', {
    method: 'POST',
    shop,
    raw: payload,
    headers: { 'content-type': 'application/json', ...(header === null ? {} : { 'stripe-signature': header }) },
  });
}
