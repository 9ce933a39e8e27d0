// POST /api/stripe-webhook: verified, tenant-checked, deduplicated Stripe events that turn holds into orders.
import { Hono } from 'hono';
import { ProblemError } from '../../../../shared/problem';
import { database } from '../db/client';
import type { ShopBindings } from '../http/shop-context';
import { log } from '../log';
import { applyEvent, HANDLED_EVENTS } from '../webhooks/apply-event';
import { eventShop, verifiedEvent } from '../webhooks/verify';

export const webhookRoutes = new Hono<ShopBindings>().post('/', async (c) => {
  const shop = c.var.shop;
  const event = await verifiedEvent(c.env, shop, await c.req.text(), c.req.header('stripe-signature'));
  const named = eventShop(event);
  const fields = { requestId: c.var.requestId, shopId: shop.id, eventId: event.id, type: event.type };
  if (named !== undefined && named !== shop.id) {
    log.error('webhook_wrong_tenant', { ...fields, eventShop: named });
    throw new ProblemError({ status: 400, code: 'wrong_shop', detail: 'This event belongs to another shop.' });
  }
  if (!HANDLED_EVENTS.has(event.type)) return c.json({ received: true, outcome: 'ignored' });
  if (named === undefined) {
    log.error('webhook_missing_tenant', fields);
    throw new ProblemError({ status: 400, code: 'missing_shop', detail: 'The event carries no metadata.shop_id.' });
  }
  const outcome = await applyEvent({ env: c.env, db: database(c.env.DB), shop, event, requestId: c.var.requestId });
  log.info('webhook_event', { ...fields, outcome });
  return c.json({ received: true, outcome });
});
