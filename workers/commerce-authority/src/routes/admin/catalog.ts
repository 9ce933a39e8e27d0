// PUT /api/admin/catalog: upsert products and variants of the shop. Stock is not part of the catalog.
import { CatalogUpsertRequest, CatalogUpsertResponse } from '../../../../../shared/contracts';
import { ProblemError } from '../../../../../shared/problem';
import { upsertCatalog } from '../../db/catalog';
import { database } from '../../db/client';
import { ADMIN_SECURITY, apiRoute, jsonBody, ok, problems, routesApp } from '../../http/api-route';
import type { ShopBindings } from '../../http/shop-context';

const upsert = apiRoute({
  method: 'put',
  path: '/',
  tags: ['Admin'],
  summary: 'Upsert products and variants',
  security: ADMIN_SECURITY,
  request: { body: jsonBody(CatalogUpsertRequest) },
  responses: { 200: ok(CatalogUpsertResponse), ...problems(400, 401, 409, 415, 429) },
});

export const adminCatalogRoutes = routesApp<ShopBindings>().openapi(upsert, async (c) => {
  const request = c.req.valid('json');
  const shop = c.var.shop;
  const result = await upsertCatalog(database(c.env.DB), shop.id, shop.currency, request, Date.now());
  if (!result.ok) {
    throw new ProblemError({ status: 409, code: 'catalog_conflict', detail: 'The catalog was not changed.', errors: result.conflicts });
  }
  return c.json({ products: result.products, variants: result.variants }, 200);
});
