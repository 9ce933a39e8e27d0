// POST /api/stripe-webhook: verified, tenant-checked, deduplicated Stripe events that turn holds into orders.
// Only a bad signature is a 4xx. A valid event that is not ours is 2xx `ignored` (any 4xx makes Stripe retry
// for days and can get the endpoint disabled); a failure we want retried is a 5xx with nothing recorded.
import { Hono } from 'hono';
import { database } from '../db/client';
import { requireKnownShop, type ShopBindings } from '../http/shop-context';
import { log } from '../log';
import { applyEvent } from '../webhooks/apply-event';
import { verifiedEvent } from '../webhooks/verify';

export const webhookRoutes = new Hono<ShopBindings>().use(requireKnownShop).post('/', async (c) => {
  const shop = c.var.shop;
  const payload = await c.req.text();
  const event = await verifiedEvent(c.env, shop, payload, c.req.header('stripe-signature'));
  const outcome = await applyEvent({ env: c.env, db: database(c.env.DB), shop, event, requestId: c.var.requestId, payload });
  log.info('webhook_event', { requestId: c.var.requestId, shopId: shop.id, eventId: event.id, type: event.type, outcome });
  return c.json({ received: true, outcome });
});
