import type { InventoryDO } from '../../../durable-objects/inventory-do';
import type { ProviderMeter } from './payments/provider';

/** Bindings of the commerce-authority (root wrangler.toml). Secrets named by a shop's config are read by name. */
export interface AuthorityEnv {
  DB: D1Database;
  INVENTORY: DurableObjectNamespace<InventoryDO>;
  /** "production" forbids the dev payment provider and best-effort inventory. */
  ENVIRONMENT: string;
  /** HMAC key of the cart cookie (a secret). */
  CART_COOKIE_SECRET?: string;
  /** Tests only (ignored in production): send Stripe API calls to a fake at this base URL. */
  STRIPE_API_BASE?: string;
  /** Tests only (ignored in production): verify Turnstile tokens with a fake siteverify at this URL. */
  TURNSTILE_VERIFY_URL?: string;
  /** Per-request timeout of Stripe calls in ms (default 8000). */
  STRIPE_TIMEOUT_MS?: string;
  /** "1": answer an x-cost header per request (benchmarks; ignored in production). */
  COST_ACCOUNTING?: string;
  /** A latency model ("prod" or JSON, shared/latency-model.ts) for the bench and stack tests; ignored in production. */
  LATENCY_MODEL?: string;
  /** Not a binding: cost accounting's per-request counter of payment provider calls (cost-accounting.ts). */
  PAYMENT_PROVIDER_METER?: ProviderMeter;
}

export interface AuthorityVariables {
  requestId: string;
}

export type AuthorityBindings = { Bindings: AuthorityEnv; Variables: AuthorityVariables };
