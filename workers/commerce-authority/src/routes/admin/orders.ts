// GET /api/admin/orders: the shop's orders, newest first, with lines, attention flags, disputes and status history.
import { Hono } from 'hono';
import { OrderListQuery } from '../../../../../shared/contracts';
import { orderNumber } from '../../checkout/view';
import { database } from '../../db/client';
import { listOrders, orderHistoryOf, orderLinesOf } from '../../db/orders';
import { validationProblem } from '../../http/json-body';
import type { ShopBindings } from '../../http/shop-context';

export const adminOrderRoutes = new Hono<ShopBindings>().get('/', async (c) => {
  const query = OrderListQuery.safeParse(c.req.query());
  if (!query.success) throw validationProblem(query.error);
  const db = database(c.env.DB);
  const shop = c.var.shop;
  const rows = await listOrders(db, shop.id, query.data.status, query.data.limit);
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
  return c.json({ orders });
});
