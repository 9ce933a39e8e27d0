// Pure helpers for lines of goods: no I/O, unit-tested in Node.

export interface Demand {
  variantKey: string;
  sku: string;
  quantity: number;
}

/** One demand per variant, quantities summed, in first-seen order: two lines for one variant hold once. */
export function mergeDemand<T extends Demand>(lines: readonly T[]): T[] {
  const merged = new Map<string, T>();
  for (const line of lines) {
    const seen = merged.get(line.variantKey);
    merged.set(line.variantKey, seen ? { ...seen, quantity: seen.quantity + line.quantity } : { ...line });
  }
  return [...merged.values()];
}
