// PUT /api/admin/catalog: upsert products and variants of the shop. Stock is not part of the catalog.
import { Hono } from 'hono';
import { CatalogUpsertRequest } from '../../../../../shared/contracts';
import { ProblemError } from '../../../../../shared/problem';
import { upsertCatalog } from '../../db/catalog';
import { database } from '../../db/client';
import { readJson } from '../../http/json-body';
import type { ShopBindings } from '../../http/shop-context';

export const adminCatalogRoutes = new Hono<ShopBindings>().put('/', async (c) => {
  const request = await readJson(c, CatalogUpsertRequest);
  const shop = c.var.shop;
  const result = await upsertCatalog(database(c.env.DB), shop.id, shop.currency, request, Date.now());
  if (!result.ok) {
    throw new ProblemError({ status: 409, code: 'catalog_conflict', detail: 'The catalog was not changed.', errors: result.conflicts });
  }
  return c.json({ products: result.products, variants: result.variants });
});
