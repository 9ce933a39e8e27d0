// Counters per shop, read by GET /api/admin/metrics. Each counted event is a state transition that happens
// once (a reservation ending, a checkout opening), so the counts are exact, not sampled.
import { eq, sql } from 'drizzle-orm';
import type { Database } from './client';
import { metricCounters } from './schema';
import { prepared, type Statement } from './statements';

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
  | 'refunds_failed'
  | 'disputes_opened'
  | 'disputes_won'
  | 'disputes_lost'
  | 'validate_count'
  | 'validate_ms_sum'
  | `validate_ms_le_${string}`;

/** Upper bounds (ms) of the validation latency histogram. */
export const LATENCY_BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000] as const;

export async function count(db: Database, shopId: string, increments: Partial<Record<MetricName, number>>): Promise<void> {
  const query = increment(db, shopId, increments);
  if (query) await query;
}

/** The same increments as a statement for an atomic batch (counted exactly when the batch commits); null if none. */
export function countStatement(db: Database, shopId: string, increments: Partial<Record<MetricName, number>>): Statement | null {
  const query = increment(db, shopId, increments);
  return query ? prepared(db, query) : null;
}

function increment(db: Database, shopId: string, increments: Partial<Record<MetricName, number>>) {
  const entries = Object.entries(increments).filter(([, by]) => by !== undefined && by > 0) as [MetricName, number][];
  if (entries.length === 0) return null;
  const now = Date.now();
  return db
    .insert(metricCounters)
    .values(entries.map(([name, value]) => ({ shopId, name, value, updatedAt: now })))
    .onConflictDoUpdate({
      target: [metricCounters.shopId, metricCounters.name],
      set: { value: sql`${metricCounters.value} + excluded.value`, updatedAt: now },
    });
}

/** The histogram bucket names a latency falls in (cumulative, like Prometheus' `le`). */
export function latencyIncrements(ms: number): Partial<Record<MetricName, number>> {
  const increments: Partial<Record<MetricName, number>> = { validate_count: 1, validate_ms_sum: Math.round(ms) };
  for (const bound of LATENCY_BUCKETS) if (ms <= bound) increments[`validate_ms_le_${bound}`] = 1;
  return increments;
}

export async function readCounters(db: Database, shopId: string): Promise<Record<string, number>> {
  const rows = await db.select({ name: metricCounters.name, value: metricCounters.value }).from(metricCounters).where(eq(metricCounters.shopId, shopId));
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}
