// Orders. Every write here is a prepared statement for the webhook's batch, so an event's row in stripe_events and
// its effects on orders commit together or not at all. Statements guard on the current status, so events
// that arrive twice or out of order cannot move an order backwards.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from './client';
import { prepared } from './statements';
import {
  orderLines,
  orderRefundFailures,
  orders,
  type CheckoutRow,
  type OrderRow,
  type OrderStatus,
} from './schema';

export const FIRST_ORDER_NUMBER = 1001;

export async function findOrderBySession(db: Database, shopId: string, sessionId: string): Promise<OrderRow | undefined> {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.sessionId, sessionId)))
    .get();
}

export async function findOrderByPaymentIntent(db: Database, shopId: string, paymentIntentId: string): Promise<OrderRow | undefined> {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.paymentIntentId, paymentIntentId)))
    .get();
}

export interface NewOrder {
  id: string;
  checkout: CheckoutRow;
  status: OrderStatus;
  attention: OrderRow['attention'];
  paymentIntentId: string | null;
  email: string | null;
  shippingAddress: Record<string, unknown> | null;
  shipping: number;
  tax: number;
  total: number;
  note: string;
}

/**
 * Creates the order of a session with the next number of the shop, its lines and its first history entry.
 * One order per session: if the session already has one, all three statements do nothing.
 */
export function insertOrder(db: Database, order: NewOrder, now: number) {
  const { checkout } = order;
  const shopId = checkout.shopId;
  return [
    prepared(db, sql`
      INSERT INTO orders (id, shop_id, number, checkout_id, session_id, payment_intent_id, status, attention, email,
        shipping_address, coupon_code, currency, subtotal, discount, shipping, tax, total, amount_refunded,
        created_at, updated_at)
      SELECT ${order.id}, ${shopId}, COALESCE(MAX(number) + 1, ${FIRST_ORDER_NUMBER}), ${checkout.id}, ${checkout.sessionId},
        ${order.paymentIntentId}, ${order.status}, ${order.attention}, ${order.email},
        ${order.shippingAddress ? JSON.stringify(order.shippingAddress) : null}, ${checkout.couponCode}, ${checkout.currency},
        ${checkout.subtotal}, ${checkout.discount}, ${order.shipping}, ${order.tax}, ${order.total}, 0, ${now}, ${now}
      FROM orders WHERE shop_id = ${shopId}
      ON CONFLICT (session_id) DO NOTHING`),
    prepared(db, sql`
      INSERT INTO order_lines (order_id, sku, variant_key, name, attributes, quantity, unit_amount, line_amount)
      SELECT ${order.id}, json_extract(value, '$.sku'), json_extract(value, '$.variantKey'), json_extract(value, '$.name'),
        json(json_extract(value, '$.attributes')), json_extract(value, '$.quantity'), json_extract(value, '$.unitAmount'),
        json_extract(value, '$.lineAmount')
      FROM json_each(${JSON.stringify(checkout.lines)})
      WHERE EXISTS (SELECT 1 FROM orders WHERE id = ${order.id})
      ON CONFLICT DO NOTHING`),
    historyEntry(db, order.id, order.status, order.note, now),
  ];
}

/** Records a status in the order's history, if the order exists (it may not, on a no-op branch). */
export function historyEntry(db: Database, orderId: string, status: string, note: string, now: number) {
  return prepared(db, sql`
    INSERT INTO order_history (order_id, at, status, note)
    SELECT ${orderId}, ${now}, ${status}, ${note} WHERE EXISTS (SELECT 1 FROM orders WHERE id = ${orderId})
    ON CONFLICT DO NOTHING`);
}

/** Moves an order to `to` only from one of `from`, with a history entry only if it moved. */
export function transitionOrder(db: Database, order: OrderRow, from: OrderStatus[], to: OrderStatus, note: string, now: number, extra: Partial<OrderRow> = {}) {
  return [
    prepared(db, sql`
      INSERT INTO order_history (order_id, at, status, note)
      SELECT ${order.id}, ${now}, ${to}, ${note}
      WHERE EXISTS (SELECT 1 FROM orders WHERE id = ${order.id} AND status IN (SELECT value FROM json_each(${JSON.stringify(from)})))
      ON CONFLICT DO NOTHING`),
    prepared(
      db,
      db
        .update(orders)
        .set({ ...extra, status: to, updatedAt: now })
        .where(and(eq(orders.id, order.id), inArray(orders.status, from))),
    ),
  ];
}

/**
 * Counts the coupon of a paid order as used: its reservation becomes a redemption (also one released after a
 * late payment: the money is taken with the discount, so the use is real). Idempotent.
 */
export function countCouponOnce(db: Database, orderId: string, now: number) {
  return [
    prepared(db, sql`
      INSERT INTO coupon_redemptions (checkout_id, shop_id, code, status, created_at, updated_at)
      SELECT checkout_id, shop_id, coupon_code, 'redeemed', ${now}, ${now}
      FROM orders WHERE id = ${orderId} AND status = 'paid' AND coupon_code IS NOT NULL
      ON CONFLICT (checkout_id) DO UPDATE SET status = 'redeemed', updated_at = excluded.updated_at`),
  ];
}

export function flagOrder(db: Database, sessionId: string, shopId: string, attention: NonNullable<OrderRow['attention']>, now: number) {
  return prepared(
    db,
    db
      .update(orders)
      .set({ attention, updatedAt: now })
      .where(and(eq(orders.shopId, shopId), eq(orders.sessionId, sessionId))),
  );
}

/** Records which lines took their units out of stock (a refund restocks exactly those). */
export function markLinesCommitted(db: Database, orderId: string, skus: readonly string[]) {
  return prepared(db, sql`
    UPDATE order_lines SET committed = quantity
    WHERE order_id = ${orderId} AND sku IN (SELECT value FROM json_each(${JSON.stringify(skus)}))`);
}

export async function refundFailuresOf(db: Database, order: Pick<OrderRow, 'id' | 'shopId'>) {
  return db
    .select()
    .from(orderRefundFailures)
    .where(and(eq(orderRefundFailures.orderId, order.id), eq(orderRefundFailures.shopId, order.shopId)));
}

export function recordRefundFailure(db: Database, failure: typeof orderRefundFailures.$inferInsert) {
  return prepared(db, db.insert(orderRefundFailures).values(failure).onConflictDoNothing());
}

export function setDispute(db: Database, order: OrderRow, dispute: NonNullable<OrderRow['dispute']>, now: number) {
  return prepared(
    db,
    db
      .update(orders)
      .set({ dispute, updatedAt: now })
      .where(and(eq(orders.id, order.id), eq(orders.shopId, order.shopId))),
  );
}

export async function orderLinesOf(db: Database, orderId: string) {
  return db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).orderBy(asc(orderLines.sku));
}
