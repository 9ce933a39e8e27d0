// Bounded storage in D1: what is kept only to deduplicate or to explain recent history is deleted once it can no
// longer matter, a bounded batch per table per cron run. Orders, their lines and history are kept for ever.
// - stripe_events after 30 days (Stripe retries a delivery for at most 3 days), and deferred events whose
//   payment never became an order of ours;
// - ended checkouts, and ended reservations, 90 days after they expired;
// - hourly metric counts after 35 days (the console charts 7; the totals in metric_counters are kept).
import { and, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from './client';
import { jsonValues } from './json-values';
import { checkouts, deferredStripeEvents, metricHourly, reservations, shops, stripeEvents } from './schema';

const DAY_MS = 24 * 60 * 60 * 1000;
export const STRIPE_EVENT_RETENTION_DAYS = 30;
export const CHECKOUT_RETENTION_DAYS = 90;
export const METRIC_HOURLY_RETENTION_DAYS = 35;
export const RETENTION_BATCH = 500;

const ENDED_CHECKOUTS = ['complete', 'expired', 'failed', 'superseded'] as const;
const ENDED_RESERVATIONS = ['released', 'committed', 'expired', 'rejected', 'failed'] as const;

export interface Purged {
  stripeEvents: number;
  deferredEvents: number;
  checkouts: number;
  reservations: number;
  metricHours: number;
}

export async function purgeOldRecords(db: Database, now: number, batch = RETENTION_BATCH): Promise<Purged> {
  const eventCutoff = now - STRIPE_EVENT_RETENTION_DAYS * DAY_MS;
  const endedCutoff = now - CHECKOUT_RETENTION_DAYS * DAY_MS;

  const oldEvents = await db
    .select({ shopId: stripeEvents.shopId, id: stripeEvents.id })
    .from(stripeEvents)
    .where(lt(stripeEvents.processedAt, eventCutoff))
    .limit(batch);
  const oldDeferred = await db
    .select({ id: deferredStripeEvents.id })
    .from(deferredStripeEvents)
    .where(lt(deferredStripeEvents.receivedAt, eventCutoff))
    .limit(batch);
  const oldCheckouts = await db
    .select({ id: checkouts.id })
    .from(checkouts)
    // As the partial index `checkouts_ended_expiry` says it: SQLite matches a partial index on the literal text.
    .where(and(sql`status IN ('complete', 'expired', 'failed', 'superseded')`, lt(checkouts.expiresAt, endedCutoff)))
    .limit(batch);
  const oldReservations = await db
    .select({ id: reservations.id })
    .from(reservations)
    .where(and(inArray(reservations.status, [...ENDED_RESERVATIONS]), lt(reservations.expiresAt, endedCutoff)))
    .limit(batch);

  const reservationIds = jsonValues(oldReservations.map((r) => r.id));
  // By rowid, at most `batch` rows; the shop list lets the range use the (shop, hour) primary key.
  const hourCutoff = now - METRIC_HOURLY_RETENTION_DAYS * DAY_MS;
  const oldHours = sql`SELECT rowid FROM ${metricHourly} WHERE ${metricHourly.shopId} IN (SELECT ${shops.id} FROM ${shops})
    AND ${metricHourly.hour} < ${hourCutoff} LIMIT ${batch}`;
  // Each delete re-checks its condition: a row that changed since the select above stays.
  const [, , , , purgedHours] = await db.batch([
    db
      .delete(stripeEvents)
      .where(and(inArray(stripeEvents.id, jsonValues(oldEvents.map((e) => e.id))), lt(stripeEvents.processedAt, eventCutoff))),
    db
      .delete(deferredStripeEvents)
      .where(
        and(
          inArray(deferredStripeEvents.id, jsonValues(oldDeferred.map((e) => e.id))),
          lt(deferredStripeEvents.receivedAt, eventCutoff),
        ),
      ),
    db
      .delete(checkouts)
      .where(
        and(
          inArray(checkouts.id, jsonValues(oldCheckouts.map((c) => c.id))),
          inArray(checkouts.status, [...ENDED_CHECKOUTS]),
          lt(checkouts.expiresAt, endedCutoff),
        ),
      ),
    db.delete(reservations).where(inArray(reservations.id, reservationIds)),
    db.delete(metricHourly).where(sql`rowid IN (${oldHours})`).returning({ hour: metricHourly.hour }),
  ]);
  return {
    stripeEvents: oldEvents.length,
    deferredEvents: oldDeferred.length,
    checkouts: oldCheckouts.length,
    reservations: oldReservations.length,
    metricHours: purgedHours.length,
  };
}
