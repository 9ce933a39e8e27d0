// GET /api/bench/noop: one read-only round trip to a Durable Object and nothing else: the floor a benchmark
// compares the real routes against (npm run bench). Not served in production.
import { Hono } from 'hono';
import type { StockSnapshot } from '../../../../durable-objects/inventory-do';
import { ProblemError } from '../../../../shared/problem';
import type { ShopBindings } from '../http/shop-context';
import { stockCall, stockObject } from '../inventory/stock';

export const benchRoutes = new Hono<ShopBindings>().get('/noop', async (c) => {
  if (c.env.ENVIRONMENT === 'production') throw new ProblemError({ status: 404, code: 'not_found', detail: 'Not in production.' });
  await stockCall<StockSnapshot>('noop', () => stockObject(c.env, c.var.shop.id, '__bench_noop__').snapshot());
  return c.json({ ok: true });
});
