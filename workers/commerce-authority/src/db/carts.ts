// Cart storage. Every change is one SQL statement (or one batch), so concurrent changes to one cart
// serialize in D1 and the per-line cap and the lines-per-cart cap hold under any interleaving.
import { and, asc, eq, inArray, lt, sql } from 'drizzle-orm';
import { variantsWithProducts, type CatalogVariant } from './catalog';
import type { Database } from './client';
import { jsonValues } from './json-values';
import { prepared } from './statements';
import { cartLines, carts, variants } from './schema';

export interface StoredLine {
  sku: string;
  quantity: number;
}

/** What a cart view is made of: the lines in the order they were added, and the variants they name. */
export interface CartContents {
  lines: StoredLine[];
  variants: CatalogVariant[];
}

/** The cart if it exists and belongs to this shop. */
export async function findCart(db: Database, shopId: string, cartId: string) {
  return db.select().from(carts).where(and(eq(carts.id, cartId), eq(carts.shopId, shopId))).get();
}

export async function createCart(db: Database, shopId: string, cartId: string, now: number): Promise<void> {
  await db.insert(carts).values({ id: cartId, shopId, createdAt: now, updatedAt: now });
}

/** The two reads of a cart's contents, for a batch of their own or the end of a batch that writes the cart. */
function contentsReads(db: Database, shopId: string, cartId: string) {
  const ofCart = and(eq(cartLines.cartId, cartId), eq(cartLines.shopId, shopId));
  return [
    db.select({ sku: cartLines.sku, quantity: cartLines.quantity }).from(cartLines).where(ofCart).orderBy(asc(cartLines.createdAt), asc(cartLines.sku)),
    variantsWithProducts(db).where(and(eq(variants.shopId, shopId), inArray(variants.sku, db.select({ sku: cartLines.sku }).from(cartLines).where(ofCart)))),
  ] as const;
}

/** The cart's lines and their variants in one round trip. */
export async function cartContents(db: Database, shopId: string, cartId: string): Promise<CartContents> {
  const [lines, found] = await db.batch(contentsReads(db, shopId, cartId));
  return { lines, variants: found };
}

/** Whether the cart exists (in this shop), with its contents, in one round trip. */
export async function cartWithContents(db: Database, shopId: string, cartId: string): Promise<CartContents & { exists: boolean }> {
  const exists = db.select({ id: carts.id }).from(carts).where(and(eq(carts.id, cartId), eq(carts.shopId, shopId)));
  const [found, lines, variantsOf] = await db.batch([exists, ...contentsReads(db, shopId, cartId)]);
  return { exists: found.length > 0, lines, variants: variantsOf };
}

export interface LineCaps {
  /** The most this line may hold: min(per-line limit, available). */
  maxQuantity: number;
  maxLines: number;
}

/**
 * Adds `quantity` to the line (creating it), or sets it to `quantity` when `mode` is 'set', in one statement
 * that refuses to go past either cap; creates the cart first when it is new. One batch, one round trip: the
 * write, the cart's new idle clock (only when the line was written, so a refusal changes nothing), and the
 * contents after it. `quantity` is the line's new quantity, or null when a cap refused it.
 */
