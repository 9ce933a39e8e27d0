// POST /api/inventory/validate: per-line availability for the shop of the request. Reads only.
import { ValidateRequest, ValidateResponse } from '../../../../shared/contracts';
import { ProblemError } from '../../../../shared/problem';
import { resolveVariants } from '../db/catalog';
import { latencyIncrements, tally } from '../db/metrics';
import { judgeLines } from '../domain/availability';
import { apiRoute, jsonBody, ok, problems, routesApp } from '../http/api-route';
import type { ShopBindings } from '../http/shop-context';
import { readStock } from '../inventory/stock';

const validate = apiRoute({
  method: 'post',
  path: '/validate',
  tags: ['Storefront'],
  summary: 'Availability per line (reads only)',
  request: { body: jsonBody(ValidateRequest) },
  responses: { 200: ok(ValidateResponse), ...problems(400, 415, 429, 503) },
});

export const inventoryRoutes = routesApp<ShopBindings>().openapi(validate, async (c) => {
  const started = Date.now();
  const shop = c.var.shop;
  const request = c.req.valid('json');
  if (request.shopId !== undefined && request.shopId !== shop.id) {
    throw new ProblemError({
      status: 400,
      code: 'shop_mismatch',
      detail: 'The body names another shop than the one this host serves.',
      errors: [{ path: 'shopId', message: `this host serves ${shop.id}` }],
    });
  }

  const resolved = await resolveVariants(c.var.sessionDb, shop.id, request.items);
  const stock = await readStock(
    c.env,
    shop,
    resolved.flatMap((v) => (v && v.sellable && !v.backorder ? [v.variantKey] : [])),
  );
  const items = judgeLines(request.items, resolved, stock);
  // Counted after the answer: the histogram never slows the request it measures.
  tally(shop.id, latencyIncrements(Date.now() - started));
  return c.json({ ok: items.every((line) => line.ok), items }, 200);
});
