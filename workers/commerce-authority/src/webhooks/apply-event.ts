// Applying a verified Stripe event of one shop. Stock effects go first (each idempotent in its InventoryDO);
// then one D1 batch records the event together with its order effects, so a failure part-way leaves the
// event unrecorded and Stripe's retry runs it again, and a redelivery finds it recorded and does nothing.
// Handlers read the current state and guard every write on it: events arrive twice and out of order.
import type Stripe from 'stripe';
import { endCheckout } from '../checkout/end-checkout';
import { findCheckoutBySession, markCheckoutComplete } from '../db/checkouts';
import { releaseFailedPaymentCouponUse } from '../db/coupons';
import { count } from '../db/metrics';
import type { Database } from '../db/client';
import { clearCartStatement } from '../db/carts';
import { countCouponOnce, findOrderByPaymentIntent, findOrderBySession, flagOrder, insertOrder, orderLinesOf, transitionOrder } from '../db/orders';
import type { CheckoutRow, OrderRow, OrderStatus } from '../db/schema';
import type { Shop } from '../db/shops';
import { runAtomically, type Statement } from '../db/statements';
import { eventApplied, recordEvent } from '../db/stripe-events';
import type { AuthorityEnv } from '../env';
import { releaseReservation, settleReservation } from '../inventory/reservations';
import { stockCall, stockObject } from '../inventory/stock';
import { log } from '../log';
import type { StockChangeResult } from '../../../../durable-objects/inventory-do';

export type Applied = 'applied' | 'duplicate' | 'ignored';

/** How long holds wait for a delayed payment method (bank debits settle in days). */
export const DELAYED_PAYMENT_HOLD_MS = 7 * 24 * 60 * 60 * 1000;

interface EventContext {
  env: AuthorityEnv;
  db: Database;
  shop: Shop;
  event: Stripe.Event;
  requestId: string;
  /** Set by a handler when the event, once recorded, completes a checkout (a new order). */
  completesCheckout?: boolean;
}


export const HANDLED_EVENTS = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
  'charge.refunded',
]);

export async function applyEvent(ctx: EventContext): Promise<Applied> {
  const { db, shop, event } = ctx;
  if (await eventApplied(db, shop.id, event.id)) return 'duplicate';
  const effects = await effectsOf(ctx);
  if (effects === null) return 'ignored';
  const now = Date.now();
  const object = event.data.object as { id?: string };
  try {
    await runAtomically(db, [recordEvent(db, shop.id, { id: event.id, type: event.type, objectId: object.id ?? null }, now), ...effects]);
  } catch (error) {
    // A concurrent delivery of the same event recorded it first; its effects stand, ours rolled back.
    if (String(error).includes('UNIQUE constraint failed: stripe_events')) return 'duplicate';
    throw error;
  }
  if (ctx.completesCheckout) await count(db, shop.id, { checkouts_completed: 1 });
  return 'applied';
}

/** The D1 statements of an event, after its stock effects are done; null for an event we do not act on. */
async function effectsOf(ctx: EventContext): Promise<Statement[] | null> {
  const { event } = ctx;
  switch (event.type) {
    case 'checkout.session.completed':
      return onSession(ctx, event.data.object, event.data.object.payment_status === 'unpaid' ? 'awaiting' : 'paid');
    case 'checkout.session.async_payment_succeeded':
      return onSession(ctx, event.data.object, 'paid');
    case 'checkout.session.async_payment_failed':
      return onSession(ctx, event.data.object, 'failed');
    case 'checkout.session.expired':
      return onSession(ctx, event.data.object, 'expired');
    case 'charge.refunded':
      return onRefund(ctx, event.data.object);
    default:
      return null;
  }
}

type SessionOutcome = 'paid' | 'awaiting' | 'failed' | 'expired';

