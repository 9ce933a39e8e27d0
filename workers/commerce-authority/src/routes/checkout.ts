// POST /api/checkout-session and /api/checkout/session: a repriced, idempotent checkout that holds stock.
// The body is optional: without `items`, the cart of the cookie is checked out. GET /api/checkout/session/{id}:
// where a checkout stands, for the return page.
import { z } from 'zod';
import {
  CheckoutRequest,
  CheckoutResponse,
  CheckoutStatusResponse,
  IdempotencyKey,
  SessionId,
} from '../../../../shared/contracts';
import { CLIENT_IP_HEADER } from '../../../../shared/headers';
import { ProblemError } from '../../../../shared/problem';
import { checkoutStatus } from '../checkout/view';
import { findCheckoutBySession } from '../db/checkouts';
import { findOrderBySession, orderLinesOf } from '../db/orders';
import { createCheckout } from '../checkout/create-checkout';
import { database } from '../db/client';
import { readCartCookie } from '../http/cart-cookie';
import { apiRoute, jsonBody, ok, problems, routesApp } from '../http/api-route';
import { keepBookmark, readSession } from '../http/read-session';
import { shopIdOf, type ShopBindings } from '../http/shop-context';
import type { AuthorityBindings } from '../env';
import { paymentProviderFor } from '../payments/select';

const CheckoutHeaders = z.object({
  'idempotency-key': IdempotencyKey.optional().meta({
    description:
      'One per checkout attempt (1 to 200 visible ASCII characters): a retry of the attempt returns its checkout; ' +
      'the same key with another body is 422. Without it, a cart (cookie) reuses its live checkout and a request ' +
      'with items makes a new one.',
  }),
});

const createSession = (summary: string) =>
  apiRoute({
    method: 'post',
    path: '/',
    tags: ['Checkout'],
    summary,
    request: { headers: CheckoutHeaders, body: jsonBody(CheckoutRequest, { required: false }) },
    responses: { 200: ok(CheckoutResponse), ...problems(400, 403, 409, 415, 422, 429, 502, 503) },
  });

/**
 * The POST, mounted at both paths; `summary` tells the two entries of the document apart. Mounted before the
 * shop middleware: the checkout looks its shop up in its own first read (one round trip for everything).
 */
export const checkoutRoutes = (summary: string) =>
  routesApp<AuthorityBindings>().openapi(createSession(summary), async (c) => {
    const idempotencyKey = c.req.valid('header')['idempotency-key'] ?? null;
    const request = c.req.valid('json');
    const origin = new URL(c.req.url).origin;
    // Writes (and the reads after a lost race) on the primary, through a session whose bookmark the shopper keeps:
    // their next checkout reads at least this one, even from a replica.
    const primary = c.env.DB.withSession('first-primary');
    let checkout;
    try {
      checkout = await createCheckout(
        {
          env: c.env,
          reads: database(readSession(c)),
          db: database(primary),
          shopId: shopIdOf(c),
          providerFor: (shop) => paymentProviderFor(c.env, shop, origin),
          origin,
          cartId: await readCartCookie(c),
          idempotencyKey,
          // Set by the front-door from CF-Connecting-IP; absent only on internal calls (tests, benchmarks).
          clientIp: c.req.header(CLIENT_IP_HEADER) ?? null,
          requestId: c.var.requestId,
        },
        request,
      );
    } finally {
      keepBookmark(c, primary);
    }
    c.header('cache-control', 'no-store');
    return c.json(checkout, 200);
  });

const sessionStatus = apiRoute({
  method: 'get',
  path: '/{id}',
  tags: ['Checkout'],
  summary: 'Where a checkout stands, for the return page',
  request: { params: z.object({ id: SessionId.meta({ description: 'The Checkout Session id (cs_...)' }) }) },
  responses: { 200: ok(CheckoutStatusResponse), ...problems(400, 404, 429) },
});

export const checkoutSessionRoutes = routesApp<ShopBindings>().openapi(sessionStatus, async (c) => {
  const { id: sessionId } = c.req.valid('param');
  const db = database(c.env.DB);
  const shop = c.var.shop;
  const checkout = await findCheckoutBySession(db, shop.id, sessionId);
  if (!checkout) {
    const detail = 'No checkout with this session in this shop.';
    throw new ProblemError({ status: 404, code: 'unknown_session', detail });
  }
  const order = await findOrderBySession(db, shop.id, sessionId);
  c.header('cache-control', 'no-store');
  return c.json(checkoutStatus(shop, checkout, order, order ? await orderLinesOf(db, order.id) : []), 200);
});
