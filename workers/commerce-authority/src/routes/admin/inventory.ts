// Admin stock: counts and adjustments for one variant, always through its InventoryDO (the only writer), its recent
// changes as that object recorded them, and the merchant's low-stock threshold (a D1 setting; no stock moves).
import type { Context } from 'hono';
import { ulid } from 'ulid';
import { z } from 'zod';
import type { StockChangeResult } from '../../../../../durable-objects/inventory-do';
import {
  AdjustStockRequest,
  IdempotencyKey,
  LowStockRequest,
  SetStockRequest,
  Sku,
  StockChangesQuery,
  StockChangesResponse,
  StockItemView,
  StockListResponse,
  StockView,
} from '../../../../../shared/contracts';
import { ProblemError } from '../../../../../shared/problem';
import { findVariants, listVariants, setLowStockThreshold, type CatalogVariant } from '../../db/catalog';
import { database } from '../../db/client';
import { ADMIN_SECURITY, apiRoute, jsonBody, ok, problems, routesApp } from '../../http/api-route';
import type { ShopBindings } from '../../http/shop-context';
import { forgetSoldOut } from '../../inventory/sold-out';
import { inventoryUnavailable, readStock, stockCall, stockObject } from '../../inventory/stock';

async function variantBySku(c: Context<ShopBindings>, sku: string): Promise<CatalogVariant> {
  const [variant] = await findVariants(database(c.env.DB), c.var.shop.id, { skus: [sku], variantKeys: [] });
  if (!variant) {
    throw new ProblemError({ status: 404, code: 'unknown_sku', detail: `No variant with sku ${sku} in this shop.` });
  }
  return variant;
}

/** The admin's Idempotency-Key makes a retried change apply once; without one every call is a new change. */
function changeId(key: string | undefined): string {
  return key === undefined ? `admin:${ulid()}` : `admin:key:${key}`;
}

async function applyChange(variant: CatalogVariant, change: () => PromiseLike<StockChangeResult>): Promise<StockView> {
  let result: StockChangeResult;
  try {
    result = await stockCall('stock change', change);
  } catch {
    throw inventoryUnavailable();
  }
  const view: StockView = { sku: variant.sku, variantKey: variant.variantKey, ...pickStock(result.snapshot) };
  if (!result.ok) {
    throw new ProblemError({
      status: 409,
      code: 'below_held',
      detail: `${view.held} units of ${variant.sku} are held for shoppers; on hand cannot go below that. Nothing changed.`,
      extensions: { stock: view },
    });
  }
  return view;
}

function pickStock(s: { onHand: number; held: number; available: number }) {
  return { onHand: s.onHand, held: s.held, available: s.available };
}

function isLow(available: number, threshold: number | null, backorder: boolean): boolean {
  return threshold !== null && !backorder && available <= threshold;
}

const admin = { tags: ['Admin'], security: ADMIN_SECURITY };
const bySku = z.object({ sku: Sku.meta({ description: 'The variant SKU' }) });
const change = {
  params: bySku,
  headers: z.object({
    'idempotency-key': IdempotencyKey.optional().meta({ description: 'A retry with this key applies the change once' }),
  }),
};

const list = apiRoute({
  method: 'get',
  path: '/',
  ...admin,
  summary: 'onHand, held and available per variant',
  responses: { 200: ok(StockListResponse), ...problems(401, 429) },
});
const setCount = apiRoute({
  method: 'put',
  path: '/{sku}',
  ...admin,
  summary: 'Set the counted stock of a variant',
  request: { ...change, body: jsonBody(SetStockRequest) },
  responses: { 200: ok(StockView), ...problems(400, 401, 404, 409, 415, 429) },
});
const adjust = apiRoute({
  method: 'post',
  path: '/{sku}/adjust',
  ...admin,
  summary: 'Add or remove stock with a reason',
  request: { ...change, body: jsonBody(AdjustStockRequest) },
  responses: { 200: ok(StockView), ...problems(400, 401, 404, 409, 415, 429) },
});

