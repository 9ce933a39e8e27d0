// Counters per shop, read by GET /api/admin/metrics. Each counted event is a state transition that happens
// once (a reservation ending, a checkout opening), so the counts are exact, not sampled.
//
// Counting must not slow the answer it counts nor add a D1 write to it (D1's write capacity is the platform's
// ceiling). So `tally` only adds to this isolate's pending counts; after the answer, `flushSoon` writes them in
// one batch, at most once a second per isolate, however many requests it served meanwhile. An event counted
// in a batch with its own state change (a webhook's) uses `countStatements` instead. See decision 0015.
// Every count goes to the shop's totals and to its hour (metric_hourly, for the charts and the alerts).
import { and, eq, gte, sql } from 'drizzle-orm';
import { LATENCY_BUCKETS } from '../domain/health';
import { log } from '../log';
import { database, type Database } from './client';
import { metricCounters, metricHourly } from './schema';
import { prepared, type Statement } from './statements';

export { LATENCY_BUCKETS };

export type MetricName =
  | 'holds_created'
  | 'holds_committed'
  | 'holds_released'
  | 'holds_expired'
  | 'checkouts_opened'
  | 'checkouts_rejected'
  | 'checkouts_failed'
  | 'checkouts_completed'
  | 'checkouts_expired'
  | 'checkouts_superseded'
  | 'webhooks_ignored'
  | 'webhooks_deferred'
  | 'webhooks_failed'
  | 'refunds_failed'
  | 'disputes_opened'
  | 'disputes_won'
  | 'disputes_lost'
  | 'validate_count'
  | 'validate_ms_sum'
  | `validate_ms_le_${string}`;

type Increments = Partial<Record<MetricName, number>>;

export const HOUR_MS = 60 * 60 * 1000;
/** The start of the hour `time` falls in (epoch ms, UTC). */
export const hourOf = (time: number) => time - (time % HOUR_MS);

/** Counts waiting in this isolate for the next flush, per shop and hour (key `${hour}:${shopId}`). */
const pending = new Map<string, { shopId: string; hour: number; counts: Map<MetricName, number> }>();
/** At most one flush in flight per isolate, and at most one D1 write per interval. */
export const FLUSH_INTERVAL_MS = 1_000;
let flushing: Promise<void> | null = null;
let lastFlush = 0;

/** Counts events in memory, in the hour they happen; `flushSoon` (after the answer) or `flushTallies` writes them. */
export function tally(shopId: string, increments: Increments, now = Date.now()): void {
  const hour = hourOf(now);
  for (const [name, by] of Object.entries(increments) as [MetricName, number][]) {
    if (!(by > 0)) continue;
    const key = `${hour}:${shopId}`;
    let entry = pending.get(key);
    if (!entry) pending.set(key, (entry = { shopId, hour, counts: new Map() }));
    entry.counts.set(name, (entry.counts.get(name) ?? 0) + by);
  }
}

export const talliesPending = () => pending.size > 0;

/** Writes every pending count now, in one batch (one D1 round trip). A failed write keeps them for the next. */
export async function flushTallies(db: Database): Promise<void> {
  if (pending.size === 0) return;
  const taken = [...pending.values()].map(({ shopId, hour, counts }) => ({ shopId, hour, counts: Object.fromEntries(counts) as Increments }));
  pending.clear();
  const statements = taken.flatMap(({ shopId, hour, counts }) => countStatements(db, shopId, counts, Date.now(), hour));
  try {
    await db.$client.batch(statements);
  } catch (error) {
    for (const { shopId, hour, counts } of taken) tally(shopId, counts, hour);
    log.error('metrics_flush_failed', { shopHours: taken.length, error: String(error) });
  }
}

/** Rounds one flush may make before it leaves the rest to the next request's: waitUntil work is cut off 30 s
 *  after its request, so a flush never outlives its own request's allowance. */
const FLUSH_ROUNDS = 3;

/**
 * Flushes this isolate's pending counts off the answer path: pass the promise to waitUntil. Concurrent
 * callers share one flush; counts added while it writes go in its next round, a flush interval later, and
 * what is still pending after its last round goes with the next request's flush (or the cron's, or an admin read).
 */
export function flushSoon(d1: D1Database): Promise<void> {
  flushing ??= (async () => {
    try {
      for (let round = 0; round < FLUSH_ROUNDS && pending.size > 0; round++) {
        // Never in the same turn as the answer that scheduled it: the flush is no request's cost.
        const wait = Math.max(0, lastFlush + FLUSH_INTERVAL_MS - Date.now());
        await new Promise((resolve) => setTimeout(resolve, wait));
        lastFlush = Date.now();
        await flushTallies(database(d1));
      }
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

/**
 * The same increments as statements for an atomic batch (counted exactly when the batch commits): the shop's
 * totals and its hour (by default, the hour of `now`). Empty if there is nothing to count.
 */
export function countStatements(
  db: Database,
  shopId: string,
  increments: Increments,
  now = Date.now(),
  hour = hourOf(now),
): Statement[] {
  const entries = Object.entries(increments).filter(([, by]) => by !== undefined && by > 0) as [MetricName, number][];
  if (entries.length === 0) return [];
  const totals = db
    .insert(metricCounters)
    .values(entries.map(([name, value]) => ({ shopId, name, value, updatedAt: now })))
    .onConflictDoUpdate({
      target: [metricCounters.shopId, metricCounters.name],
      set: { value: sql`${metricCounters.value} + excluded.value`, updatedAt: now },
    });
  const hourly = db
    .insert(metricHourly)
    .values(entries.map(([name, value]) => ({ shopId, hour, name, value })))
    .onConflictDoUpdate({
      target: [metricHourly.shopId, metricHourly.hour, metricHourly.name],
      set: { value: sql`${metricHourly.value} + excluded.value` },
    });
  return [prepared(db, totals), prepared(db, hourly)];
}

/** The histogram bucket names a latency falls in (cumulative, like Prometheus' `le`). */
export function latencyIncrements(ms: number): Increments {
  const increments: Increments = { validate_count: 1, validate_ms_sum: Math.round(ms) };
  for (const bound of LATENCY_BUCKETS) if (ms <= bound) increments[`validate_ms_le_${bound}`] = 1;
  return increments;
}

/** The shop's counters, this isolate's pending counts included (flushed first). */
export async function readCounters(db: Database, shopId: string): Promise<Record<string, number>> {
  await flushTallies(db);
  const rows = await db.select({ name: metricCounters.name, value: metricCounters.value }).from(metricCounters).where(eq(metricCounters.shopId, shopId));
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}

/** The shop's counts per hour from `from` (an hour start) on, pending counts included (flushed first). */
export async function readHourly(db: Database, shopId: string, from: number): Promise<{ hour: number; name: string; value: number }[]> {
  await flushTallies(db);
  return db
    .select({ hour: metricHourly.hour, name: metricHourly.name, value: metricHourly.value })
    .from(metricHourly)
    .where(and(eq(metricHourly.shopId, shopId), gte(metricHourly.hour, from)));
}
