// POST /api/stripe-webhook: verified, tenant-checked, deduplicated Stripe events that turn holds into orders.
import { z } from 'zod';
import { WebhookResponse } from '../../../../shared/contracts';
import { ProblemError } from '../../../../shared/problem';
import { database } from '../db/client';
import { apiRoute, ok, problems, routesApp } from '../http/api-route';
import type { ShopBindings } from '../http/shop-context';
import { log } from '../log';
import { applyEvent, HANDLED_EVENTS } from '../webhooks/apply-event';
import { eventShop, verifiedEvent } from '../webhooks/verify';

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

export const webhookRoutes = routesApp<ShopBindings>().openapi(receive, async (c) => {
  const shop = c.var.shop;
  const event = await verifiedEvent(c.env, shop, await c.req.text(), c.req.header('stripe-signature'));
  const named = eventShop(event);
  const fields = { requestId: c.var.requestId, shopId: shop.id, eventId: event.id, type: event.type };
  if (named !== undefined && named !== shop.id) {
    log.error('webhook_wrong_tenant', { ...fields, eventShop: named });
    throw new ProblemError({ status: 400, code: 'wrong_shop', detail: 'This event belongs to another shop.' });
  }
  if (!HANDLED_EVENTS.has(event.type)) return c.json({ received: true, outcome: 'ignored' } as const, 200);
  if (named === undefined) {
    log.error('webhook_missing_tenant', fields);
    throw new ProblemError({ status: 400, code: 'missing_shop', detail: 'The event carries no metadata.shop_id.' });
  }
  const outcome = await applyEvent({ env: c.env, db: database(c.env.DB), shop, event, requestId: c.var.requestId });
  log.info('webhook_event', { ...fields, outcome });
  return c.json({ received: true, outcome } as const, 200);
});
