// Turns requested lines, the catalog and live stock into per-line availability. Pure: no I/O.
// Lines that name the same variant compete for the same units, so each is judged on their sum.
import type { LineRequest, LineUnavailableReason } from '../../../../shared/contracts';
import { variantKey } from '../../../../shared/variant-key';

export interface VariantStock {
  available: number;
}

export interface KnownVariant {
  sku: string;
  variantKey: string;
  sellable: boolean;
  backorder: boolean;
}

export interface LineAvailability {
  sku: string;
  variantKey: string;
  requested: number;
  /** null when a best-effort shop could not read the stock. */
  available: number | null;
  ok: boolean;
  reason?: LineUnavailableReason;
}

/** The keys a request line may match: its own SKU, or product SKU + attributes. */
export function lookupKeys(line: Pick<LineRequest, 'sku' | 'variantAttributes'>): { sku?: string; variantKey: string } {
  const hasAttributes = line.variantAttributes && Object.keys(line.variantAttributes).length > 0;
  return hasAttributes ? { variantKey: variantKey(line.sku, line.variantAttributes) } : { sku: line.sku, variantKey: variantKey(line.sku) };
}

export function resolveLine<V extends KnownVariant>(
  line: Pick<LineRequest, 'sku' | 'variantAttributes'>,
  bySku: ReadonlyMap<string, V>,
  byKey: ReadonlyMap<string, V>,
): V | undefined {
  const keys = lookupKeys(line);
  return (keys.sku !== undefined ? bySku.get(keys.sku) : undefined) ?? byKey.get(keys.variantKey);
}

export function judgeLines(
  lines: readonly LineRequest[],
  resolved: readonly (KnownVariant | undefined)[],
  stock: ReadonlyMap<string, VariantStock>,
): LineAvailability[] {
  const demand = new Map<string, number>();
  resolved.forEach((variant, i) => {
    if (variant) demand.set(variant.variantKey, (demand.get(variant.variantKey) ?? 0) + lines[i]!.quantity);
  });

  return lines.map((line, i) => {
    const variant = resolved[i];
    if (!variant) {
      return { sku: line.sku, variantKey: lookupKeys(line).variantKey, requested: line.quantity, available: 0, ok: false, reason: 'unknown_sku' };
    }
    const snapshot = stock.get(variant.variantKey);
    const available = snapshot ? Math.max(0, snapshot.available) : null;
    const base = { sku: line.sku, variantKey: variant.variantKey, requested: line.quantity, available };
    if (!variant.sellable) return { ...base, available: 0, ok: false, reason: 'inactive' };
    if (variant.backorder || available === null) return { ...base, ok: true };
    const wanted = demand.get(variant.variantKey) ?? line.quantity;
    return wanted <= available ? { ...base, ok: true } : { ...base, ok: false, reason: 'insufficient_stock' };
  });
}
