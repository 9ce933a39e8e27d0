// Checkout pricing: every amount comes from the catalog rows passed in, never from the client. Pure.
import type { CouponRow, PricedLine } from '../db/schema';

export interface PricingVariant {
  sku: string;
  variantKey: string;
  productName: string;
  attributes: Record<string, string>;
  unitAmount: number;
  stripePriceId: string | null;
  backorder: boolean;
}

/** One priced line per variant (quantities of repeated lines summed), in first-seen order. */
export function priceLines(lines: readonly { variant: PricingVariant; quantity: number }[]): PricedLine[] {
  const bySku = new Map<string, PricedLine>();
  for (const { variant, quantity } of lines) {
    const seen = bySku.get(variant.sku);
    const total = (seen?.quantity ?? 0) + quantity;
    bySku.set(variant.sku, {
      sku: variant.sku,
      variantKey: variant.variantKey,
      name: variant.productName,
      attributes: variant.attributes,
      quantity: total,
      unitAmount: variant.unitAmount,
      lineAmount: variant.unitAmount * total,
      stripePriceId: variant.stripePriceId,
      backorder: variant.backorder,
    });
  }
  return [...bySku.values()];
}

export type CouponVerdict =
  | { ok: true; discount: number }
  | {
      ok: false;
      reason: 'coupon_unknown' | 'coupon_inactive' | 'coupon_not_started' | 'coupon_expired' | 'coupon_minimum_not_met';
      detail: string;
    };

/**
 * Whether a coupon applies to this subtotal now, and how much it takes off (never more than the subtotal).
 * Whether a use is left is not decided here: reserving the use at checkout decides it, atomically, when
 * checkouts race for the last one (and a cart checking out again first gives back the use it held).
 */
export function evaluateCoupon(coupon: CouponRow | undefined, subtotal: number, now: number): CouponVerdict {
  if (!coupon) return { ok: false, reason: 'coupon_unknown', detail: 'This coupon code does not exist.' };
  if (!coupon.active) return { ok: false, reason: 'coupon_inactive', detail: 'This coupon is no longer valid.' };
  if (coupon.startsAt !== null && now < coupon.startsAt) return { ok: false, reason: 'coupon_not_started', detail: 'This coupon is not valid yet.' };
  if (coupon.endsAt !== null && now >= coupon.endsAt) return { ok: false, reason: 'coupon_expired', detail: 'This coupon has expired.' };
  if (subtotal < coupon.minSubtotal) {
    return { ok: false, reason: 'coupon_minimum_not_met', detail: `This coupon needs a subtotal of at least ${coupon.minSubtotal}.` };
  }
  // Percentages round down, so the discount shown is never more than the discount given.
  const discount = coupon.percentOff !== null ? Math.floor((subtotal * coupon.percentOff) / 100) : Math.min(coupon.amountOff ?? 0, subtotal);
  return { ok: true, discount };
}
