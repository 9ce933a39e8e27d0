// One webhook handler at a time per order (keyed by its Checkout Session). Stripe delivers the events of one
// payment concurrently and in any order; under the lease each handler reads the order, moves its stock and
// writes, with nobody changing the order in between. A crashed holder's lease lapses after LEASE_MS.
import { and, eq, lt, sql } from 'drizzle-orm';
import { ProblemError } from '../../../../shared/problem';
import type { Database } from './client';
import { webhookLocks } from './schema';

/** Longer than any handler runs (stock calls time out after 5 s each, Stripe gives up after 20 s). */
export const LEASE_MS = 60_000;
/** How long a delivery waits for the lease before asking Stripe to retry it (503). */
export const LOCK_WAIT_MS = 10_000;

async function tryLock(db: Database, shopId: string, key: string, holder: string, now: number): Promise<boolean> {
  const rows = await db
    .insert(webhookLocks)
    .values({ shopId, key, holder, expiresAt: now + LEASE_MS })
    .onConflictDoUpdate({
      target: [webhookLocks.shopId, webhookLocks.key],
      set: { holder: sql`excluded.holder`, expiresAt: sql`excluded.expires_at` },
      setWhere: lt(webhookLocks.expiresAt, now),
    })
    .returning({ holder: webhookLocks.holder });
  return rows.length === 1;
}

/** When the current lease of `key` lapses (0: nobody holds it). */
async function leasedUntil(db: Database, shopId: string, key: string): Promise<number> {
  const row = await db
    .select({ expiresAt: webhookLocks.expiresAt })
    .from(webhookLocks)
    .where(and(eq(webhookLocks.shopId, shopId), eq(webhookLocks.key, key)))
    .get();
  return row?.expiresAt ?? 0;
}

/**
 * Runs `work` holding the lease of `key`. While waiting, `unlessDone` is asked (a read) whether the work is no
 * longer needed (a concurrent delivery of the same event applied it): then its answer is returned instead.
 */
export async function withWebhookLock<T>(
  db: Database,
  shopId: string,
  key: string,
  work: () => Promise<T>,
  unlessDone: () => Promise<T | null> = async () => null,
): Promise<T> {
  const holder = crypto.randomUUID();
  const giveUpAt = Date.now() + LOCK_WAIT_MS;
  let attempt = 0;
  while (!(await tryLock(db, shopId, key, holder, Date.now()))) {
    // Waiters back off and watch with reads, writing only when the lease looks free: their writes would
    // otherwise slow down the holder they wait for.
    do {
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, 10 * 2 ** attempt++) * (0.5 + Math.random())));
      const done = await unlessDone();
      if (done !== null) return done;
      if (Date.now() > giveUpAt) {
        throw new ProblemError({
          status: 503,
          code: 'webhook_busy',
          detail: 'Another event of this payment is being applied; nothing was recorded. Stripe will retry.',
          headers: { 'retry-after': '5' },
        });
      }
    } while ((await leasedUntil(db, shopId, key)) > Date.now());
  }
  try {
    return await work();
  } finally {
    await db
      .delete(webhookLocks)
      .where(and(eq(webhookLocks.shopId, shopId), eq(webhookLocks.key, key), eq(webhookLocks.holder, holder)));
  }
}

/** Cron: leases whose holder crashed. */
export async function purgeLapsedLocks(db: Database, now: number): Promise<void> {
  await db.delete(webhookLocks).where(lt(webhookLocks.expiresAt, now));
}
