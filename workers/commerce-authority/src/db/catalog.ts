// Catalog reads and the admin upsert. Prices live here and only here: every price the API shows or
// charges is read from these rows at the moment it is needed.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { CatalogUpsertRequest, LineRequest } from '../../../../shared/contracts';
import { variantKey } from '../../../../shared/variant-key';
import { lookupKeys, resolveLine } from '../domain/availability';
import type { Database } from './client';
import { jsonValues } from './json-values';
import { products, variants } from './schema';

export interface CatalogVariant {
  sku: string;
  productSku: string;
  productName: string;
  variantKey: string;
  attributes: Record<string, string>;
  unitAmount: number;
  currency: string;
  stripePriceId: string | null;
  /** Both the variant and its product are active. */
  sellable: boolean;
  backorder: boolean;
  /** At most this many in one cart or checkout; null: only the shop's line limit. */
  maxPerCheckout: number | null;
  /** A checkout with this variant must pass the shop's challenge. */
  requiresChallenge: boolean;
}

const variantColumns = {
  sku: variants.sku,
  productSku: variants.productSku,
  productName: products.name,
  variantKey: variants.variantKey,
  attributes: variants.attributes,
  unitAmount: variants.unitAmount,
  currency: variants.currency,
  stripePriceId: variants.stripePriceId,
  sellable: sql<boolean>`(${variants.active} AND ${products.active})`.mapWith(Boolean),
  backorder: variants.backorder,
  maxPerCheckout: variants.maxPerCheckout,
  requiresChallenge: variants.requiresChallenge,
};

/** Variants with their product's name and status; narrow it with `.where`. */
export function variantsWithProducts(db: Database) {
  return db
    .select(variantColumns)
    .from(variants)
    .innerJoin(products, and(eq(products.shopId, variants.shopId), eq(products.sku, variants.productSku)));
}

/**
 * Variants of the shop named by their own SKU or by their variant key. Two indexed lookups, not one query
 * with `sku IN (...) OR variant_key IN (...)`: SQLite serves that OR from neither index and reads every variant
 * of the shop (measured: 213 rows read for a one-line checkout in a 202-variant shop).
 */
export async function findVariants(
  db: Database,
  shopId: string,
  by: { skus: string[]; variantKeys: string[] },
): Promise<CatalogVariant[]> {
  const [bySku, byKey] = await Promise.all([
    by.skus.length > 0 ? variantsWithProducts(db).where(and(eq(variants.shopId, shopId), inArray(variants.sku, jsonValues(by.skus)))) : [],
    by.variantKeys.length > 0
      ? variantsWithProducts(db).where(and(eq(variants.shopId, shopId), inArray(variants.variantKey, jsonValues(by.variantKeys))))
      : [],
  ]);
  const found = new Map<string, CatalogVariant>();
  for (const variant of [...bySku, ...byKey]) found.set(variant.sku, variant);
  return [...found.values()];
}

/**
 * The variant each request line names (by its own SKU, or product SKU + attributes), or undefined. Lines are
 * looked up by SKU first; only the ones still unknown are looked up by variant key (one query in the usual case).
 */
export async function resolveVariants(
  db: Database,
  shopId: string,
  lines: readonly Pick<LineRequest, 'sku' | 'variantAttributes'>[],
): Promise<(CatalogVariant | undefined)[]> {
  const keys = lines.map(lookupKeys);
  const bySku = new Map((await findVariants(db, shopId, { skus: keys.flatMap((k) => (k.sku ? [k.sku] : [])), variantKeys: [] })).map((v) => [v.sku, v]));
  const unresolved = lines.filter((line) => !resolveLine(line, bySku, new Map()));
  const byKey = new Map(
    unresolved.length === 0
      ? []
      : (await findVariants(db, shopId, { skus: [], variantKeys: unresolved.map((l) => lookupKeys(l).variantKey) })).map((v) => [v.variantKey, v]),
  );
  return lines.map((line) => resolveLine(line, bySku, byKey));
}

/** Every variant of the shop, sellable or not, in catalog order (admin views). */
export async function listVariants(db: Database, shopId: string): Promise<(CatalogVariant & { lowStockThreshold: number | null })[]> {
  return db
    .select({ ...variantColumns, lowStockThreshold: variants.lowStockThreshold })
    .from(variants)
    .innerJoin(products, and(eq(products.shopId, variants.shopId), eq(products.sku, variants.productSku)))
    .where(eq(variants.shopId, shopId))
    .orderBy(asc(products.sortOrder), asc(products.sku), asc(variants.sortOrder), asc(variants.sku));
}

/** The merchant's low-stock threshold of a variant (null: none); false when the shop has no such sku. */
export async function setLowStockThreshold(db: Database, shopId: string, sku: string, threshold: number | null, now: number) {
  const updated = await db
    .update(variants)
    .set({ lowStockThreshold: threshold, updatedAt: now })
    .where(and(eq(variants.shopId, shopId), eq(variants.sku, sku)))
    .returning({ sku: variants.sku });
  return updated.length === 1;
}

export interface CatalogProduct {
  sku: string;
  name: string;
  description: string;
  variants: CatalogVariant[];
}

