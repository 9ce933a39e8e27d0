// The authority's HTTP surface: one hono app, one file per resource under routes/. Every error leaves as
// problem+json with the request id; nothing thrown here reaches a client as a stack trace.
import { Hono } from 'hono';
import { REQUEST_ID_HEADER, requestIdFrom, SHOP_HEADER } from '../../../shared/headers';
import { ProblemError, problemResponse } from '../../../shared/problem';
import type { AuthorityBindings } from './env';
import { requireAdmin } from './http/admin-auth';
import { requireShop, type ShopBindings } from './http/shop-context';
import { log } from './log';
import { adminCatalogRoutes } from './routes/admin/catalog';
import { adminInventoryRoutes } from './routes/admin/inventory';
import { adminMetricsRoutes } from './routes/admin/metrics';
import { adminOrderRoutes } from './routes/admin/orders';
import { adminCouponRoutes } from './routes/admin/coupons';
import { benchRoutes } from './routes/bench';
import { cartRoutes } from './routes/cart';
import { checkoutRoutes } from './routes/checkout';
import { devCheckoutRoutes } from './routes/dev-checkout';
import { docsRoutes } from './routes/docs';
import { healthRoutes } from './routes/health';
import { inventoryRoutes } from './routes/inventory';
import { productRoutes } from './routes/products';
import { webhookRoutes } from './routes/webhooks';


const shopApi = new Hono<ShopBindings>()
  .use(requireShop)
  .route('/products', productRoutes)
  .route('/inventory', inventoryRoutes)
  .route('/cart', cartRoutes)
  .route('/checkout-session', checkoutRoutes)
  .route('/checkout/session', checkoutRoutes)
  .route('/dev-checkout', devCheckoutRoutes)
  .route('/bench', benchRoutes)
  .use('/admin/*', requireAdmin)
  .route('/admin/inventory', adminInventoryRoutes)
  .route('/admin/catalog', adminCatalogRoutes)
  .route('/admin/coupons', adminCouponRoutes)
  .route('/admin/orders', adminOrderRoutes)
  .route('/admin/metrics', adminMetricsRoutes);

export const app = new Hono<AuthorityBindings>()
  .use(async (c, next) => {
    c.set('requestId', requestIdFrom(c.req.header(REQUEST_ID_HEADER)));
    const started = Date.now();
    await next();
    c.header(REQUEST_ID_HEADER, c.var.requestId);
    log.info('request', {
      requestId: c.var.requestId,
      shopId: c.req.header(SHOP_HEADER),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Date.now() - started,
    });
  })
  .route('/api/health', healthRoutes)
  // Before the shop API and its active-shop check: a deactivated shop's webhooks still record what was paid.
  .route('/api/stripe-webhook', webhookRoutes)
  .route('/api', docsRoutes)
  .route('/api', shopApi);

app.notFound((c) =>
  problemResponse({ status: 404, code: 'not_found', detail: `No route for ${c.req.method} ${c.req.path}.` }, c.var.requestId),
);

app.onError((error, c) => {
  if (error instanceof ProblemError) return problemResponse(error.init, c.var.requestId);
  log.error('unhandled_error', { requestId: c.var.requestId, path: c.req.path, error: String(error), stack: (error as Error).stack });
  return problemResponse(
    { status: 500, code: 'internal_error', detail: 'Something went wrong on our side; nothing was charged. Try again.' },
    c.var.requestId,
  );
});
