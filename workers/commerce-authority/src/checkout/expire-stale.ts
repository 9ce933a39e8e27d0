// Cron: checkouts past their expiry that no webhook closed (an `expired` event lost or late) are ended
// here: holds released, provider session expired. Bounded per run; idempotent.
import { and, asc, inArray, lte } from 'drizzle-orm';
import type { Database } from '../db/client';
import { checkouts } from '../db/schema';
import { findActiveShop } from '../db/shops';
import type { AuthorityEnv } from '../env';
import { paymentProviderFor } from '../payments/select';
import { endCheckout } from './end-checkout';

export const EXPIRE_BATCH = 100;

export async function expireStaleCheckouts(env: AuthorityEnv, db: Database, now: number): Promise<number> {
  const stale = await db
    .select()
    .from(checkouts)
    .where(and(inArray(checkouts.status, ['open', 'pending']), lte(checkouts.expiresAt, now)))
    .orderBy(asc(checkouts.expiresAt))
    .limit(EXPIRE_BATCH);
  let ended = 0;
  for (const checkout of stale) {
    const shop = await findActiveShop(db, checkout.shopId);
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
