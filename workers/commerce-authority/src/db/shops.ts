// Shop configuration reads. A shop that is missing or inactive does not exist for the public API.
import { and, eq } from 'drizzle-orm';
import type { ShopEdgeConfig } from '../../../../shared/edge-config';
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

/** A shop whatever its status: a deactivated shop's webhooks and cron still settle what its customers paid. */
export async function findShop(db: Database, shopId: string): Promise<Shop | undefined> {
  return db.select().from(shops).where(eq(shops.id, shopId)).get();
}

export function edgeConfigOf(shop: Shop): ShopEdgeConfig {
  return {
    shopId: shop.id,
    rateLimits: {
      read: shop.rateLimitReadPerMinute,
      validate: shop.rateLimitValidatePerMinute,
      cart: shop.rateLimitCartPerMinute,
      checkout: shop.rateLimitCheckoutPerMinute,
      admin: shop.rateLimitAdminPerMinute,
    },
  };
}