const setThreshold = apiRoute({
  method: 'put',
  path: '/{sku}/low-stock',
  ...admin,
  summary: 'Set (or clear, with null) the low-stock threshold of a variant',
  request: { params: bySku, body: jsonBody(LowStockRequest) },
  responses: { 200: ok(StockItemView), ...problems(400, 401, 404, 415, 429) },
});
const changes = apiRoute({
  method: 'get',
  path: '/{sku}/changes',
  ...admin,
  summary: 'The recent stock changes of a variant (set and adjust, refused ones too), newest first',
  request: { params: bySku, query: StockChangesQuery },
  responses: { 200: ok(StockChangesResponse), ...problems(400, 401, 404, 429) },
});

/** Every variant (or one) with its live stock and threshold, in catalog order. */
async function stockItems(c: Context<ShopBindings>, onlySku?: string): Promise<StockItemView[]> {
  const all = await listVariants(database(c.env.DB), c.var.shop.id);
  const variants = onlySku === undefined ? all : all.filter((v) => v.sku === onlySku);
  const shop = { ...c.var.shop, inventoryPolicy: 'fail_closed' as const };
  const stock = await readStock(c.env, shop, variants.map((v) => v.variantKey));
  return variants.map((v) => {
    const counts = pickStock(stock.get(v.variantKey)!);
    return {
      sku: v.sku,
      productSku: v.productSku,
      productName: v.productName,
      variantKey: v.variantKey,
      attributes: v.attributes,
      sellable: v.sellable,
      backorder: v.backorder,
      ...counts,
      lowStockThreshold: v.lowStockThreshold,
      lowStock: isLow(counts.available, v.lowStockThreshold, v.backorder),
    };
  });
}

export const adminInventoryRoutes = routesApp<ShopBindings>()
  .openapi(list, async (c) => {
    c.header('cache-control', 'no-store');
    return c.json({ items: await stockItems(c) }, 200);
  })
  .openapi(setThreshold, async (c) => {
    const { sku } = c.req.valid('param');
    const { lowStockThreshold } = c.req.valid('json');
    if (!(await setLowStockThreshold(database(c.env.DB), c.var.shop.id, sku, lowStockThreshold, Date.now()))) {
      await variantBySku(c, sku); // the 404
    }
    return c.json((await stockItems(c, sku))[0]!, 200);
  })
  .openapi(changes, async (c) => {
    const variant = await variantBySku(c, c.req.valid('param').sku);
    const { limit } = c.req.valid('query');
    const stock = stockObject(c.env, c.var.shop.id, variant.variantKey);
    let recent;
    try {
      recent = await stockCall('stock changes', () => stock.recentChanges(limit));
    } catch {
      throw inventoryUnavailable();
    }
    c.header('cache-control', 'no-store');
    const changes = recent.map(({ createdAt, ...change }) => ({ ...change, at: new Date(createdAt).toISOString() }));
    return c.json({ sku: variant.sku, changes }, 200);
  })
  .openapi(setCount, async (c) => {
    const variant = await variantBySku(c, c.req.valid('param').sku);
    const { onHand, reason = 'count set by admin' } = c.req.valid('json');
    const id = changeId(c.req.valid('header')['idempotency-key']);
    const stock = stockObject(c.env, c.var.shop.id, variant.variantKey);
    forgetSoldOut(c.var.shop.id, variant.variantKey);
    return c.json(await applyChange(variant, () => stock.set(id, onHand, reason)), 200);
  })
  .openapi(adjust, async (c) => {
    const variant = await variantBySku(c, c.req.valid('param').sku);
    const { delta, reason } = c.req.valid('json');
    const id = changeId(c.req.valid('header')['idempotency-key']);
    const stock = stockObject(c.env, c.var.shop.id, variant.variantKey);
    forgetSoldOut(c.var.shop.id, variant.variantKey);
    return c.json(await applyChange(variant, () => stock.adjust(id, delta, reason)), 200);
  });
