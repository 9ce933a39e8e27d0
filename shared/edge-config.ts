// What the edge needs to know of a shop, served by the authority over RPC and cached by the gateway.
export type LimitedClass = 'read' | 'validate' | 'cart' | 'checkout' | 'admin';

export interface ShopEdgeConfig {
  shopId: string;
  /** Requests per minute per client IP, by route class. */
  rateLimits: Record<LimitedClass, number>;
}

export const DEFAULT_RATE_LIMITS: Record<LimitedClass, number> = {
  read: 300,
  validate: 60,
  cart: 120,
  checkout: 10,
  admin: 120,
};