async function onSession(ctx: EventContext, session: Stripe.Checkout.Session, outcome: SessionOutcome): Promise<Statement[]> {
  const { env, db, shop } = ctx;
  const checkout = await findCheckoutBySession(db, shop.id, session.id);
  if (!checkout) {
    log.warn('webhook_unknown_session', { requestId: ctx.requestId, shopId: shop.id, sessionId: session.id, type: ctx.event.type });
    return [];
  }
  const order = await findOrderBySession(db, shop.id, session.id);
  const now = Date.now();

  if (outcome === 'expired') {
    // A session that led to an order keeps its stock; otherwise its holds go back now.
    if (!order && checkout.status !== 'complete') await endCheckout(env, db, null, checkout, ['open', 'pending'], 'expired');
    return [];
  }

  if (outcome === 'failed') {
    if (order && order.status !== 'pending_payment') return [];
    await releaseReservation(env, db, shop.id, checkout.reservationId);
    const statements = order
      ? transitionOrder(db, order, ['pending_payment'], 'payment_failed', noteFor(ctx), now)
      : insertOrder(db, newOrder(ctx, checkout, session, 'payment_failed', null), now);
    return [...statements, markCheckoutComplete(db, checkout.id, now), releaseFailedPaymentCouponUse(db, checkout.id, now)];
  }

  if (order && (outcome === 'awaiting' || order.status !== 'pending_payment')) return []; // already recorded as far as it goes

  const settled = await settleReservation(env, db, {
    shopId: shop.id,
    reservationId: checkout.reservationId,
    mode: outcome === 'paid' ? 'commit' : 'extend',
    until: outcome === 'awaiting' ? now + DELAYED_PAYMENT_HOLD_MS : undefined,
  });
  const attention = !settled.complete ? 'oversold' : amountsMatch(checkout, session) ? null : 'amount_mismatch';
  if (attention) {
    log.error('order_needs_attention', { requestId: ctx.requestId, shopId: shop.id, sessionId: session.id, attention, oversold: settled.oversold.map((l) => l.sku) });
  }

  const status: OrderStatus = outcome === 'paid' ? 'paid' : 'pending_payment';
  ctx.completesCheckout = !order;
  const statements: Statement[] = order
    ? transitionOrder(db, order, ['pending_payment'], 'paid', noteFor(ctx), now)
    : insertOrder(db, newOrder(ctx, checkout, session, status, attention), now);
  if (order && attention) statements.push(flagOrder(db, session.id, shop.id, attention, now));
  if (status === 'paid') statements.push(...countCouponOnce(db, order?.id ?? orderIdFor(checkout), now));
  if (!order && checkout.cartId) statements.push(clearCartStatement(db, shop.id, checkout.cartId));
  statements.push(markCheckoutComplete(db, checkout.id, now));
  return statements;
}

/** The order id of a checkout: stable, so a retried event creates the same order. */
const orderIdFor = (checkout: CheckoutRow) => checkout.id.replace(/^chk_/, 'ord_');

const noteFor = (ctx: EventContext) => `${ctx.event.type} (${ctx.event.id})`;

function newOrder(ctx: EventContext, checkout: CheckoutRow, session: Stripe.Checkout.Session, status: OrderStatus, attention: OrderRow['attention']) {
  const details = session.total_details;
  const shippingDetails = session.collected_information?.shipping_details ?? null;
  return {
    id: orderIdFor(checkout),
    checkout,
    status,
    attention,
    paymentIntentId: typeof session.payment_intent === 'string' ? session.payment_intent : (session.payment_intent?.id ?? null),
    email: session.customer_details?.email ?? checkout.email,
    shippingAddress: shippingDetails ? (shippingDetails as unknown as Record<string, unknown>) : null,
    shipping: details?.amount_shipping ?? 0,
    tax: details?.amount_tax ?? 0,
    total: session.amount_total ?? checkout.total,
    note: noteFor(ctx),
  };
}

/** What Stripe charged for the goods equals what we priced (shipping and tax are Stripe's to add). */
export function amountsMatch(checkout: Pick<CheckoutRow, 'subtotal' | 'discount'>, session: Pick<Stripe.Checkout.Session, 'amount_subtotal' | 'total_details'>): boolean {
  return session.amount_subtotal === checkout.subtotal && (session.total_details?.amount_discount ?? 0) === checkout.discount;
}

async function onRefund(ctx: EventContext, charge: Stripe.Charge): Promise<Statement[]> {
  const { env, db, shop } = ctx;
  const paymentIntent = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
  const order = paymentIntent ? await findOrderByPaymentIntent(db, shop.id, paymentIntent) : undefined;
  if (!order) {
    log.warn('webhook_refund_without_order', { requestId: ctx.requestId, shopId: shop.id, chargeId: charge.id });
    return [];
  }
  if (charge.amount_refunded <= order.amountRefunded) return [];
  const full = charge.amount_refunded >= order.total;
  const now = Date.now();
  if (full && shop.restockOnRefund && order.status !== 'refunded') await restock(env, db, shop, order);
  return transitionOrder(db, order, ['paid', 'partially_refunded'], full ? 'refunded' : 'partially_refunded', noteFor(ctx), now, {
    amountRefunded: charge.amount_refunded,
  });
}

/** Puts a refunded order's items back on sale, once per order and variant. */
async function restock(env: AuthorityEnv, db: Database, shop: Shop, order: OrderRow) {
  const lines = await orderLinesOf(db, order.id);
  await Promise.all(
    lines.map((line) =>
      stockCall<StockChangeResult>('restock', () => stockObject(env, shop.id, line.variantKey).adjust(`refund:${order.id}`, line.quantity, `refund of ${order.id}`)),
    ),
  );
}
