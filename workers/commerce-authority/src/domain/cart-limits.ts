// Why a cart change was refused, worked out from the cart as it stands. Pure.

export type CartRefusal =
  | { kind: 'limit'; name: 'maxLineQuantity' | 'maxPerCheckout' | 'maxCartLines'; value: number }
  | { kind: 'stock'; available: number };

export function explainRefusal(input: {
  mode: 'add' | 'set';
  requested: number;
  /** The line's quantity now; 0 when the cart has no such line. */
  current: number;
  lineCount: number;
  maxLineQuantity: number;
  /** The variant's purchase limit (a limited drop); null: none. */
  maxPerCheckout: number | null;
  maxCartLines: number;
  /** null: not limited by stock (backorder, or unknown for a best-effort shop). */
  available: number | null;
}): CartRefusal | null {
  const target = input.mode === 'add' ? input.current + input.requested : input.requested;
  if (input.maxPerCheckout !== null && target > input.maxPerCheckout && input.maxPerCheckout < input.maxLineQuantity) {
    return { kind: 'limit', name: 'maxPerCheckout', value: input.maxPerCheckout };
  }
  if (target > input.maxLineQuantity) return { kind: 'limit', name: 'maxLineQuantity', value: input.maxLineQuantity };
  if (input.available !== null && target > input.available) return { kind: 'stock', available: input.available };
  if (input.current === 0 && input.lineCount >= input.maxCartLines) {
    return { kind: 'limit', name: 'maxCartLines', value: input.maxCartLines };
  }
  return null;
}
