// POST /api/checkout-session and /api/checkout/session: a repriced, idempotent checkout that holds stock.
// The body is optional: without `items`, the cart of the cookie is checked out.
import { Hono } from 'hono';
import { clientKeyOf } from '../../../../shared/client-address';
import { CheckoutRequest, SessionId } from '../../../../shared/contracts';
import { CLIENT_IP_HEADER } from '../../../../shared/headers';
import { ProblemError } from '../../../../shared/problem';
import { checkoutStatus } from '../checkout/view';
import { findCheckoutBySession } from '../db/checkouts';
import { findOrderBySession, orderLinesOf } from '../db/orders';
import { createCheckout } from '../checkout/create-checkout';
import { database } from '../db/client';
import { findCart } from '../db/carts';
import { readCartCookie } from '../http/cart-cookie';
import { idempotencyKeyHeader } from '../http/idempotency-key';
import { readJson } from '../http/json-body';
import type { ShopBindings } from '../http/shop-context';
import { paymentProviderFor } from '../payments/select';

export const checkoutRoutes = new Hono<ShopBindings>()
  .get('/:id', async (c) => {
    const sessionId = SessionId.safeParse(c.req.param('id'));
    if (!sessionId.success) {
      throw new ProblemError({ status: 400, code: 'validation_failed', detail: 'Not a checkout session id.', errors: [{ path: 'id', message: 'expected cs_...' }] });
    }
    const db = database(c.env.DB);
    const shop = c.var.shop;
    const checkout = await findCheckoutBySession(db, shop.id, sessionId.data);
    if (!checkout) throw new ProblemError({ status: 404, code: 'unknown_session', detail: 'No checkout with this session in this shop.' });
    const order = await findOrderBySession(db, shop.id, sessionId.data);
    c.header('cache-control', 'no-store');
    return c.json(checkoutStatus(shop, checkout, order, order ? await orderLinesOf(db, order.id) : []));
  })
  .post('/', async (c) => {
  const idempotencyKey = idempotencyKeyHeader(c);
  const request = (await c.req.text()).length === 0 ? {} : await readJson(c, CheckoutRequest);
  const origin = new URL(c.req.url).origin;
  const provider = paymentProviderFor(c.env, c.var.shop, origin);
  const db = database(c.env.DB);
  const cookieCart = await readCartCookie(c);
  const cart = cookieCart ? await findCart(db, c.var.shop.id, cookieCart) : undefined;
  // Set by the front-door from CF-Connecting-IP; absent only on internal calls (tests, benchmarks).
  const clientIp = c.req.header(CLIENT_IP_HEADER) ?? null;
  const checkout = await createCheckout(
    {
      env: c.env,
      db,
      shop: c.var.shop,
      provider,
      origin,
      cartId: cart?.id ?? null,
      idempotencyKey,
      clientIp,
      clientKey: clientKeyOf(clientIp),
      requestId: c.var.requestId,
      defer: (work) => c.executionCtx.waitUntil(work),
    },
    request,
  );
  c.header('cache-control', 'no-store');
  return c.json(checkout);
  });
