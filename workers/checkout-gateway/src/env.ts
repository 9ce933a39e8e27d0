import type { ShopEdgeConfig } from '../../../shared/edge-config';
import type { RateLimiter } from '../../../durable-objects/rate-limiter';

/** The authority as the gateway sees it: HTTP for the API, RPC for shop lookups. */
export interface AuthorityService extends Fetcher {
  shopEdgeConfig(shopId: string): Promise<ShopEdgeConfig | null>;
}

export interface GatewayEnv {
  AUTHORITY: AuthorityService;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  /** Load-test overrides: when set, they replace every shop's limit for that class. */
  RATE_LIMIT_CHECKOUT_PER_MINUTE?: string;
  RATE_LIMIT_VALIDATE_PER_MINUTE?: string;
  RATE_LIMIT_CART_PER_MINUTE?: string;
  /** "1": add this hop's calls to the x-cost header (benchmarks). */
  COST_ACCOUNTING?: string;
  /** A latency model for the bench and stack tests (shared/latency-model.ts); honoured only when ENVIRONMENT is
   *  set and is not "production". */
  LATENCY_MODEL?: string;
  ENVIRONMENT?: string;
}
