// Shop configuration reads. A shop that is missing or inactive does not exist for the public API.
import { and, eq } from 'drizzle-orm';
import type { Database } from './client';
import { shops, type ShopRow } from './schema';

export type Shop = ShopRow;

export async function findActiveShop(db: Database, shopId: string): Promise<Shop | undefined> {
  return db
    .select()
    .from(shops)
    .where(and(eq(shops.id, shopId), eq(shops.status, 'active')))
    .get();
}
