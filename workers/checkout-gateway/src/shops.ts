// Shop lookups for the gateway, cached per isolate for a short time: every request needs its shop's
// status and limits, and asking the authority each time would add a hop to every request.
import type { ShopEdgeConfig } from '../../../shared/edge-config';
import type { AuthorityService } from './env';

export const SHOP_CACHE_TTL_MS = 30_000;
const MAX_ENTRIES = 1_000;

const cache = new Map<string, { config: ShopEdgeConfig | null; expires: number }>();

/** The shop's edge config, or null for an unknown or inactive shop (also cached, so probing is cheap). */
export async function shopEdgeConfig(authority: AuthorityService, shopId: string, now = Date.now(), onLookup?: () => void) {
  const hit = cache.get(shopId);
  if (hit && hit.expires > now) return hit.config;
  onLookup?.();
  const config = await authority.shopEdgeConfig(shopId);
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(shopId, { config, expires: now + SHOP_CACHE_TTL_MS });
  return config;
}
