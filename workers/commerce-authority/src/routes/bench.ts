// GET /api/bench/noop: one read-only round trip to a Durable Object and nothing else: the floor a benchmark
// compares the real routes against (npm run bench). Not served in production.
import { z } from 'zod';
import type { StockSnapshot } from '../../../../durable-objects/inventory-do';
import { ProblemError } from '../../../../shared/problem';
import { apiRoute, ok, routesApp } from '../http/api-route';
import type { ShopBindings } from '../http/shop-context';
import { stockCall, stockObject } from '../inventory/stock';

// Not part of the public API: declared (so it is validated and typed like every route) but hidden.
const noop = apiRoute({
  method: 'get',
  path: '/noop',
  hide: true,
  responses: { 200: ok(z.object({ ok: z.literal(true) })) },
});

export const benchRoutes = routesApp<ShopBindings>().openapi(noop, async (c) => {
  if (c.env.ENVIRONMENT === 'production') throw new ProblemError({ status: 404, code: 'not_found', detail: 'Not in production.' });
  await stockCall<StockSnapshot>('noop', () => stockObject(c.env, c.var.shop.id, '__bench_noop__').snapshot());
  return c.json({ ok: true } as const, 200);
});
