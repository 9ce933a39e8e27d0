// Alert state in D1: one row per (shop, kind) while an episode lasts. The row's INSERT is what starts an episode,
// so two cron runs at once cannot both announce it; its DELETE ends it, and the next episode announces again.
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import type { AlertKindName } from '../domain/health';
import type { Database } from './client';
import { alertStates, metricHourly, shops } from './schema';

export type AlertState = typeof alertStates.$inferSelect;

/** The names the alert rules read. */
const ALERT_INPUTS = [
  'holds_committed',
  'holds_released',
  'holds_expired',
  'checkouts_opened',
  'checkouts_failed',
  'webhooks_failed',
];

export interface ShopToWatch {
  id: string;
  name: string;
  alertWebhookUrl: string | null;
}

/** Every active shop with the sums of its counts since `from` (an hour start), and every alert in progress: one batch. */
export async function readAlertInputs(db: Database, from: number) {
  const active = db.select({ id: shops.id }).from(shops).where(eq(shops.status, 'active'));
  const [watched, sums, states] = await db.batch([
    db.select({ id: shops.id, name: shops.name, alertWebhookUrl: shops.alertWebhookUrl }).from(shops).where(eq(shops.status, 'active')),
    db
      .select({ shopId: metricHourly.shopId, name: metricHourly.name, value: sql<number>`sum(${metricHourly.value})` })
      .from(metricHourly)
      .where(and(inArray(metricHourly.shopId, active), gte(metricHourly.hour, from), inArray(metricHourly.name, ALERT_INPUTS)))
      .groupBy(metricHourly.shopId, metricHourly.name),
    db.select().from(alertStates),
  ]);
  const sumsOf = new Map<string, Record<string, number>>();
  for (const row of sums) {
    const shop = sumsOf.get(row.shopId) ?? {};
    shop[row.name] = Number(row.value);
    sumsOf.set(row.shopId, shop);
  }
  return { shops: watched as ShopToWatch[], sumsOf, states };
}

/** Starts an episode; false if one was already in progress (another run started it). */
export async function startAlert(
  db: Database,
  alert: { shopId: string; kind: AlertKindName; value: number; threshold: number },
  now: number,
): Promise<boolean> {
  const inserted = await db
    .insert(alertStates)
    .values({ ...alert, activeSince: now, notifiedAt: null, notifyAttempts: 0, nextNotifyAt: null, updatedAt: now })
    .onConflictDoNothing()
    .returning({ kind: alertStates.kind });
  return inserted.length === 1;
}

export async function updateAlert(db: Database, shopId: string, kind: AlertKindName, value: number, now: number) {
  await db.update(alertStates).set({ value, updatedAt: now }).where(and(eq(alertStates.shopId, shopId), eq(alertStates.kind, kind)));
}

/** Records a POST of the episode: delivered (2xx), or when the next try may go (null: no more tries). */
export async function recordNotifyAttempt(
  db: Database,
  alert: { shopId: string; kind: AlertKindName; attempts: number },
  outcome: { delivered: true; at: number } | { delivered: false; retryAt: number | null },
) {
  await db
    .update(alertStates)
    .set(
      outcome.delivered
        ? { notifiedAt: outcome.at, notifyAttempts: alert.attempts, nextNotifyAt: null }
        : { notifyAttempts: alert.attempts, nextNotifyAt: outcome.retryAt },
    )
    .where(and(eq(alertStates.shopId, alert.shopId), eq(alertStates.kind, alert.kind)));
}

/** Ends an episode; false if none was in progress. */
export async function clearAlert(db: Database, shopId: string, kind: AlertKindName): Promise<boolean> {
  const deleted = await db
    .delete(alertStates)
    .where(and(eq(alertStates.shopId, shopId), eq(alertStates.kind, kind)))
    .returning({ kind: alertStates.kind });
  return deleted.length === 1;
}

export async function alertsOf(db: Database, shopId: string): Promise<AlertState[]> {
  return db.select().from(alertStates).where(eq(alertStates.shopId, shopId)).orderBy(alertStates.activeSince);
}
