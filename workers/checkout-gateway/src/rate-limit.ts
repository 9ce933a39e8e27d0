// Per-client rate limits by (shop, route class), counted in RateLimiter Durable Objects sharded by client (an
// IPv4 address or an IPv6 /64: shared/client-address.ts).
// When the limiter itself fails, checkout and admin fail closed (503): an unlimited checkout endpoint is
// how stock gets held hostage and cards get tested. Reads, validation and cart edits fail open.
import { withDeadline } from '../../../shared/deadline';
import type { LimitedClass, ShopEdgeConfig } from '../../../shared/edge-config';
import type { RateDecision } from '../../../durable-objects/rate-limiter';
import type { RouteClass } from '../../../shared/routes';
import type { GatewayEnv } from './env';

export const WINDOW_MS = 60_000;
const LIMITER_TIMEOUT_MS = 2_000;
const FAILS_CLOSED: ReadonlySet<LimitedClass> = new Set(['checkout', 'admin']);

export function limitedClass(routeClass: RouteClass): LimitedClass | null {
  return routeClass === 'health' || routeClass === 'docs' || routeClass === 'webhook' ? null : routeClass;
}

function envOverride(env: GatewayEnv, cls: LimitedClass): number | undefined {
  const raw = {
    checkout: env.RATE_LIMIT_CHECKOUT_PER_MINUTE,
    validate: env.RATE_LIMIT_VALIDATE_PER_MINUTE,
    cart: env.RATE_LIMIT_CART_PER_MINUTE,
    read: undefined,
    admin: undefined,
  }[cls];
  const value = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

export function limitFor(env: GatewayEnv, shop: ShopEdgeConfig, cls: LimitedClass): number {
  return envOverride(env, cls) ?? shop.rateLimits[cls];
}

export type LimitOutcome = { kind: 'decided'; decision: RateDecision } | { kind: 'limiter_down'; failClosed: boolean };

/**
 * Counters are sharded by client IP over a fixed set of objects: one address always lands on the same object,
 * no object is global, and a crowd of new addresses (a flash sale) reuses warm objects instead of creating one
 * per address.
 */
export const LIMITER_SHARDS = 256;

export function limiterShard(client: string): string {
  let hash = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < client.length; i++) hash = Math.imul(hash ^ client.charCodeAt(i), 0x01000193);
  return `shard:${(hash >>> 0) % LIMITER_SHARDS}`;
}

export async function checkLimit(env: GatewayEnv, client: string, shop: ShopEdgeConfig, cls: LimitedClass): Promise<LimitOutcome> {
  try {
    const limiter = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(limiterShard(client)));
    const decision = await withDeadline('rate limiter', LIMITER_TIMEOUT_MS, () =>
      limiter.hit(`${shop.shopId}:${cls}:${client}`, limitFor(env, shop, cls), WINDOW_MS),
    );
    return { kind: 'decided', decision };
  } catch {
    return { kind: 'limiter_down', failClosed: FAILS_CLOSED.has(cls) };
  }
}

/** RateLimit headers (IETF draft, draft-6 field names) for a decision under the named policy. */
export function rateLimitHeaders(decision: RateDecision, cls: LimitedClass): Record<string, string> {
  return {
    'ratelimit-policy': `${decision.limit};w=${WINDOW_MS / 1000};name="${cls}"`,
    'ratelimit-limit': String(decision.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': String(decision.resetSeconds),
  };
}