/** The storefront catalog: active products with their active variants, in catalog order. */
export async function listSellableCatalog(db: Database, shopId: string): Promise<CatalogProduct[]> {
  const rows = await db
    .select({ ...variantColumns, description: products.description })
    .from(variants)
    .innerJoin(products, and(eq(products.shopId, variants.shopId), eq(products.sku, variants.productSku)))
    .where(and(eq(variants.shopId, shopId), eq(variants.active, true), eq(products.active, true)))
    .orderBy(asc(products.sortOrder), asc(products.sku), asc(variants.sortOrder), asc(variants.sku));
  const byProduct = new Map<string, CatalogProduct>();
  for (const { description, ...variant } of rows) {
    let product = byProduct.get(variant.productSku);
    if (!product) {
      product = { sku: variant.productSku, name: variant.productName, description, variants: [] };
      byProduct.set(variant.productSku, product);
    }
    product.variants.push(variant);
  }
  return [...byProduct.values()];
}

export type CatalogUpsertResult =
  | { ok: true; products: number; variants: number }
  | { ok: false; conflicts: { path: string; message: string }[] };

/**
 * Inserts or updates the given products and variants in one atomic batch; products and variants not named
 * are left alone. A variant's identity (its product and attributes, hence its stock object) cannot change:
 * moving stock between identities is a stock operation, not a catalog edit.
 */
export async function upsertCatalog(
  db: Database,
  shopId: string,
  currency: string,
  request: CatalogUpsertRequest,
  now: number,
): Promise<CatalogUpsertResult> {
  const conflicts: { path: string; message: string }[] = [];
  const planned = request.products.flatMap((product, p) =>
    product.variants.map((variant, v) => ({
      path: `products[${p}].variants[${v}]`,
      productSku: product.sku,
      variant,
      key: variantKey(product.sku, variant.attributes),
    })),
  );

  const seenSkus = new Map<string, string>();
  const seenKeys = new Map<string, string>();
  for (const { path, variant, key } of planned) {
    if (variant.currency && variant.currency !== currency) {
      conflicts.push({ path: `${path}.currency`, message: `the shop sells in ${currency}` });
    }
    const skuOwner = seenSkus.get(variant.sku);
    if (skuOwner) conflicts.push({ path: `${path}.sku`, message: `repeats ${skuOwner}` });
    const keyOwner = seenKeys.get(key);
    if (keyOwner) conflicts.push({ path: `${path}.attributes`, message: `same product and attributes as ${keyOwner}` });
    seenSkus.set(variant.sku, path);
    seenKeys.set(key, path);
  }
  const productSkus = request.products.map((p) => p.sku);
  if (new Set(productSkus).size !== productSkus.length) {
    conflicts.push({ path: 'products', message: 'a product sku appears twice' });
  }

  const existing = await findVariants(db, shopId, { skus: [...seenSkus.keys()], variantKeys: [...seenKeys.keys()] });
  const existingBySku = new Map(existing.map((v) => [v.sku, v]));
  const existingByKey = new Map(existing.map((v) => [v.variantKey, v]));
  for (const { path, productSku, variant, key } of planned) {
    const sameSku = existingBySku.get(variant.sku);
    if (sameSku && (sameSku.productSku !== productSku || sameSku.variantKey !== key)) {
      conflicts.push({
        path: `${path}.sku`,
        message: `${variant.sku} already exists as ${sameSku.variantKey}; a variant's product and attributes cannot change`,
      });
    }
    const sameKey = existingByKey.get(key);
    if (sameKey && sameKey.sku !== variant.sku) {
      conflicts.push({ path: `${path}.attributes`, message: `variant ${sameKey.sku} already has these attributes` });
    }
  }
  if (conflicts.length > 0) return { ok: false, conflicts };

  const productStatements = request.products.map((product, index) =>
    db
      .insert(products)
      .values({
        shopId,
        sku: product.sku,
        name: product.name,
        description: product.description,
        active: product.active,
        sortOrder: index,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: [products.shopId, products.sku],
        set: {
          name: product.name,
          description: product.description,
          active: product.active,
          sortOrder: index,
          updatedAt: now,
        },
      }),
  );
  const variantStatements = request.products.flatMap((product) =>
    product.variants.map((variant, index) => {
      const fields = {
        unitAmount: variant.unitAmount,
        stripePriceId: variant.stripePriceId ?? null,
        active: variant.active,
        backorder: variant.backorder,
        maxPerCheckout: variant.maxPerCheckout ?? null,
        requiresChallenge: variant.requiresChallenge,
        sortOrder: index,
        updatedAt: now,
      };
      return db
        .insert(variants)
        .values({
          ...fields,
          shopId,
          sku: variant.sku,
          productSku: product.sku,
          variantKey: variantKey(product.sku, variant.attributes),
          attributes: variant.attributes,
          currency,
          createdAt: now,
        })
        .onConflictDoUpdate({ target: [variants.shopId, variants.sku], set: fields });
    }),
  );
  const [first, ...rest] = [...productStatements, ...variantStatements];
  try {
    await db.batch([first!, ...rest]);
  } catch (error) {
    // Two concurrent imports can both pass the checks above; the unique index settles it.
    if (String(error).includes('UNIQUE constraint failed')) {
      return { ok: false, conflicts: [{ path: 'products', message: 'changed concurrently by another import; retry' }] };
    }
    throw error;
  }
  return { ok: true, products: productStatements.length, variants: variantStatements.length };
}
