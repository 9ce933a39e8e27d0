// Admin stock: counts and adjustments for one variant, always through its InventoryDO (the only writer).
import { Hono, type Context } from 'hono';
import { ulid } from 'ulid';
import type { StockChangeResult } from '../../../../../durable-objects/inventory-do';
import { AdjustStockRequest, SetStockRequest, Sku, type StockView } from '../../../../../shared/contracts';
import { ProblemError } from '../../../../../shared/problem';
import { findVariants, listVariants, type CatalogVariant } from '../../db/catalog';
import { database } from '../../db/client';
import { idempotencyKeyHeader } from '../../http/idempotency-key';
import { readJson } from '../../http/json-body';
import type { ShopBindings } from '../../http/shop-context';
import { inventoryUnavailable, readStock, stockCall, stockObject } from '../../inventory/stock';

async function variantBySku(c: Context<ShopBindings>): Promise<CatalogVariant> {
  const sku = Sku.safeParse(c.req.param('sku'));
  const [variant] = sku.success ? await findVariants(database(c.env.DB), c.var.shop.id, { skus: [sku.data], variantKeys: [] }) : [];
  if (!variant) throw new ProblemError({ status: 404, code: 'unknown_sku', detail: `No variant with sku ${c.req.param('sku')} in this shop.` });
  return variant;
}

/** The admin's Idempotency-Key makes a retried change apply once; without one every call is a new change. */
function changeId(c: Context<ShopBindings>): string {
  const key = idempotencyKeyHeader(c);
  return key === null ? `admin:${ulid()}` : `admin:key:${key}`;
}

async function applyChange(c: Context<ShopBindings>, variant: CatalogVariant, change: () => PromiseLike<StockChangeResult>) {
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
  return c.json(view);
}

function pickStock(s: { onHand: number; held: number; available: number }) {
  return { onHand: s.onHand, held: s.held, available: s.available };
}

export const adminInventoryRoutes = new Hono<ShopBindings>()
  .get('/', async (c) => {
    const variants = await listVariants(database(c.env.DB), c.var.shop.id);
    const stock = await readStock(c.env, { ...c.var.shop, inventoryPolicy: 'fail_closed' }, variants.map((v) => v.variantKey));
    return c.json({
      items: variants.map((v) => ({
        sku: v.sku,
        productSku: v.productSku,
        variantKey: v.variantKey,
        attributes: v.attributes,
        sellable: v.sellable,
        backorder: v.backorder,
        ...pickStock(stock.get(v.variantKey)!),
      })),
    });
  })
  .put('/:sku', async (c) => {
    const variant = await variantBySku(c);
    const { onHand } = await readJson(c, SetStockRequest);
    const id = changeId(c);
    return applyChange(c, variant, () => stockObject(c.env, c.var.shop.id, variant.variantKey).set(id, onHand, 'count set by admin'));
  })
  .post('/:sku/adjust', async (c) => {
    const variant = await variantBySku(c);
    const { delta, reason } = await readJson(c, AdjustStockRequest);
    const id = changeId(c);
    return applyChange(c, variant, () => stockObject(c.env, c.var.shop.id, variant.variantKey).adjust(id, delta, reason));
  });
