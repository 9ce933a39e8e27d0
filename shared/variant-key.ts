// The one canonical identity of a sellable variant. Every stock object, hold and cart line is keyed by it,
// so two spellings of the same variant ("Size: M" vs "size:m") must always produce the same key.

export type VariantAttributes = Record<string, string>;

function normalizeToken(value: string): string {
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Attributes with normalized keys and values, sorted by key; empty when there are none. */
export function normalizeAttributes(attributes: VariantAttributes | undefined): [string, string][] {
  if (!attributes) return [];
  const pairs = new Map<string, string>();
  for (const [key, value] of Object.entries(attributes)) pairs.set(normalizeToken(key), normalizeToken(value));
  return [...pairs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * `variantKey('CF-HB', { Size: 'M', colour: 'Navy' })` -> `cf-hb|colour=navy;size=m`.
 * Keys and values are URI-encoded so no attribute can forge a separator.
 */
export function variantKey(sku: string, attributes?: VariantAttributes): string {
  const base = normalizeToken(sku);
  const pairs = normalizeAttributes(attributes);
  if (pairs.length === 0) return base;
  const encoded = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join(';');
  return `${base}|${encoded}`;
}
