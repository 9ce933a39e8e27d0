// A cart as the shopper sees it: stored lines (sku + quantity) hydrated with today's catalog price and
// live availability. Pure: no I/O. A line that cannot be bought as it is stays, marked with its problem.
import type { CartLineView, CartView } from '../../../../shared/contracts';

export interface HydrationVariant {
  sku: string;
  variantKey: string;
  productName: string;
  attributes: Record<string, string>;
  unitAmount: number;
  sellable: boolean;
  backorder: boolean;
}

export function hydrateCart(input: {
  cartId: string | null;
  currency: string;
  lines: readonly { sku: string; quantity: number }[];
  variants: ReadonlyMap<string, HydrationVariant>;
  /** Units available per variant key; missing when a best-effort shop could not read it. */
  available: ReadonlyMap<string, number>;
}): CartView {
  const lines: CartLineView[] = input.lines.map(({ sku, quantity }) => {
    const variant = input.variants.get(sku);
    if (!variant) {
      return { sku, variantKey: null, name: sku, attributes: {}, quantity, unitAmount: 0, lineAmount: 0, available: 0, problem: 'unknown_sku' };
    }
    const available = input.available.get(variant.variantKey) ?? null;
    const view: CartLineView = {
      sku,
      variantKey: variant.variantKey,
      name: variant.productName,
      attributes: variant.attributes,
      quantity,
      unitAmount: variant.unitAmount,
      lineAmount: variant.sellable ? variant.unitAmount * quantity : 0,
      available,
    };
    if (!variant.sellable) return { ...view, available: 0, problem: 'inactive' };
    if (!variant.backorder && available !== null && quantity > available) return { ...view, problem: 'insufficient_stock' };
    return view;
  });
  return {
    id: input.cartId,
    currency: input.currency,
    lines,
    subtotal: lines.reduce((sum, l) => sum + l.lineAmount, 0),
    itemCount: lines.reduce((sum, l) => sum + l.quantity, 0),
  };
}
