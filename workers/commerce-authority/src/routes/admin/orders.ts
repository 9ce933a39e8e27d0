// GET /api/admin/orders: the shop's orders, newest first, with lines, attention flags, disputes and status history.
import { OrderListQuery, OrderListResponse } from '../../../../../shared/contracts';
import { orderNumber } from '../../checkout/view';
import { database } from '../../db/client';
import { listOrders, orderHistoryOf, orderLinesOf } from '../../db/orders';
import { ADMIN_SECURITY, apiRoute, ok, problems, routesApp } from '../../http/api-route';
import type { ShopBindings } from '../../http/shop-context';

const listOrdersRoute = apiRoute({
  method: 'get',
  path: '/',
  tags: ['Admin'],
  summary: 'Orders, newest first, with lines, attention flags and history',
  security: ADMIN_SECURITY,
  request: { query: OrderListQuery },
  responses: { 200: ok(OrderListResponse), ...problems(400, 401, 429) },
});

export const adminOrderRoutes = routesApp<ShopBindings>().openapi(listOrdersRoute, async (c) => {
  const { status, limit } = c.req.valid('query');
  const db = database(c.env.DB);
  const shop = c.var.shop;
  const rows = await listOrders(db, shop.id, status, limit);
  const orders = await Promise.all(
    rows.map(async (order) => ({
      id: order.id,
      number: orderNumber(shop, order),
      status: order.status,
      attention: order.attention,
      /** null, or a chargeback: disputed (open), won or lost. */
      dispute: order.dispute,
      email: order.email,
      shippingAddress: order.shippingAddress,
      couponCode: order.couponCode,
      currency: order.currency,
      amounts: { subtotal: order.subtotal, discount: order.discount, shipping: order.shipping, tax: order.tax, total: order.total, refunded: order.amountRefunded },
      sessionId: order.sessionId,
      paymentIntentId: order.paymentIntentId,
      createdAt: new Date(order.createdAt).toISOString(),
      lines: (await orderLinesOf(db, order.id)).map(({ sku, name, attributes, quantity, unitAmount, lineAmount, committed }) => ({
        sku,
        name,
        attributes,
        quantity,
        unitAmount,
        lineAmount,
        /** Units this line took out of stock (0 for backorder and oversold lines). */
        committed,
      })),
      history: (await orderHistoryOf(db, order.id)).map(({ at, status, note }) => ({ at: new Date(at).toISOString(), status, note })),
    })),
  );
  return c.json({ orders }, 200);
});