export async function writeLine(
  db: Database,
  line: { shopId: string; cartId: string; sku: string; quantity: number; mode: 'add' | 'set'; newCart: boolean },
  caps: LineCaps,
  now: number,
): Promise<CartContents & { quantity: number | null }> {
  const { shopId, cartId, sku, quantity } = line;
  const next = line.mode === 'add' ? sql`${cartLines.quantity} + excluded.quantity` : sql`excluded.quantity`;
  // The columns in the table's order (cart_id, shop_id, sku, quantity, created_at, updated_at).
  const upsert = db
    .insert(cartLines)
    .select(sql`
      SELECT ${cartId}, ${shopId}, ${sku}, ${quantity}, ${now}, ${now}
      WHERE ${quantity} <= ${caps.maxQuantity}
        AND (EXISTS (SELECT 1 FROM cart_lines WHERE cart_id = ${cartId} AND sku = ${sku})
             OR (SELECT COUNT(*) FROM cart_lines WHERE cart_id = ${cartId}) < ${caps.maxLines})`)
    .onConflictDoUpdate({
      target: [cartLines.cartId, cartLines.sku],
      set: { quantity: next, updatedAt: sql`excluded.updated_at` },
      setWhere: sql`${next} <= ${caps.maxQuantity}`,
    })
    .returning({ quantity: cartLines.quantity });
  const lineWritten = sql`EXISTS (SELECT 1 FROM cart_lines WHERE cart_id = ${cartId} AND sku = ${sku} AND updated_at = ${now})`;
  const touch = db.update(carts).set({ updatedAt: now }).where(and(eq(carts.id, cartId), eq(carts.shopId, shopId), lineWritten));
  const [lines, found] = contentsReads(db, shopId, cartId);
  if (line.newCart) {
    const create = db.insert(carts).values({ id: cartId, shopId, createdAt: now, updatedAt: now });
    const [, written, , contents, variantsOf] = await db.batch([create, upsert, touch, lines, found]);
    return { quantity: written[0]?.quantity ?? null, lines: contents, variants: variantsOf };
  }
  const [written, , contents, variantsOf] = await db.batch([upsert, touch, lines, found]);
  return { quantity: written[0]?.quantity ?? null, lines: contents, variants: variantsOf };
}

export async function removeLine(db: Database, shopId: string, cartId: string, sku: string, now: number) {
  await db.batch([
    db.delete(cartLines).where(and(eq(cartLines.cartId, cartId), eq(cartLines.shopId, shopId), eq(cartLines.sku, sku))),
    db.update(carts).set({ updatedAt: now }).where(and(eq(carts.id, cartId), eq(carts.shopId, shopId))),
  ]);
}

/** Replaces every line at once (an empty list empties the cart). */
export async function replaceLines(db: Database, shopId: string, cartId: string, lines: StoredLine[], now: number) {
  await db.batch([
    db.delete(cartLines).where(and(eq(cartLines.cartId, cartId), eq(cartLines.shopId, shopId))),
    ...lines.map((line, i) =>
      db.insert(cartLines).values({ cartId, shopId, sku: line.sku, quantity: line.quantity, createdAt: now + i, updatedAt: now }),
    ),
    db.update(carts).set({ updatedAt: now }).where(and(eq(carts.id, cartId), eq(carts.shopId, shopId))),
  ]);
}

export const CART_IDLE_DAYS = 30;
export const CART_PURGE_BATCH = 500;

/** Deletes carts untouched for 30 days, a bounded batch per call. Returns how many went. */
export async function purgeIdleCarts(db: Database, now: number): Promise<number> {
  const cutoff = now - CART_IDLE_DAYS * 24 * 60 * 60 * 1000;
  const idle = await db.select({ id: carts.id }).from(carts).where(lt(carts.updatedAt, cutoff)).limit(CART_PURGE_BATCH);
  if (idle.length === 0) return 0;
  const ids = jsonValues(idle.map((c) => c.id));
  // Re-checked inside the batch: a cart touched since the select above keeps its lines.
  const stillIdle = db.select({ id: carts.id }).from(carts).where(and(inArray(carts.id, ids), lt(carts.updatedAt, cutoff)));
  await db.batch([
    db.delete(cartLines).where(inArray(cartLines.cartId, stillIdle)),
    db.delete(carts).where(and(inArray(carts.id, ids), lt(carts.updatedAt, cutoff))),
  ]);
  return idle.length;
}

/** Empties a cart (after its checkout was paid), as a statement for a batch. */
export function clearCartStatement(db: Database, shopId: string, cartId: string) {
  return prepared(db, db.delete(cartLines).where(and(eq(cartLines.cartId, cartId), eq(cartLines.shopId, shopId))));
}
