// The one read a checkout waits on before it holds stock: the shop, the lines to price (the cart's, or the
// variants the request names), the coupon with its uses, the checkouts that may be this buyer's own (the
// newest of its Idempotency-Key; the cart's live and newest ones) and what the client already holds. One D1
// batch: one round trip.
//
// It may be answered by a replica (a D1 session): nothing it returns is trusted for what must be current. The
// stock is decided by the holds, the caps and "one live checkout per key" by the claim's INSERT, and a request
// that loses a race there reads again from the primary (decision 0015).
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { LineRequest } from '../../../../shared/contracts';
import { lookupKeys } from '../domain/availability';
import { variantsWithProducts, type CatalogVariant } from './catalog';
import type { Database } from './client';
import { clientHolds } from './checkouts';
import { couponQuery, couponWithUses, type CouponWithUses } from './coupons';
import { jsonValues } from './json-values';
import { cartLines, checkouts, shops, variants, type CheckoutRow } from './schema';
import type { Shop } from './shops';

export interface CheckoutReadsQuery {
  shopId: string;
  /** The lines the request names; null: the cart's. */
  items: readonly Pick<LineRequest, 'sku' | 'variantAttributes'>[] | null;
  cartId: string | null;
  coupon: string | null;
  /** The client's Idempotency-Key, namespaced as stored (`client:<key>`). */
  clientKey: string | null;
  /** Who would hold the units (an address or /64), for the cap; null when unknown. */
  holder: string | null;
  now: number;
}

export interface CheckoutReads {
  /** The shop, if it exists and is active. */
  shop: Shop | undefined;
  /** The cart's lines (none without a cart, or for a cart of another shop). */
  cartLines: { sku: string; quantity: number }[];
  /** The variants the lines may name, by SKU or variant key. */
  variants: CatalogVariant[];
  coupon: CouponWithUses | undefined;
  /** The newest checkout of the client's key, and its live one (the same row, unless clocks disagree). */
  newestOfKey: CheckoutRow | undefined;
  liveOfKey: CheckoutRow | undefined;
  /** The cart's live (pending or open) checkouts, whatever their key. */
  liveOfCart: CheckoutRow[];
  /** The cart's newest checkout, whatever its key and status. */
  newestOfCart: CheckoutRow | undefined;
  /** Units the holder holds in live checkouts other than the cart's (0 without a holder). */
  heldByClient: number;
}

type Read = BatchItem<'sqlite'>;

/** Live checkouts, written as the partial indexes say it (SQLite matches them on the literal text). */
const LIVE = sql`${checkouts.status} IN ('pending', 'open')`;

export async function readForCheckout(db: Database, query: CheckoutReadsQuery): Promise<CheckoutReads> {
  const { shopId, cartId } = query;
  const ofShop = (where: SQL | undefined) => variantsWithProducts(db).where(and(eq(variants.shopId, shopId), where));
  const keys = (query.items ?? []).map(lookupKeys);
  const skus = keys.flatMap((k) => (k.sku ? [k.sku] : []));
  const variantKeys = keys.flatMap((k) => (k.sku ? [] : [k.variantKey]));
  const ofCart = (cart: string, status?: SQL) =>
    db
      .select()
      .from(checkouts)
      .where(and(eq(checkouts.shopId, shopId), eq(checkouts.cartId, cart), status));
  const skusOfCart = (cart: string) =>
    db.select({ sku: cartLines.sku }).from(cartLines).where(and(eq(cartLines.cartId, cart), eq(cartLines.shopId, shopId)));

  // Each read is in the batch only when the request needs it; the names keep the answers apart.
  const reads: Record<keyof CheckoutReads, Read | null> = {
    shop: db.select().from(shops).where(and(eq(shops.id, shopId), eq(shops.status, 'active'))).limit(1),
    cartLines:
      query.items === null && cartId !== null
        ? db
            .select({ sku: cartLines.sku, quantity: cartLines.quantity })
            .from(cartLines)
            .where(and(eq(cartLines.cartId, cartId), eq(cartLines.shopId, shopId)))
            .orderBy(cartLines.createdAt, cartLines.sku)
        : null,
    variants:
      query.items === null
        ? cartId !== null
          ? ofShop(inArray(variants.sku, skusOfCart(cartId)))
          : null
        : skus.length > 0
          ? ofShop(inArray(variants.sku, jsonValues(skus)))
          : null,
    coupon: query.coupon !== null ? couponQuery(db, shopId, query.coupon) : null,
    newestOfKey:
      query.clientKey !== null
        ? db
            .select()
            .from(checkouts)
            .where(and(eq(checkouts.shopId, shopId), eq(checkouts.idempotencyKey, query.clientKey)))
            .orderBy(desc(checkouts.createdAt))
            .limit(1)
        : null,
    liveOfKey:
      query.clientKey !== null
        ? db
            .select()
            .from(checkouts)
            .where(and(eq(checkouts.shopId, shopId), eq(checkouts.idempotencyKey, query.clientKey), LIVE))
            .limit(1)
        : null,
    liveOfCart: cartId !== null ? ofCart(cartId, LIVE) : null,
    newestOfCart: cartId !== null ? ofCart(cartId).orderBy(desc(checkouts.createdAt)).limit(1) : null,
    heldByClient: query.holder !== null ? clientHolds(db, shopId, query.holder, cartId, query.now) : null,
  };
  // Lines named by product and attributes are looked up by variant key, in the same batch.
  const byVariantKey = variantKeys.length > 0 ? ofShop(inArray(variants.variantKey, jsonValues(variantKeys))) : null;

  const named = (Object.entries(reads) as [keyof CheckoutReads, Read | null][]).filter((entry): entry is [keyof CheckoutReads, Read] => entry[1] !== null);
  const batch = [...named.map(([, read]) => read), ...(byVariantKey ? [byVariantKey] : [])];
  const results = await db.batch(batch as [Read, ...Read[]]);
  const answer = new Map<keyof CheckoutReads, unknown[]>(named.map(([name], i) => [name, results[i] as unknown[]]));
  const rows = <T>(name: keyof CheckoutReads) => (answer.get(name) ?? []) as T[];

  return {
    shop: rows<Shop>('shop')[0],
    cartLines: rows<{ sku: string; quantity: number }>('cartLines'),
    variants: [...rows<CatalogVariant>('variants'), ...((byVariantKey ? results.at(-1) : []) as CatalogVariant[])],
    coupon: couponWithUses(rows('coupon')),
    newestOfKey: rows<CheckoutRow>('newestOfKey')[0],
    liveOfKey: rows<CheckoutRow>('liveOfKey')[0],
    liveOfCart: rows<CheckoutRow>('liveOfCart'),
    newestOfCart: rows<CheckoutRow>('newestOfCart')[0],
    heldByClient: rows<{ units: number }>('heldByClient')[0]?.units ?? 0,
  };
}
