// Checkout Session events: completed (paid or awaiting a delayed payment), async succeeded / failed, expired.
// All events of one session run one at a time under its webhook lock, so each reads the order as the previous
// one left it: whatever the order of arrival, one session ends with at most one order, paid at most once, its
// stock committed at most once. Stock effects go first (each idempotent in its InventoryDO), then one batch.
import type Stripe from 'stripe';
import { endCheckout } from '../checkout/end-checkout';
import { clearCartStatement } from '../db/carts';
import { findCheckoutBySession, markCheckoutComplete } from '../db/checkouts';
import { releaseFailedPaymentCouponUse } from '../db/coupons';
import { countStatements } from '../db/metrics';
import { countCouponOnce, findOrderBySession, flagOrder, insertOrder, markLinesCommitted, transitionOrder } from '../db/orders';
import type { CheckoutRow, OrderRow, OrderStatus } from '../db/schema';
import type { Statement } from '../db/statements';
import { eventApplied } from '../db/stripe-events';
import { withWebhookLock } from '../db/webhook-locks';
import { releaseReservation, settleReservation } from '../inventory/reservations';
import { log } from '../log';
import { drainDeferredOrLog } from './payment-events';
import { ignore, noteFor, recordWith, whenApplied, type Applied, type EventContext } from './record';

/** How long holds wait for a delayed payment method (bank debits settle in days). */
export const DELAYED_PAYMENT_HOLD_MS = 7 * 24 * 60 * 60 * 1000;

type SessionOutcome = 'paid' | 'awaiting' | 'failed' | 'expired';

export const SESSION_EVENTS = new Set([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
]);

function outcomeOf(event: Stripe.Event, session: Stripe.Checkout.Session): SessionOutcome {
  switch (event.type) {
    case 'checkout.session.completed':
      return session.payment_status === 'unpaid' ? 'awaiting' : 'paid';
    case 'checkout.session.async_payment_succeeded':
      return 'paid';
    case 'checkout.session.async_payment_failed':
      return 'failed';
    default:
      return 'expired';
  }
}

export const paymentIntentOf = (object: { payment_intent?: string | { id: string } | null }) =>
  typeof object.payment_intent === 'string' ? object.payment_intent : (object.payment_intent?.id ?? null);

export async function applySessionEvent(ctx: EventContext): Promise<Applied> {
  const { db, shop, event } = ctx;
  const session = event.data.object as Stripe.Checkout.Session;
  if (!(await findCheckoutBySession(db, shop.id, session.id))) return ignore(ctx, 'unknown_session');
  const applied = await withWebhookLock(
    db,
    shop.id,
    session.id,
    async () => {
      if (await eventApplied(db, shop.id, event.id)) return 'duplicate';
      const checkout = (await findCheckoutBySession(db, shop.id, session.id))!;
      return recordWith(ctx, await sessionEffects(ctx, checkout, session, outcomeOf(event, session)));
    },
    whenApplied(ctx),
  );
  // Refunds or disputes that arrived before this payment was recorded are applied now that it may be. This
  // event is done either way: a drain that fails is the cron's to finish.
  const paymentIntent = paymentIntentOf(session);
  if (paymentIntent) await drainDeferredOrLog(ctx, paymentIntent);
  return applied;
}

async function sessionEffects(
  ctx: EventContext,
  checkout: CheckoutRow,
  session: Stripe.Checkout.Session,
  outcome: SessionOutcome,
): Promise<Statement[]> {
  const { env, db, shop } = ctx;
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
      ? transitionOrder(db, order, ['pending_payment'], 'payment_failed', noteFor(ctx.event), now)
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
    log.error('order_needs_attention', {
      requestId: ctx.requestId,
      shopId: shop.id,
      sessionId: session.id,
      attention,
      oversold: settled.oversold.map((l) => l.sku),
    });
  }

  const status: OrderStatus = outcome === 'paid' ? 'paid' : 'pending_payment';
  const orderId = order?.id ?? orderIdFor(checkout);
  const statements: Statement[] = order
    ? transitionOrder(db, order, ['pending_payment'], 'paid', noteFor(ctx.event), now)
    : insertOrder(db, newOrder(ctx, checkout, session, status, attention), now);
  if (order && attention) statements.push(flagOrder(db, session.id, shop.id, attention, now));
  if (status === 'paid') {
    statements.push(...countCouponOnce(db, orderId, now));
    statements.push(markLinesCommitted(db, orderId, settled.committed.map((line) => line.sku)));
  }
  if (!order && checkout.cartId) statements.push(clearCartStatement(db, shop.id, checkout.cartId));
  statements.push(markCheckoutComplete(db, checkout.id, now));
  if (!order) statements.push(...countStatements(db, shop.id, { checkouts_completed: 1 }));
  return statements;
}

/** The order id of a checkout: stable, so a retried event creates the same order. */
const orderIdFor = (checkout: CheckoutRow) => checkout.id.replace(/^chk_/, 'ord_');

/** Stripe moved the shipping address: `collected_information.shipping_details` from API 2025-03-31 on,
 *  `shipping_details` at the top level before. Endpoints pinned to either version must record it. */
export function shippingAddressOf(session: Stripe.Checkout.Session): Record<string, unknown> | null {
  const legacy = (session as unknown as { shipping_details?: Record<string, unknown> | null }).shipping_details;
  const details = session.collected_information?.shipping_details ?? legacy ?? null;
  return details ? (details as unknown as Record<string, unknown>) : null;
}

function newOrder(
  ctx: EventContext,
  checkout: CheckoutRow,
  session: Stripe.Checkout.Session,
  status: OrderStatus,
  attention: OrderRow['attention'],
) {
  const details = session.total_details;
  return {
    id: orderIdFor(checkout),
    checkout,
    status,
    attention,
    paymentIntentId: paymentIntentOf(session),
    email: session.customer_details?.email ?? checkout.email,
    shippingAddress: shippingAddressOf(session),
    shipping: details?.amount_shipping ?? 0,
    tax: details?.amount_tax ?? 0,
    total: session.amount_total ?? checkout.total,
    note: noteFor(ctx.event),
  };
}

/** What Stripe charged for the goods equals what we priced (shipping and tax are Stripe's to add). */
export function amountsMatch(
  checkout: Pick<CheckoutRow, 'subtotal' | 'discount'>,
  session: Pick<Stripe.Checkout.Session, 'amount_subtotal' | 'total_details'>,
): boolean {
  return session.amount_subtotal === checkout.subtotal && (session.total_details?.amount_discount ?? 0) === checkout.discount;
}
