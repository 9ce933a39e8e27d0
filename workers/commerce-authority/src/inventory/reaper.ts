// The cron reaper: the second line behind each InventoryDO's own alarm. Closes reservations whose holds
// have passed their expiry (including ones a crash left pending), and retries releases that failed part-way
// (`releasing`) until every stock object has let go, in bounded batches so one run never outgrows its time.
import { and, asc, eq, inArray, lte, or } from 'drizzle-orm';
import { database } from '../db/client';
import { tally } from '../db/metrics';
import { reservations } from '../db/schema';
import type { AuthorityEnv } from '../env';
import { log } from '../log';
import type { ReleaseResult } from '../../../../durable-objects/inventory-do';
import { stockCall, stockObject } from './stock';

export const REAPER_BATCH = 100;

export async function reapExpiredReservations(env: AuthorityEnv, now: number): Promise<{ expired: number; released: number }> {
  const db = database(env.DB);
  const due = await db
    .select({ id: reservations.id, shopId: reservations.shopId, status: reservations.status, lines: reservations.lines })
    .from(reservations)
    .where(
      or(
        and(inArray(reservations.status, ['pending', 'active']), lte(reservations.expiresAt, now)),
        eq(reservations.status, 'releasing'),
      ),
    )
    .orderBy(asc(reservations.expiresAt))
    .limit(REAPER_BATCH);

  let expired = 0;
  let released = 0;
  for (const reservation of due) {
    const lines = reservation.lines.filter((line) => line.held);
    const results = await Promise.allSettled(
      lines.map((line) =>
        stockCall<ReleaseResult>('reap', () => stockObject(env, reservation.shopId, line.variantKey).release(reservation.id)),
      ),
    );
    if (results.some((r) => r.status === 'rejected')) {
      log.error('reaper_release_failed', { shopId: reservation.shopId, reservationId: reservation.id });
      continue; // left for the next run
    }
    // A retried release ends as released; a hold that ran out its time, as expired.
    const releasing = reservation.status === 'releasing';
    const ended = await db
      .update(reservations)
      .set({ status: releasing ? 'released' : 'expired', updatedAt: now })
      .where(and(eq(reservations.id, reservation.id), eq(reservations.status, reservation.status)))
      .returning({ status: reservations.status });
    if (ended.length === 1) {
      tally(reservation.shopId, releasing ? { holds_released: lines.length } : { holds_expired: lines.length });
      if (releasing) released += 1;
      else expired += 1;
    }
  }
  if (due.length > 0) log.info('reaper_run', { due: due.length, expired, released });
  return { expired, released };
}
