// Events about a payment after its order exists: refunds (charge.refunded), refund failures (refund.updated /
// charge.refund.updated with status failed) and disputes (charge.dispute.created / .closed).
//
// Invariants: each converges on what Stripe's account shows whatever the order of arrival. The refunded amount
// is the newest charge.amount_refunded snapshot minus refunds reported failed after it; a dispute only moves
// forward (none -> disputed -> won | lost). An event whose order is not paid yet is kept (deferred) and
// applied when it is: never lost, never a 4xx. A refund restocks exactly the units the order took from stock.
import type Stripe from 'stripe';
import { findCheckout } from '../db/checkouts';
import { deferEvent, deferredEventsOf, deferredEventsReady, dropDeferredEvent, PAID_STATUSES } from '../db/deferred-events';
import { findShop } from '../db/shops';
import { countStatements, tally, type MetricName } from '../db/metrics';
import {
  findOrderByPaymentIntent,
  orderLinesOf,
  recordRefundFailure,
  refundFailuresOf,
  setDispute,
  transitionOrder,
} from '../db/orders';
import type { OrderRow, OrderStatus } from '../db/schema';
import type { Statement } from '../db/statements';
import { eventApplied } from '../db/stripe-events';
import { withWebhookLock } from '../db/webhook-locks';
import { stockCall, stockObject } from '../inventory/stock';
import { log } from '../log';
import type { StockChangeResult } from '../../../../durable-objects/inventory-do';
import { ignore, noteFor, recordWith, whenApplied, type Applied, type EventContext } from './record';

export const PAYMENT_EVENTS = new Set([
  'charge.refunded',
  'charge.refund.updated',
  'refund.updated',
  'charge.dispute.created',
  'charge.dispute.closed',
]);

type Paid = (typeof PAID_STATUSES)[number];
const isPaid = (status: OrderStatus): boolean => (PAID_STATUSES as readonly string[]).includes(status);

const intentOf = (object: { payment_intent?: string | { id: string } | null }) =>
  typeof object.payment_intent === 'string' ? object.payment_intent : (object.payment_intent?.id ?? null);

export async function applyPaymentEvent(ctx: EventContext): Promise<Applied> {
  const { db, shop, event } = ctx;
  const object = event.data.object as Stripe.Charge | Stripe.Refund | Stripe.Dispute;
  const paymentIntent = intentOf(object);
  if (!paymentIntent) return ignore(ctx, 'no_payment_intent');
  if (object.object === 'refund' && object.status !== 'failed') return ignore(ctx, 'refund_not_failed');

  const order = await findOrderByPaymentIntent(db, shop.id, paymentIntent);
  if (!order) {
    // A charge of ours names its shop and checkout: one without them (a Dashboard charge, a Payment Link) or
    // naming a checkout we never created is not ours. Refunds and disputes cannot tell: they are kept.
    if (object.object === 'charge') {
      const checkoutId = object.metadata?.checkout_id;
      if (!object.metadata?.shop_id || (checkoutId !== undefined && !(await findCheckout(db, shop.id, checkoutId)))) {
        return ignore(ctx, 'unknown_charge');
      }
    }
    await defer(ctx, paymentIntent);
    // The order may have been paid while we stored it; then it is ours to apply (the payer may have drained first).
    await drainDeferred(ctx, paymentIntent);
    return 'deferred';
  }

  return withWebhookLock(
    db,
    shop.id,
    order.sessionId,
    async () => {
      if (await eventApplied(db, shop.id, event.id)) return 'duplicate';
      const current = (await findOrderByPaymentIntent(db, shop.id, paymentIntent))!;
      if (current.status === 'pending_payment') {
        // Its async success is on the way; the session event that records it drains this after the lock.
        await defer(ctx, paymentIntent);
        return 'deferred';
      }
      if (!isPaid(current.status)) return ignore(ctx, 'order_not_paid');
      return recordWith(ctx, await paymentEffects(ctx, current, object));
    },
    whenApplied(ctx),
  );
}

async function defer(ctx: EventContext, paymentIntent: string) {
  const { db, shop, event } = ctx;
  log.warn('webhook_deferred', { requestId: ctx.requestId, shopId: shop.id, eventId: event.id, type: event.type, paymentIntent });
  await deferEvent(db, shop.id, event, paymentIntent, ctx.payload);
  tally(shop.id, { webhooks_deferred: 1 });
}

/** Applies the kept events of a payment whose order is now paid, oldest first. Idempotent. */
export async function drainDeferred(ctx: Omit<EventContext, 'event' | 'payload'>, paymentIntent: string): Promise<void> {
  const { db, shop } = ctx;
  const order = await findOrderByPaymentIntent(db, shop.id, paymentIntent);
  if (!order || !isPaid(order.status)) return;
  for (const kept of await deferredEventsOf(db, shop.id, paymentIntent)) {
    const event = JSON.parse(kept.payload) as Stripe.Event;
    const outcome = await applyPaymentEvent({ ...ctx, event, payload: kept.payload });
    if (outcome !== 'deferred') await dropDeferredEvent(db, shop.id, kept.id);
  }
}

