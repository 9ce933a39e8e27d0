// POST /api/inventory/validate: per-line availability for the shop of the request. Reads only.
import { Hono } from 'hono';
import { ValidateRequest, type ValidateResponse } from '../../../../shared/contracts';
import { ProblemError } from '../../../../shared/problem';
import { resolveVariants } from '../db/catalog';
import { database } from '../db/client';
import { count, latencyIncrements } from '../db/metrics';
import { judgeLines } from '../domain/availability';
import { readJson } from '../http/json-body';
import type { ShopBindings } from '../http/shop-context';
import { readStock } from '../inventory/stock';

export const inventoryRoutes = new Hono<ShopBindings>().post('/validate', async (c) => {
  const started = Date.now();
  const shop = c.var.shop;
  const request = await readJson(c, ValidateRequest);
  if (request.shopId !== undefined && request.shopId !== shop.id) {
    throw new ProblemError({
      status: 400,
      code: 'shop_mismatch',
      detail: 'The body names another shop than the one this host serves.',
      errors: [{ path: 'shopId', message: `this host serves ${shop.id}` }],
    });
  }

  const resolved = await resolveVariants(database(c.env.DB), shop.id, request.items);
  const stock = await readStock(
    c.env,
    shop,
    resolved.flatMap((v) => (v && v.sellable && !v.backorder ? [v.variantKey] : [])),
  );
  const items = judgeLines(request.items, resolved, stock);
  // Counted after the answer: the histogram never slows the request it measures.
  c.executionCtx.waitUntil(count(database(c.env.DB), shop.id, latencyIncrements(Date.now() - started)));
  return c.json({ ok: items.every((line) => line.ok), items } satisfies ValidateResponse);
});
