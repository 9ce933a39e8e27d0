// The public API's allowlist: every method + path that may cross the front-door, in one table. The front-door
// routes by it (everything else is 404, or 405 with Allow), and the gateway picks the rate-limit class from it.

/** Rate-limit classes; `webhook`, `health` and `docs` are never limited per IP. */
export type RouteClass = 'health' | 'docs' | 'read' | 'validate' | 'cart' | 'checkout' | 'admin' | 'webhook';

export interface RouteRule {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  class: RouteClass;
  /** Needs a shop (from the Host). Health and the API docs are answered for any host. */
  scoped: boolean;
  /** Largest accepted body in bytes. */
  maxBody: number;
}

export const DEFAULT_MAX_BODY = 64 * 1024;
// Stripe event payloads can carry a whole Checkout Session with its line items.
export const WEBHOOK_MAX_BODY = 512 * 1024;

const rule = (method: RouteRule['method'], path: string, cls: RouteClass, extra: Partial<RouteRule> = {}): RouteRule => ({
  method,
  path,
  class: cls,
  scoped: true,
  maxBody: DEFAULT_MAX_BODY,
  ...extra,
});

export const ROUTES: readonly RouteRule[] = [
  rule('GET', '/api/health', 'health', { scoped: false }),
  rule('GET', '/api/openapi.json', 'docs', { scoped: false }),
  rule('GET', '/api/docs', 'docs', { scoped: false }),
  rule('GET', '/api/products', 'read'),
  rule('POST', '/api/inventory/validate', 'validate'),
  rule('GET', '/api/cart', 'cart'),
  rule('POST', '/api/cart', 'cart'),
  rule('PATCH', '/api/cart', 'cart'),
  rule('PUT', '/api/cart', 'cart'),
  rule('DELETE', '/api/cart', 'cart'),
  rule('POST', '/api/checkout-session', 'checkout'),
  rule('POST', '/api/checkout/session', 'checkout'),
  rule('GET', '/api/checkout/session/:id', 'read'),
  rule('POST', '/api/stripe-webhook', 'webhook', { maxBody: WEBHOOK_MAX_BODY }),
  // The dev payment provider's page (the authority refuses it in production).
  rule('GET', '/api/dev-checkout/:session', 'read'),
  rule('POST', '/api/dev-checkout/:session/:action', 'cart'),
  // The benchmark's floor (a no-op Durable Object call); limited like validate, refused in production.
  rule('GET', '/api/bench/noop', 'validate'),
  rule('GET', '/api/admin/inventory', 'admin'),
  rule('PUT', '/api/admin/inventory/:sku', 'admin'),
  rule('POST', '/api/admin/inventory/:sku/adjust', 'admin'),
  rule('PUT', '/api/admin/inventory/:sku/low-stock', 'admin'),
  rule('GET', '/api/admin/inventory/:sku/changes', 'admin'),
  rule('PUT', '/api/admin/catalog', 'admin'),
  rule('GET', '/api/admin/coupons', 'admin'),
  rule('POST', '/api/admin/coupons', 'admin'),
  rule('POST', '/api/admin/coupons/:code/disable', 'admin'),
  rule('GET', '/api/admin/orders', 'admin'),
  rule('GET', '/api/admin/orders/export', 'admin'),
  rule('GET', '/api/admin/orders/:number', 'admin'),
  rule('POST', '/api/admin/orders/:number/fulfil', 'admin'),
  rule('GET', '/api/admin/metrics', 'admin'),
  rule('GET', '/api/admin/metrics/series', 'admin'),
  rule('GET', '/api/admin/alerts', 'admin'),
];

const compiled = ROUTES.map((r) => ({
  rule: r,
  pattern: new RegExp(`^${r.path.replace(/:[a-z]+/g, '[^/]+')}$`),
}));

export type RouteMatch =
  | { kind: 'route'; rule: RouteRule }
  | { kind: 'wrong_method'; allow: string[] }
  | { kind: 'not_found' };

export function matchRoute(method: string, pathname: string): RouteMatch {
  const onPath = compiled.filter((c) => c.pattern.test(pathname)).map((c) => c.rule);
  if (onPath.length === 0) return { kind: 'not_found' };
  const rule = onPath.find((r) => r.method === method);
  if (rule) return { kind: 'route', rule };
  return { kind: 'wrong_method', allow: onPath.map((r) => r.method) };
}
