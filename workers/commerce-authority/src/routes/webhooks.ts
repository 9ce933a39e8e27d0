// POST /api/stripe-webhook: verified, tenant-checked, deduplicated Stripe events that turn holds into orders.
// Only a bad signature is a 4xx. A valid event that is not ours is 2xx `ignored` (any 4xx makes Stripe retry
// for days and can get the endpoint disabled); a failure we want retried is a 5xx with nothing recorded.
import { z } from 'zod';
import { WebhookResponse } from '../../../../shared/contracts';
import { database } from '../db/client';
import { tally } from '../db/metrics';
import { apiRoute, ok, problems, routesApp } from '../http/api-route';
import { requireKnownShop, type ShopBindings } from '../http/shop-context';
import { log } from '../log';
import { applyEvent } from '../webhooks/apply-event';
import { verifiedEvent } from '../webhooks/verify';

const receive = apiRoute({
  method: 'post',
  path: '/',
  tags: ['Checkout'],
  summary: 'Stripe events (signature-verified, per shop)',
  request: {
    headers: z.object({
      'stripe-signature': z.string().optional().meta({ description: "Stripe's t=...,v1=... signature" }),
    }),
    // Documented, not parsed: the signature covers the exact bytes, so the handler reads the raw text.
    body: {
      required: true,
      content: { 'application/json': { schema: { type: 'object', description: 'A Stripe event' } } },
    },
  },
  responses: { 200: ok(WebhookResponse), ...problems(400, 503) },
});

// Any shop that exists, active or not: a deactivated shop's payments still become orders.
const known = routesApp<ShopBindings>();
known.use(requireKnownShop);
// A delivery answered 5xx is one Stripe retries (and, if it goes on, disables): counted for the alert.
known.use(async (c, next) => {
  await next();
  if (c.res.status >= 500) tally(c.var.shop.id, { webhooks_failed: 1 });
});

export const webhookRoutes = known.openapi(receive, async (c) => {
  const shop = c.var.shop;
  const payload = await c.req.text();
  const event = await verifiedEvent(c.env, shop, payload, c.req.header('stripe-signature'));
  const db = database(c.env.DB);
  const outcome = await applyEvent({ env: c.env, db, shop, event, requestId: c.var.requestId, payload });
  log.info('webhook_event', { requestId: c.var.requestId, shopId: shop.id, eventId: event.id, type: event.type, outcome });
  return c.json({ received: true, outcome } as const, 200);
});
