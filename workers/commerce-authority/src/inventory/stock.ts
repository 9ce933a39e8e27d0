// The authority's only door to the InventoryDOs. It enforces the shop's inventory policy: fail closed
// (the default, and the only policy in production) turns any stock object that cannot answer into a 503.
import { inventoryObjectName, type StockSnapshot } from '../../../../durable-objects/inventory-do';
import { withDeadline } from '../../../../shared/deadline';
import { ProblemError } from '../../../../shared/problem';
import type { Shop } from '../db/shops';
import type { AuthorityEnv } from '../env';
import { log } from '../log';

/** How long one stock object may take before we treat it as unavailable. */
export const STOCK_CALL_TIMEOUT_MS = 5_000;

export function stockObject(env: AuthorityEnv, shopId: string, variantKey: string) {
  return env.INVENTORY.get(env.INVENTORY.idFromName(inventoryObjectName(shopId, variantKey)));
}

/** One call to a stock object, bounded in time: a hung object counts as an unavailable one. */
export function stockCall<T>(what: string, call: () => PromiseLike<T>): Promise<T> {
  return withDeadline(what, STOCK_CALL_TIMEOUT_MS, call);
}

export function inventoryUnavailable(): ProblemError {
  return new ProblemError({
    status: 503,
    code: 'inventory_unavailable',
    detail: 'Stock cannot be checked right now, so nothing was held or changed. Try again shortly.',
    headers: { 'retry-after': '5' },
  });
}

/** Best effort is honoured only outside production; everywhere else the shop fails closed. */
export function failsClosed(env: AuthorityEnv, shop: Shop): boolean {
  return shop.inventoryPolicy !== 'best_effort' || env.ENVIRONMENT === 'production';
}

/**
 * Live stock for several variants at once. A variant whose object cannot answer is a 503 for a fail-closed
 * shop; for a best-effort shop it is left out of the map (unknown) and logged.
 */
export async function readStock(
  env: AuthorityEnv,
  shop: Shop,
  variantKeys: readonly string[],
): Promise<Map<string, StockSnapshot>> {
  const unique = [...new Set(variantKeys)];
  const results = await Promise.allSettled(
    unique.map((key) => stockCall<StockSnapshot>('stock read', () => stockObject(env, shop.id, key).snapshot())),
  );
  const stock = new Map<string, StockSnapshot>();
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') {
      stock.set(unique[i]!, result.value);
      return;
    }
    log.error('stock_read_failed', { shopId: shop.id, variantKey: unique[i], error: String(result.reason) });
  });
  if (stock.size < unique.length) {
    if (failsClosed(env, shop)) throw inventoryUnavailable();
    log.warn('stock_best_effort', { shopId: shop.id, unknown: unique.length - stock.size });
  }
  return stock;
}

/** What a shopper may buy now; null when the stock could not be read (best-effort shops only). */
export function stockAvailable(snapshot: StockSnapshot | undefined): number | null {
  return snapshot ? Math.max(0, snapshot.available) : null;
}
