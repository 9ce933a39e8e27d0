import type { CheckoutResponse, CheckoutStatusResponse } from '../../../../shared/contracts';
import type { CheckoutRow, OrderRow, orderLines } from '../db/schema';
import type { Shop } from '../db/shops';
import { fulfilmentView } from '../domain/fulfilment';

/** The public answer for an open checkout: no internal ids beyond the checkout's own. */
export function checkoutView(checkout: CheckoutRow): CheckoutResponse {
  return {
    checkoutId: checkout.id,
    sessionId: checkout.sessionId!,
    ...(checkout.sessionUrl ? { url: checkout.sessionUrl } : {}),
    ...(checkout.clientSecret ? { clientSecret: checkout.clientSecret } : {}),
    expiresAt: new Date(checkout.expiresAt).toISOString(),
    currency: checkout.currency,
    amounts: { subtotal: checkout.subtotal, discount: checkout.discount, shipping: checkout.shipping, tax: checkout.tax, total: checkout.total },
    lines: checkout.lines.map(({ sku, variantKey, name, attributes, quantity, unitAmount, lineAmount }) => ({
      sku,
      variantKey,
      name,
      attributes,
      quantity,
      unitAmount,
      lineAmount,
    })),
  };
}

export function orderNumber(shop: Pick<Shop, 'orderPrefix'>, order: Pick<OrderRow, 'number'>): string {
  return `${shop.orderPrefix}-${order.number}`;
}

/** The return page's view: where the checkout stands and what was bought. Nothing private (no email, address). */
export function checkoutStatus(
  shop: Shop,
  checkout: CheckoutRow,
  order: OrderRow | undefined,
  lines: (typeof orderLines.$inferSelect)[],
): CheckoutStatusResponse {
  const status = checkout.status === 'complete' ? 'complete' : checkout.status === 'pending' || checkout.status === 'open' ? 'open' : 'expired';
  const paymentStatus = !order || order.status === 'pending_payment' ? 'unpaid' : order.status === 'payment_failed' ? 'failed' : 'paid';
  return {
    status,
    paymentStatus,
    ...(order
      ? {
          order: {
            number: orderNumber(shop, order),
            status: order.status,
            fulfilment: fulfilmentView(order.fulfilment),
            lines: lines.map(({ name, attributes, quantity, unitAmount, lineAmount }) => ({ name, attributes, quantity, unitAmount, lineAmount })),
            total: order.total,
            currency: order.currency,
          },
        }
      : {}),
  };
}
