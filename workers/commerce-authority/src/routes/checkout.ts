// POST /api/checkout-session and /api/checkout/session: a repriced, idempotent checkout that holds stock.
// The body is optional: without `items`, the cart of the cookie is checked out.
import { Hono } from 'hono';
import { CheckoutRequest } from '../../../../shared/contracts';
import { createCheckout } from '../checkout/create-checkout';
import { database } from '../db/client';
import { findCart } from '../db/carts';
import { readCartCookie } from '../http/cart-cookie';
import { idempotencyKeyHeader } from '../http/idempotency-key';
import { readJson } from '../http/json-body';
import type { ShopBindings } from '../http/shop-context';
import { paymentProviderFor } from '../payments/select';

export const checkoutRoutes = new Hono<ShopBindings>().post('/', async (c) => {
  const idempotencyKey = idempotencyKeyHeader(c);
  const request = (await c.req.text()).length === 0 ? {} : await readJson(c, CheckoutRequest);
  const origin = new URL(c.req.url).origin;
  const provider = paymentProviderFor(c.env, c.var.shop, origin);
  const db = database(c.env.DB);
  const cookieCart = await readCartCookie(c);
  const cart = cookieCart ? await findCart(db, c.var.shop.id, cookieCart) : undefined;
  const checkout = await createCheckout(
    { env: c.env, db, shop: c.var.shop, provider, origin, cartId: cart?.id ?? null, idempotencyKey, requestId: c.var.requestId },
    request,
  );
  c.header('cache-control', 'no-store');
  return c.json(checkout);
});
