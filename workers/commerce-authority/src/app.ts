// The authority's HTTP surface: one hono app, one file per resource under routes/, each route declared once with
// createRoute (request validation, handler types and /api/openapi.json come from that one declaration). Every error
// leaves as problem+json with the request id; nothing thrown here reaches a client as a stack trace.
import { HTTPException } from 'hono/http-exception';
import { REQUEST_ID_HEADER, requestIdFrom, SHOP_HEADER } from '../../../shared/headers';
import { PROBLEM_TITLES, ProblemError, problemResponse, type ProblemStatus } from '../../../shared/problem';
import type { AuthorityBindings } from './env';
import { flushSoon, talliesPending } from './db/metrics';
import { requireAdmin } from './http/admin-auth';
import { apiDocument, describeApi, type ApiDocument } from './http/api-document';
import { routesApp } from './http/api-route';
import { requireShop, type ShopBindings } from './http/shop-context';
import { log } from './log';
import { adminAlertRoutes } from './routes/admin/alerts';
import { adminCatalogRoutes } from './routes/admin/catalog';
import { adminInventoryRoutes } from './routes/admin/inventory';
import { adminMetricsRoutes } from './routes/admin/metrics';
import { adminOrderRoutes } from './routes/admin/orders';
import { adminCouponRoutes } from './routes/admin/coupons';
import { benchRoutes } from './routes/bench';
import { cartRoutes } from './routes/cart';
import { checkoutRoutes, checkoutSessionRoutes } from './routes/checkout';
import { devCheckoutRoutes } from './routes/dev-checkout';
import { docsRoutes } from './routes/docs';
import { healthRoutes } from './routes/health';
import { inventoryRoutes } from './routes/inventory';
import { productRoutes } from './routes/products';
import { webhookRoutes } from './routes/webhooks';


// Middleware before the routes it guards: hono applies a `use` to the routes registered after it.
// The checkout reads its shop in its own first batch (see create-checkout), so it comes before the shop check.
const checkoutApi = routesApp<AuthorityBindings>()
  .route('/checkout-session', checkoutRoutes('Create (or return) the checkout: repriced, idempotent, holds stock'))
  .route('/checkout/session', checkoutRoutes('The same as POST /api/checkout-session'));

const shopApi = routesApp<ShopBindings>();
shopApi.use(requireShop);
shopApi
  .route('/products', productRoutes)
  .route('/inventory', inventoryRoutes)
  .route('/cart', cartRoutes)
  .route('/checkout/session', checkoutSessionRoutes)
  .route('/dev-checkout', devCheckoutRoutes)
  .route('/bench', benchRoutes);
shopApi.use('/admin/*', requireAdmin);
shopApi
  .route('/admin/inventory', adminInventoryRoutes)
  .route('/admin/catalog', adminCatalogRoutes)
  .route('/admin/coupons', adminCouponRoutes)
  .route('/admin/orders', adminOrderRoutes)
  .route('/admin/metrics', adminMetricsRoutes)
  .route('/admin/alerts', adminAlertRoutes);

export const app = routesApp<AuthorityBindings>();
app.use(async (c, next) => {
  c.set('requestId', requestIdFrom(c.req.header(REQUEST_ID_HEADER)));
  const started = Date.now();
  await next();
  // Counts of this request (and of others in this isolate) are written after the answer, batched.
  if (talliesPending()) c.executionCtx.waitUntil(flushSoon(c.env.DB));
  c.header(REQUEST_ID_HEADER, c.var.requestId);
  log.info('request', {
    requestId: c.var.requestId,
    shopId: c.req.header(SHOP_HEADER),
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    ms: Date.now() - started,
  });
});

// Built on first request, when every route is declared; the declarations never change while the worker runs.
let document: ApiDocument | undefined;
describeApi(app);
app
  .route('/api/health', healthRoutes)
  // Before the shop API and its active-shop check: a deactivated shop's webhooks still record what was paid.
  .route('/api/stripe-webhook', webhookRoutes)
  .route('/api', docsRoutes(() => (document ??= apiDocument(app))))
  .route('/api', checkoutApi)
  .route('/api', shopApi);

app.notFound((c) =>
  problemResponse({ status: 404, code: 'not_found', detail: `No route for ${c.req.method} ${c.req.path}.` }, c.var.requestId),
);

app.onError((error, c) => {
  if (error instanceof ProblemError) return problemResponse(error.init, c.var.requestId);
  // The framework's own refusals (a request the JSON gate should have answered first): still a 4xx problem.
  if (error instanceof HTTPException && error.status < 500) {
    const status = error.status in PROBLEM_TITLES ? (error.status as ProblemStatus) : 400;
    const code = status === 415 ? 'unsupported_content_type' : 'invalid_request';
    const detail = error.message || 'The request is not valid.';
    return problemResponse({ status, code, detail }, c.var.requestId);
  }
  log.error('unhandled_error', { requestId: c.var.requestId, path: c.req.path, error: String(error), stack: (error as Error).stack });
  return problemResponse(
    { status: 500, code: 'internal_error', detail: 'Something went wrong on our side; nothing was charged. Try again.' },
    c.var.requestId,
  );
});
