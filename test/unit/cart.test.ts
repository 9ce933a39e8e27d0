import { describe, expect, it } from 'vitest';
import { hydrateCart, type HydrationVariant } from '../../workers/commerce-authority/src/domain/cart';
import { explainRefusal } from '../../workers/commerce-authority/src/domain/cart-limits';

const variant = (sku: string, patch: Partial<HydrationVariant> = {}): HydrationVariant => ({
  sku,
  variantKey: sku.toLowerCase(),
  productName: 'Headband',
  attributes: { size: 'M' },
  unitAmount: 1800,
  sellable: true,
  backorder: false,
  maxPerCheckout: null,
  requiresChallenge: false,
  ...patch,
});

const TURNSTILE = { provider: 'turnstile' as const, siteKey: 'site-key', minTotal: 5000 };

describe('hydrateCart', () => {
  it('prices lines from the catalog and sums only what can be bought', () => {
    const variants = new Map([
      ['A', variant('A')],
      ['B', variant('B', { sellable: false, unitAmount: 999 })],
      ['C', variant('C', { backorder: true, unitAmount: 500 })],
    ]);
    const cart = hydrateCart({
      cartId: 'c1',
      currency: 'gbp',
      lines: [
        { sku: 'A', quantity: 3 },
        { sku: 'B', quantity: 1 },
        { sku: 'C', quantity: 4 },
        { sku: 'GONE', quantity: 2 },
      ],
      variants,
      available: new Map([
        ['a', 2],
        ['c', 0],
      ]),
      maxLineQuantity: 10,
      challenge: null,
    });
    expect(cart.lines.map((l) => [l.sku, l.lineAmount, l.problem])).toEqual([
      ['A', 5400, 'insufficient_stock'],
      ['B', 0, 'inactive'],
      ['C', 2000, undefined],
      ['GONE', 0, 'unknown_sku'],
    ]);
    expect(cart.subtotal).toBe(7400);
    expect(cart.itemCount).toBe(10);
    expect(cart.challenge).toBeNull();
  });

  it("gives each line its most (the shop's or the variant's limit) and flags a line over it", () => {
    const cart = hydrateCart({
      cartId: 'c1',
      currency: 'gbp',
      lines: [
        { sku: 'A', quantity: 3 },
        { sku: 'DROP', quantity: 3 },
      ],
      variants: new Map([
        ['A', variant('A')],
        ['DROP', variant('DROP', { maxPerCheckout: 2 })],
      ]),
      available: new Map([
        ['a', 10],
        ['drop', 10],
      ]),
      maxLineQuantity: 10,
      challenge: null,
    });
    expect(cart.lines.map((l) => [l.sku, l.maxQuantity, l.problem])).toEqual([
      ['A', 10, undefined],
      ['DROP', 2, 'over_limit'],
    ]);
  });

  it("tells when checking out the cart will ask for the shop's challenge: a total threshold or a flagged variant", () => {
    const cartOf = (quantity: number, flagged = false) =>
      hydrateCart({
        cartId: 'c1',
        currency: 'gbp',
        lines: [{ sku: 'A', quantity }],
        variants: new Map([['A', variant('A', { requiresChallenge: flagged })]]),
        available: new Map([['a', 10]]),
        maxLineQuantity: 10,
        challenge: TURNSTILE,
      });
    expect(cartOf(2).challenge).toBeNull(); // 3600 < 5000
    expect(cartOf(3).challenge).toEqual(TURNSTILE); // 5400
    expect(cartOf(1, true).challenge).toEqual(TURNSTILE);
  });
});

describe('explainRefusal', () => {
  const base = { mode: 'add' as const, requested: 1, current: 0, lineCount: 0, maxLineQuantity: 10, maxPerCheckout: null, maxCartLines: 50, available: 20 };
  it('names the per-line limit first, then stock, then the line count', () => {
    expect(explainRefusal({ ...base, current: 10 })).toEqual({ kind: 'limit', name: 'maxLineQuantity', value: 10 });
    expect(explainRefusal({ ...base, current: 3, available: 3 })).toEqual({ kind: 'stock', available: 3 });
    expect(explainRefusal({ ...base, lineCount: 50 })).toEqual({ kind: 'limit', name: 'maxCartLines', value: 50 });
    expect(explainRefusal({ ...base, mode: 'set', requested: 4, current: 9, available: 5 })).toBeNull();
  });

  it("names a variant's purchase limit when it is below the shop's line limit, before stock", () => {
    const limited = { ...base, maxPerCheckout: 2 };
    expect(explainRefusal({ ...limited, requested: 3, available: 1 })).toEqual({ kind: 'limit', name: 'maxPerCheckout', value: 2 });
    expect(explainRefusal({ ...limited, current: 2 })).toEqual({ kind: 'limit', name: 'maxPerCheckout', value: 2 });
    expect(explainRefusal({ ...limited, requested: 2 })).toBeNull();
    expect(explainRefusal({ ...base, maxPerCheckout: 50, requested: 11 })).toEqual({ kind: 'limit', name: 'maxLineQuantity', value: 10 });
  });
});
