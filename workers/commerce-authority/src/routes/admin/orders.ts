// Admin orders: search and pages (newest first), one order by number, shipping it (fulfilment, set once, only when
// paid) and a CSV export of a date range. Each order comes with its lines, amounts, address, history, refund and
// dispute state.
import { z } from 'zod';
import {
  AdminOrderView,
  FulfilRequest,
  OrderExportQuery,
  OrderListQuery,
  OrderListResponse,
  OrderNumber,
} from '../../../../../shared/contracts';
import { ProblemError } from '../../../../../shared/problem';
import { orderNumber } from '../../checkout/view';
import {
  detailsOfOrders,
  findOrderByNumber,
  FULFILLABLE,
  fulfilOrder,
  ordersCreatedBetween,
  searchOrders,
} from '../../db/admin-orders';
import { database, type Database } from '../../db/client';
import type { OrderRow } from '../../db/schema';
import type { Shop } from '../../db/shops';
import { fulfilmentView } from '../../domain/fulfilment';
import { ordersCsv } from '../../domain/orders-csv';
import { ADMIN_SECURITY, apiRoute, jsonBody, ok, problems, routesApp } from '../../http/api-route';
import type { ShopBindings } from '../../http/shop-context';

/** The most orders one CSV export carries; a longer period is exported in parts. */
export const EXPORT_MAX_ORDERS = 5_000;
const DAY_MS = 86_400_000;

const iso = (ms: number) => new Date(ms).toISOString();

/** Orders as the admin API shows them, with their lines and history (two queries for the whole list). */
async function orderViews(db: Database, shop: Shop, rows: readonly OrderRow[]): Promise<AdminOrderView[]> {
  const { lines, history } = await detailsOfOrders(db, rows.map((order) => order.id));
  return rows.map((order) => ({
    id: order.id,
    number: orderNumber(shop, order),
    status: order.status,
    attention: order.attention,
    dispute: order.dispute,
    email: order.email,
    shippingAddress: order.shippingAddress,
    couponCode: order.couponCode,
    currency: order.currency,
    amounts: {
      subtotal: order.subtotal,
      discount: order.discount,
      shipping: order.shipping,
      tax: order.tax,
      total: order.total,
      refunded: order.amountRefunded,
    },
    sessionId: order.sessionId,
    paymentIntentId: order.paymentIntentId,
    createdAt: iso(order.createdAt),
    fulfilment: fulfilmentView(order.fulfilment),
    lines: lines.get(order.id)!.map(({ sku, name, attributes, quantity, unitAmount, lineAmount, committed }) => ({
      sku,
      name,
      attributes,
      quantity,
      unitAmount,
      lineAmount,
      committed,
    })),
    history: history.get(order.id)!.map(({ at, status, note }) => ({ at: iso(at), status, note })),
  }));
}

async function orderByNumber(db: Database, shop: Shop, number: number): Promise<OrderRow> {
  const order = await findOrderByNumber(db, shop.id, number);
  if (!order) {
    throw new ProblemError({ status: 404, code: 'unknown_order', detail: `No order ${shop.orderPrefix}-${number} in this shop.` });
  }
  return order;
}

const admin = { tags: ['Admin'], security: ADMIN_SECURITY };
const byNumber = z.object({ number: OrderNumber.meta({ description: 'The order number, e.g. CF-1001' }) });

