// A cart as the shopper sees it: stored lines (sku + quantity) hydrated with today's catalog price and
// live availability. Pure: no I/O. A line that cannot be bought as it is stays, marked with its problem.
import type { CartLineView, CartView, ChallengeConfig } from '../../../../shared/contracts';

export interface HydrationVariant {
  sku: string;
  variantKey: string;
  productName: string;
  attributes: Record<string, string>;
  unitAmount: number;
  sellable: boolean;
  backorder: boolean;
  maxPerCheckout: number | null;
  requiresChallenge: boolean;
}

export function hydrateCart(input: {
  cartId: string | null;
  currency: string;
  lines: readonly { sku: string; quantity: number }[];
  variants: ReadonlyMap<string, HydrationVariant>;
  /** Units available per variant key; missing when a best-effort shop could not read it. */
  available: ReadonlyMap<string, number>;
  /** The shop's caps: the most of one item in a cart (a variant's maxPerCheckout may lower it). */
  maxLineQuantity: number;
  /** The shop's challenge, if it asks for one on some checkouts. */
  challenge: ChallengeConfig | null;
}): CartView {
  const lines: CartLineView[] = input.lines.map(({ sku, quantity }) => {
    const variant = input.variants.get(sku);
    if (!variant) {
      return {
        sku,
        variantKey: null,
        name: sku,
        attributes: {},
        quantity,
        maxQuantity: 0,
        unitAmount: 0,
        lineAmount: 0,
        available: 0,
        problem: 'unknown_sku',
      };
    }
    const maxQuantity = Math.min(input.maxLineQuantity, variant.maxPerCheckout ?? Infinity);
    const available = input.available.get(variant.variantKey) ?? null;
    const view: CartLineView = {
      sku,
      variantKey: variant.variantKey,
      name: variant.productName,
      attributes: variant.attributes,
      quantity,
      maxQuantity,
      unitAmount: variant.unitAmount,
      lineAmount: variant.sellable ? variant.unitAmount * quantity : 0,
      available,
    };
    if (!variant.sellable) return { ...view, available: 0, problem: 'inactive' };
    if (quantity > maxQuantity) return { ...view, problem: 'over_limit' }; // the limit was lowered after it was added
    if (!variant.backorder && available !== null && quantity > available) return { ...view, problem: 'insufficient_stock' };
    return view;
  });
  const subtotal = lines.reduce((sum, l) => sum + l.lineAmount, 0);
  const flagged = input.lines.some(({ sku }) => input.variants.get(sku)?.requiresChallenge);
  const { challenge } = input;
  const challenged = challenge !== null && (flagged || (challenge.minTotal !== null && subtotal >= challenge.minTotal));
  return {
    id: input.cartId,
    currency: input.currency,
    lines,
    subtotal,
    itemCount: lines.reduce((sum, l) => sum + l.quantity, 0),
    challenge: challenged ? challenge : null,
  };
}
