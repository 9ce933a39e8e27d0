// The one read a checkout waits on before it holds stock: the shop, the lines to price (the cart's, or the
// variants the request names), the coupon with its uses, the checkouts that may be this buyer's own (the
// newest of its Idempotency-Key; the cart's live and newest ones) and what the client already holds. One D1
// batch: one round trip.
//
// It may be answered by a replica (a D1 session): nothing it returns is trusted for what must be current. The
// stock is decided by the holds, the caps and "one live checkout per key" by the claim's INSERT, and a request
// that loses a race there reads again from the primary (decision 0015).
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { LineRequest } from '../../../../shared/contracts';
import { lookupKeys } from '../domain/availability';
import { variantsWithProducts, type CatalogVariant } from './catalog';
import type { Database } from './client';
import { clientHolds, LIVE } from './checkouts';
import { couponQuery, couponWithUses, type CouponQueryRow, type CouponWithUses } from './coupons';
import { jsonValues } from './json-values';
import { cartLines, checkouts, shops, variants, type CheckoutRow } from './schema';
import type { Shop } from './shops';
import { prebuiltRead, type Statement } from './statements';

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


const ph = sql.placeholder;
const ofShop = (db: Database, where: SQL) => variantsWithProducts(db).where(and(eq(variants.shopId, ph('shopId')), where));
const ofKey = (db: Database, status?: SQL) =>
  db
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.shopId, ph('shopId')), eq(checkouts.idempotencyKey, ph('clientKey')), status));
const ofCart = (db: Database, status?: SQL) =>
  db
    .select()
    .from(checkouts)
    .where(and(eq(checkouts.shopId, ph('shopId')), eq(checkouts.cartId, ph('cartId')), status));
const linesOfCart = (db: Database) => and(eq(cartLines.cartId, ph('cartId')), eq(cartLines.shopId, ph('shopId')));

type OfShop = { shopId: string };
type OfCart = OfShop & { cartId: string };
type OfKey = OfShop & { clientKey: string };

/** Each read the batch may carry, built by drizzle once per isolate; a request sends those it needs. */
const READS = {
  shop: prebuiltRead<OfShop, Shop>((db) => db.select().from(shops).where(and(eq(shops.id, ph('shopId')), eq(shops.status, 'active'))).limit(1)),
  cartLines: prebuiltRead<OfCart, { sku: string; quantity: number }>((db) =>
    db
      .select({ sku: cartLines.sku, quantity: cartLines.quantity })
      .from(cartLines)
      .where(linesOfCart(db))
      .orderBy(cartLines.createdAt, cartLines.sku),
  ),
  variantsOfCart: prebuiltRead<OfCart, CatalogVariant>((db) =>
    ofShop(db, inArray(variants.sku, db.select({ sku: cartLines.sku }).from(cartLines).where(linesOfCart(db)))),
  ),
  // Lines named by SKU, and lines named by product and attributes (by variant key): two indexed lookups.
  variantsBySku: prebuiltRead<OfShop & { skus: string }, CatalogVariant>((db) => ofShop(db, inArray(variants.sku, jsonValues(ph('skus'))))),
  variantsByKey: prebuiltRead<OfShop & { variantKeys: string }, CatalogVariant>((db) =>
    ofShop(db, inArray(variants.variantKey, jsonValues(ph('variantKeys')))),
  ),
  coupon: prebuiltRead<OfShop & { code: string }, CouponQueryRow>((db) => couponQuery(db, ph('shopId'), ph('code'))),
  newestOfKey: prebuiltRead<OfKey, CheckoutRow>((db) => ofKey(db).orderBy(desc(checkouts.createdAt)).limit(1)),
  liveOfKey: prebuiltRead<OfKey, CheckoutRow>((db) => ofKey(db, LIVE).limit(1)),
  liveOfCart: prebuiltRead<OfCart, CheckoutRow>((db) => ofCart(db, LIVE)),
  newestOfCart: prebuiltRead<OfCart, CheckoutRow>((db) => ofCart(db).orderBy(desc(checkouts.createdAt)).limit(1)),
  heldByClient: prebuiltRead<OfShop & { holder: string; cartId: string | null; now: number }, { units: number }>((db) =>
    clientHolds(db, ph('shopId'), ph('holder'), ph('cartId'), ph('now')),
  ),
};
type ReadName = keyof typeof READS;
type ValuesOf<N extends ReadName> = Parameters<(typeof READS)[N]['statement']>[1];
type RowOf<N extends ReadName> = ReturnType<(typeof READS)[N]['rows']>[number];

export async function readForCheckout(db: Database, query: CheckoutReadsQuery): Promise<CheckoutReads> {
  const { shopId, cartId } = query;
  const keys = (query.items ?? []).map(lookupKeys);
  const skus = keys.flatMap((k) => (k.sku ? [k.sku] : []));
  const variantKeys = keys.flatMap((k) => (k.sku ? [] : [k.variantKey]));

  const sent: { name: ReadName; statement: Statement }[] = [];
  const send = <N extends ReadName>(name: N, values: ValuesOf<N>) =>
    sent.push({ name, statement: (READS[name].statement as (db: Database, values: ValuesOf<N>) => Statement)(db, values) });
  send('shop', { shopId });
  if (query.items === null && cartId !== null) {
    send('cartLines', { shopId, cartId });
    send('variantsOfCart', { shopId, cartId });
  }
  if (skus.length > 0) send('variantsBySku', { shopId, skus: JSON.stringify(skus) });
  if (variantKeys.length > 0) send('variantsByKey', { shopId, variantKeys: JSON.stringify(variantKeys) });
  if (query.coupon !== null) send('coupon', { shopId, code: query.coupon.toUpperCase() });
  if (query.clientKey !== null) {
    send('newestOfKey', { shopId, clientKey: query.clientKey });
    send('liveOfKey', { shopId, clientKey: query.clientKey });
  }
  if (cartId !== null) {
    send('liveOfCart', { shopId, cartId });
    send('newestOfCart', { shopId, cartId });
  }
  if (query.holder !== null) send('heldByClient', { shopId, holder: query.holder, cartId, now: query.now });

  const results = await db.$client.batch(sent.map((read) => read.statement));
  const answer = new Map<ReadName, unknown[]>(sent.map(({ name }, i) => [name, READS[name].rows(results[i]!)]));
  const rows = <N extends ReadName>(name: N) => (answer.get(name) ?? []) as RowOf<N>[];

  return {
    shop: rows('shop')[0],
    cartLines: rows('cartLines'),
    variants: [...rows('variantsOfCart'), ...rows('variantsBySku'), ...rows('variantsByKey')],
    coupon: couponWithUses(rows('coupon')),
    newestOfKey: rows('newestOfKey')[0],
    liveOfKey: rows('liveOfKey')[0],
    liveOfCart: rows('liveOfCart'),
    newestOfCart: rows('newestOfCart')[0],
    heldByClient: rows('heldByClient')[0]?.units ?? 0,
  };
}