const list = apiRoute({
  method: 'get',
  path: '/',
  ...admin,
  summary: 'Orders, newest first: search by number or email, filter by status, page with `before`',
  request: { query: OrderListQuery },
  responses: { 200: ok(OrderListResponse), ...problems(400, 401, 429) },
});
const exportCsv = apiRoute({
  method: 'get',
  path: '/export',
  ...admin,
  summary: `Orders created in a date range (UTC days, both included) as CSV (RFC 4180), at most ${EXPORT_MAX_ORDERS}`,
  request: { query: OrderExportQuery },
  responses: {
    200: { description: 'One row per order, oldest first', content: { 'text/csv': { schema: z.string() } } },
    ...problems(400, 401, 429),
  },
});
const one = apiRoute({
  method: 'get',
  path: '/{number}',
  ...admin,
  summary: 'One order with its lines, amounts, address, history, payment, refund, dispute and fulfilment',
  request: { params: byNumber },
  responses: { 200: ok(AdminOrderView), ...problems(400, 401, 404, 429) },
});
const fulfil = apiRoute({
  method: 'post',
  path: '/{number}/fulfil',
  ...admin,
  summary: 'Mark a paid order shipped, with carrier and tracking number (once; a repeat with the same values is a no-op)',
  request: { params: byNumber, body: jsonBody(FulfilRequest) },
  responses: { 200: ok(AdminOrderView), ...problems(400, 401, 404, 409, 415, 429) },
});

export const adminOrderRoutes = routesApp<ShopBindings>()
  .openapi(list, async (c) => {
    const { status, q, before, limit } = c.req.valid('query');
    const db = database(c.env.DB);
    const rows = await searchOrders(db, c.var.shop.id, { status, q, before, limit: limit + 1 });
    const page = rows.slice(0, limit);
    c.header('cache-control', 'no-store');
    return c.json({ orders: await orderViews(db, c.var.shop, page), nextBefore: rows.length > limit ? page.at(-1)!.number : null }, 200);
  })
  .openapi(exportCsv, async (c) => {
    const { from, to } = c.req.valid('query');
    const db = database(c.env.DB);
    const rows = await ordersCreatedBetween(db, c.var.shop.id, Date.parse(from), Date.parse(to) + DAY_MS, EXPORT_MAX_ORDERS + 1);
    if (rows.length > EXPORT_MAX_ORDERS) {
      throw new ProblemError({
        status: 400,
        code: 'export_too_large',
        detail: `More than ${EXPORT_MAX_ORDERS} orders from ${from} to ${to}: export a shorter period.`,
        errors: [{ path: 'to', message: `more than ${EXPORT_MAX_ORDERS} orders in the range` }],
      });
    }
    const csv = ordersCsv(await orderViews(db, c.var.shop, rows));
    return c.body(csv, 200, {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="orders-${c.var.shop.id}-${from}-to-${to}.csv"`,
      'cache-control': 'no-store',
    });
  })
  .openapi(one, async (c) => {
    const db = database(c.env.DB);
    const order = await orderByNumber(db, c.var.shop, c.req.valid('param').number);
    c.header('cache-control', 'no-store');
    return c.json((await orderViews(db, c.var.shop, [order]))[0]!, 200);
  })
  .openapi(fulfil, async (c) => {
    const db = database(c.env.DB);
    const shop = c.var.shop;
    const { number } = c.req.valid('param');
    const asked = c.req.valid('json');
    await fulfilOrder(db, await orderByNumber(db, shop, number), { ...asked, fulfilledAt: Date.now() });
    const order = await orderByNumber(db, shop, number);
    const [view] = await orderViews(db, shop, [order]);
    if (!order.fulfilment) {
      throw new ProblemError({
        status: 409,
        code: 'order_not_fulfillable',
        detail: `Order ${view!.number} is ${order.status}: only ${FULFILLABLE.join(' or ')} orders can ship. Nothing changed.`,
      });
    }
    const same = order.fulfilment.carrier === asked.carrier && order.fulfilment.trackingNumber === asked.trackingNumber;
    if (!same) {
      throw new ProblemError({
        status: 409,
        code: 'already_fulfilled',
        detail: `Order ${view!.number} already shipped with ${order.fulfilment.carrier} (${order.fulfilment.trackingNumber}). Nothing changed.`,
        extensions: { fulfilment: view!.fulfilment },
      });
    }
    return c.json(view!, 200);
  });
