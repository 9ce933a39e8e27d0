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
  /** 'legacy': the address at the top level (`shipping_details`), as API versions before 2025-03-31 send it. */
  shippingShape?: 'current' | 'legacy';
}

/** The payment intent our fake sessions carry: derived from the checkout id, as the charge events use it. */
export const paymentIntentFor = (checkoutId: string) => `pi_${checkoutId.slice(4, 28)}`;

const SHIPPING = {
  name: 'Ada Lovelace',
  address: { city: 'London', country: 'GB', line1: '12 Example Street', line2: null, postal_code: 'N1 9GU', state: null },
};

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
    ...(facts.shippingShape === 'legacy'
      ? { shipping_details: SHIPPING, shipping: null, collected_information: null }
      : { collected_information: { business_name: null, individual_name: null, shipping_details: SHIPPING } }),
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
    payment_intent: paymentIntentFor(facts.checkoutId),
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

/** A Charge as Stripe sends it in charge.refunded (fields from Stripe's published fixture; `refunds` not expanded). */
export function stripeCharge(facts: {
  paymentIntent: string;
  amount: number;
  amountRefunded: number;
  metadata: Record<string, string>;
  id?: string;
}) {
  const id = facts.id ?? `ch_${facts.paymentIntent.slice(3)}`;
  return {
    id,
    object: 'charge',
    amount: facts.amount,
    amount_captured: facts.amount,
    amount_refunded: facts.amountRefunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: `txn_${id.slice(3)}`,
    billing_details: {
      address: { city: null, country: 'GB', line1: null, line2: null, postal_code: null, state: null },
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      phone: null,
      tax_id: null,
    },
    calculated_statement_descriptor: 'COCHLEARFIT',
    captured: true,
    created: Math.floor(Date.now() / 1000) - 120,
    currency: 'gbp',
    customer: null,
    description: null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: facts.metadata,
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: true,
    payment_intent: facts.paymentIntent,
    payment_method: 'pm_1Pgc71B7WZ01zgkW',
    payment_method_details: {
      card: { brand: 'visa', country: 'US', exp_month: 8, exp_year: 2030, funding: 'credit', last4: '4242', network: 'visa' },
      type: 'card',
    },
    receipt_email: null,
    receipt_number: null,
    receipt_url: 'https://pay.stripe.com/receipts/test',
    refunded: facts.amountRefunded >= facts.amount,
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

/** A Refund (refund.updated, charge.refund.updated): no metadata of ours, matched by payment intent. */
export function stripeRefund(facts: {
  paymentIntent: string;
  amount: number;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  id?: string;
}) {
  return {
    id: facts.id ?? `re_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`,
    object: 'refund',
    amount: facts.amount,
    balance_transaction: null,
    charge: `ch_${facts.paymentIntent.slice(3)}`,
    created: Math.floor(Date.now() / 1000) - 60,
    currency: 'gbp',
    destination_details: {
      card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
      type: 'card',
    },
    failure_balance_transaction: facts.status === 'failed' ? 'txn_failure' : null,
    failure_reason: facts.status === 'failed' ? 'expired_or_canceled_card' : null,
    metadata: {},
    payment_intent: facts.paymentIntent,
    reason: 'requested_by_customer',
    receipt_number: null,
    source_transfer_reversal: null,
    status: facts.status,
    transfer_reversal: null,
  };
}

/** A Dispute (charge.dispute.created / .closed): no metadata of ours, matched by payment intent. */
export function stripeDispute(facts: { paymentIntent: string; amount: number; status: string; id?: string }) {
  return {
    id: facts.id ?? `dp_${facts.paymentIntent.slice(3)}`,
    object: 'dispute',
    amount: facts.amount,
    balance_transactions: [],
    charge: `ch_${facts.paymentIntent.slice(3)}`,
    created: Math.floor(Date.now() / 1000) - 60,
    currency: 'gbp',
    enhanced_eligibility_types: [],
    evidence: {
      customer_email_address: null,
      product_description: null,
      shipping_tracking_number: null,
      uncategorized_text: null,
    },
    evidence_details: {
      due_by: Math.floor(Date.now() / 1000) + 7 * 86_400,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: facts.paymentIntent,
    payment_method_details: { card: { brand: 'visa', case_type: 'chargeback', network_reason_code: '10.4' }, type: 'card' },
    reason: 'fraudulent',
    status: facts.status,
  };
}

export function stripeEvent(type: string, object: Record<string, unknown>, options: { created?: number } = {}) {
  return {
    id: `evt_test_${Date.now().toString(36)}${(++sequence).toString().padStart(6, '0')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: options.created ?? Math.floor(Date.now() / 1000),
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
