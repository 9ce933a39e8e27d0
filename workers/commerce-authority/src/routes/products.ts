// GET /api/products: the shop's sellable catalog with live availability per variant, and what a storefront needs
// to know before checkout (the most of one item, purchase limits, whether a challenge will be asked).
import { ProductsResponse } from '../../../../shared/contracts';
import { publicChallengeConfig } from '../checkout/challenge';
import { listSellableCatalog } from '../db/catalog';
import { apiRoute, ok, problems, routesApp } from '../http/api-route';
import type { ShopBindings } from '../http/shop-context';
import { readStock, stockAvailable } from '../inventory/stock';

const listProducts = apiRoute({
  method: 'get',
  path: '/',
  tags: ['Storefront'],
  summary: "The shop's active catalog with live availability",
  responses: { 200: ok(ProductsResponse), ...problems(429) },
});

export const productRoutes = routesApp<ShopBindings>().openapi(listProducts, async (c) => {
  const shop = c.var.shop;
  const catalog = await listSellableCatalog(c.var.sessionDb, shop.id);
  const stock = await readStock(c.env, shop, catalog.flatMap((p) => p.variants.map((v) => v.variantKey)));
  const body: ProductsResponse = {
    currency: shop.currency,
    maxLineQuantity: shop.maxLineQuantity,
    challenge: publicChallengeConfig(c.env, shop),
    products: catalog.map((product) => ({
      sku: product.sku,
      name: product.name,
      description: product.description,
      variants: product.variants.map((v) => ({
        sku: v.sku,
        variantKey: v.variantKey,
        attributes: v.attributes,
        unitAmount: v.unitAmount,
        currency: v.currency,
        available: stockAvailable(stock.get(v.variantKey)),
        backorder: v.backorder,
        maxPerCheckout: v.maxPerCheckout,
        requiresChallenge: v.requiresChallenge,
      })),
    })),
  };
  c.header('cache-control', 'no-store');
  return c.json(body, 200);
});
