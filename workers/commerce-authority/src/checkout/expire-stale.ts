// Cron: checkouts past their expiry that no webhook closed (an `expired` event lost or late), and every open
// checkout of a deactivated shop, are ended here: holds released, provider session expired so it can no longer
// be paid. A deactivated shop's webhooks still record a payment that lands anyway. Bounded per run; idempotent.
import { and, asc, eq, inArray, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { checkouts, shops } from '../db/schema';
import { findShop } from '../db/shops';
import type { AuthorityEnv } from '../env';
import { paymentProviderFor } from '../payments/select';
import { endCheckout } from './end-checkout';

export const EXPIRE_BATCH = 100;

export async function expireStaleCheckouts(env: AuthorityEnv, db: Database, now: number): Promise<number> {
  const inactiveShops = db.select({ id: shops.id }).from(shops).where(eq(shops.status, 'inactive'));
  const stale = await db
    .select()
    .from(checkouts)
    .where(
      and(
        // Written as the partial index `checkouts_live_expiry` says it, so SQLite uses it (a bound list it cannot).
        sql`status IN ('pending', 'open')`,
        or(lte(checkouts.expiresAt, now), inArray(checkouts.shopId, inactiveShops)),
      ),
    )
    .orderBy(asc(checkouts.expiresAt))
    .limit(EXPIRE_BATCH);
  let ended = 0;
  for (const checkout of stale) {
    const shop = await findShop(db, checkout.shopId);
    let provider = null;
    try {
      provider = shop ? paymentProviderFor(env, shop, '') : null;
    } catch {
      provider = null; // no provider configured: the holds are still released
    }
    if (await endCheckout(env, db, provider, checkout, ['open', 'pending'], 'expired')) ended += 1;
  }
  return ended;
}
