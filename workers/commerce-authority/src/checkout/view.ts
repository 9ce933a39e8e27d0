import type { CheckoutResponse } from '../../../../shared/contracts';
import type { CheckoutRow } from '../db/schema';

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