/** Cron, the second line: deferred events whose order has been paid since (a drain interrupted by a crash). */
export async function drainReadyDeferred(env: EventContext['env'], db: EventContext['db'], limit = 50): Promise<number> {
  const ready = await deferredEventsReady(db, limit);
  for (const { shopId, paymentIntentId } of ready) {
    const shop = await findShop(db, shopId);
    if (shop) await drainDeferredOrLog({ env, db, shop, requestId: 'cron' }, paymentIntentId);
  }
  return ready.length;
}

/** A drain that fails (the lease busy, storage down) is left to the next cron run; it never fails its caller. */
export async function drainDeferredOrLog(ctx: Omit<EventContext, 'event' | 'payload'>, paymentIntent: string) {
  try {
    await drainDeferred(ctx, paymentIntent);
  } catch (error) {
    log.error('deferred_drain_failed', { requestId: ctx.requestId, shopId: ctx.shop.id, paymentIntent, error: String(error) });
  }
}

async function paymentEffects(ctx: EventContext, order: OrderRow, object: Stripe.Charge | Stripe.Refund | Stripe.Dispute) {
  switch (object.object) {
    case 'charge':
      return refundEffects(ctx, order, newerSnapshot(order, object.amount_refunded, ctx.event.created), []);
    case 'refund':
      return refundFailureEffects(ctx, order, object);
    default:
      return disputeEffects(ctx, order, object);
  }
}

interface RefundSnapshot {
  amount: number;
  /** The charge.refunded event's `created` (s); 0 before any. */
  at: number;
}

/** The newer of the order's snapshot and this one: events arrive out of order, the newest charge state wins. */
function newerSnapshot(order: OrderRow, amount: number, at: number): RefundSnapshot {
  const kept = { amount: order.chargeRefunded, at: order.chargeRefundedAt };
  if (at > kept.at || (at === kept.at && amount > kept.amount)) return { amount, at };
  return kept;
}

async function refundFailureEffects(ctx: EventContext, order: OrderRow, refund: Stripe.Refund) {
  const { db, shop, event } = ctx;
  const known = await refundFailuresOf(db, order);
  if (known.some((f) => f.refundId === refund.id)) return [];
  const failure = { orderId: order.id, shopId: shop.id, refundId: refund.id, amount: refund.amount, failedAt: event.created };
  log.warn('refund_failed', { requestId: ctx.requestId, shopId: shop.id, orderId: order.id, refundId: refund.id, amount: refund.amount });
  return [
    recordRefundFailure(db, failure),
    ...countStatements(db, shop.id, { refunds_failed: 1 }),
    ...(await refundEffects(ctx, order, { amount: order.chargeRefunded, at: order.chargeRefundedAt }, [failure])),
  ];
}

/** Sets the refunded amount and status from a snapshot and the failures known (plus `added`, not yet stored). */
async function refundEffects(
  ctx: EventContext,
  order: OrderRow,
  snapshot: RefundSnapshot,
  added: { amount: number; failedAt: number }[],
): Promise<Statement[]> {
  const { env, db, shop } = ctx;
  const failures = [...(await refundFailuresOf(db, order)), ...added];
  // A failure reported after the snapshot is not in it yet; one reported before it, Stripe already took out.
  const restored = failures.filter((f) => f.failedAt >= snapshot.at).reduce((sum, f) => sum + f.amount, 0);
  const refunded = Math.min(order.total, Math.max(0, snapshot.amount - restored));
  const status: Paid = refunded === 0 ? 'paid' : refunded >= order.total ? 'refunded' : 'partially_refunded';
  if (status === 'refunded' && shop.restockOnRefund) await restock(env, db, shop.id, order);
  return transitionOrder(db, order, [...PAID_STATUSES], status, noteFor(ctx.event), Date.now(), {
    amountRefunded: refunded,
    chargeRefunded: snapshot.amount,
    chargeRefundedAt: snapshot.at,
  });
}

/** Puts a refunded order's units back on sale: only what it took from stock, once per order and variant. */
async function restock(env: EventContext['env'], db: EventContext['db'], shopId: string, order: OrderRow) {
  const lines = (await orderLinesOf(db, order.id)).filter((line) => line.committed > 0);
  await Promise.all(
    lines.map((line) =>
      stockCall<StockChangeResult>('restock', () =>
        stockObject(env, shopId, line.variantKey).adjust(`refund:${order.id}`, line.committed, `refund of ${order.id}`),
      ),
    ),
  );
}

function disputeEffects(ctx: EventContext, order: OrderRow, dispute: Stripe.Dispute): Statement[] {
  const { db, shop, event } = ctx;
  const closed = event.type === 'charge.dispute.closed';
  if (order.dispute === 'won' || order.dispute === 'lost') return []; // closed is final
  if (!closed && order.dispute === 'disputed') return [];
  const next = closed ? (dispute.status === 'lost' ? 'lost' : 'won') : 'disputed';
  const counted: Partial<Record<MetricName, number>> = {};
  if (order.dispute === null) counted.disputes_opened = 1;
  if (next === 'won') counted.disputes_won = 1;
  if (next === 'lost') counted.disputes_lost = 1;
  log.warn('order_disputed', { requestId: ctx.requestId, shopId: shop.id, orderId: order.id, dispute: next, reason: dispute.reason });
  return [setDispute(db, order, next, Date.now()), ...countStatements(db, shop.id, counted)];
}
