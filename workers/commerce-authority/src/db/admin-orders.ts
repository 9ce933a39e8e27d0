// The merchant console's order reads and its one write, fulfilment. A page of orders loads its lines and history
// in one query each (never a query per order); every query filters on shop_id. Fulfilment is set once, only on a
// paid order, with its history entry in the same batch.
import { and, asc, desc, eq, gte, lt, sql } from 'drizzle-orm';
import { OrderNumber } from '../../../../shared/contracts';
import type { Database } from './client';
import { jsonValues } from './json-values';
import { prepared, runAtomically } from './statements';
import { orderHistory, orderLines, orders, type Fulfilment, type OrderRow, type OrderStatus } from './schema';

export interface OrderSearch {
  status?: OrderStatus | undefined;
  /** An order number (CF-1001 or 1001), or the start of an email address, any case. */
  q?: string | undefined;
  /** Orders numbered below this: the next page. */
  before?: number | undefined;
  limit: number;
}

/** Newest first. An email is matched by prefix on lower(email), which the orders_shop_email index serves. */
export async function searchOrders(db: Database, shopId: string, search: OrderSearch): Promise<OrderRow[]> {
  const number = search.q === undefined ? undefined : OrderNumber.safeParse(search.q);
  const email = search.q?.toLowerCase();
  const match = number?.success
    ? eq(orders.number, number.data)
    : email !== undefined
      ? and(sql`lower(${orders.email}) >= ${email}`, sql`lower(${orders.email}) < ${`${email}\uffff`}`)
      : undefined;
  return db
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.shopId, shopId),
        search.status ? eq(orders.status, search.status) : undefined,
        search.before !== undefined ? lt(orders.number, search.before) : undefined,
        match,
      ),
    )
    .orderBy(desc(orders.number))
    .limit(search.limit);
}

export async function findOrderByNumber(db: Database, shopId: string, number: number): Promise<OrderRow | undefined> {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.number, number)))
    .get();
}

/** Orders created in [from, to) (epoch ms), oldest first; at most `limit`. */
export async function ordersCreatedBetween(db: Database, shopId: string, from: number, to: number, limit: number) {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.shopId, shopId), gte(orders.createdAt, from), lt(orders.createdAt, to)))
    .orderBy(asc(orders.createdAt), asc(orders.number))
    .limit(limit);
}

export type OrderLineRow = typeof orderLines.$inferSelect;
export type OrderHistoryRow = typeof orderHistory.$inferSelect;

/** The lines and history of several orders (of one shop, already checked), grouped by order id. */
export async function detailsOfOrders(db: Database, orderIds: readonly string[]) {
  const lines = new Map<string, OrderLineRow[]>(orderIds.map((id) => [id, []]));
  const history = new Map<string, OrderHistoryRow[]>(orderIds.map((id) => [id, []]));
  if (orderIds.length === 0) return { lines, history };
  const [lineRows, historyRows] = await Promise.all([
    db.select().from(orderLines).where(sql`${orderLines.orderId} IN ${jsonValues(orderIds)}`).orderBy(asc(orderLines.sku)),
    db.select().from(orderHistory).where(sql`${orderHistory.orderId} IN ${jsonValues(orderIds)}`).orderBy(asc(orderHistory.at)),
  ]);
  for (const line of lineRows) lines.get(line.orderId)?.push(line);
  for (const entry of historyRows) history.get(entry.orderId)?.push(entry);
  return { lines, history };
}

/** Orders that may ship: paid, possibly partly refunded. Not unpaid, failed or fully refunded ones. */
export const FULFILLABLE: readonly OrderStatus[] = ['paid', 'partially_refunded'];

/**
 * Records the shipment of a paid order that has none yet, with a `fulfilled` history entry, atomically. A second
 * call changes nothing (the caller compares what is stored with what it asked for).
 */
export async function fulfilOrder(db: Database, order: OrderRow, fulfilment: Fulfilment): Promise<void> {
  const shippable = sql`id = ${order.id} AND shop_id = ${order.shopId} AND fulfilment IS NULL
    AND status IN (SELECT value FROM json_each(${JSON.stringify(FULFILLABLE)}))`;
  const note = `Shipped with ${fulfilment.carrier}, tracking number ${fulfilment.trackingNumber}`;
  await runAtomically(db, [
    prepared(db, sql`
      INSERT INTO order_history (order_id, at, status, note)
      SELECT ${order.id}, ${fulfilment.fulfilledAt}, 'fulfilled', ${note} WHERE EXISTS (SELECT 1 FROM orders WHERE ${shippable})
      ON CONFLICT DO NOTHING`),
    prepared(db, sql`
      UPDATE orders SET fulfilment = ${JSON.stringify(fulfilment)}, updated_at = ${fulfilment.fulfilledAt} WHERE ${shippable}`),
  ]);
}
