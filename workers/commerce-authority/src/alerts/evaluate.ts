// The cron's health alerts, per shop over the last hour (the current hour's bucket and the one before): hold
// expiration rate, checkout failure rate (each only above its minimum volume) and webhook deliveries answered 5xx.
// An episode starts once (a row in alert_states): one `alert` log line and one POST to the shop's alert webhook
// (Slack-compatible `{ text }`, with a timeout; a failure is logged, never thrown, and not retried). Later runs only
// update its value. It clears when the rule no longer fires (logged at info); the next episode announces again.
import { alertMessage, readAlerts, type AlertKindName } from '../domain/health';
import { clearAlert, markNotified, readAlertInputs, startAlert, updateAlert, type ShopToWatch } from '../db/alerts';
import type { Database } from '../db/client';
import { HOUR_MS, hourOf } from '../db/metrics';
import { log } from '../log';

export const ALERT_WEBHOOK_TIMEOUT_MS = 5_000;

export interface AlertsRun {
  started: number;
  cleared: number;
}

export async function evaluateAlerts(db: Database, now: number): Promise<AlertsRun> {
  const { shops, sumsOf, states } = await readAlertInputs(db, hourOf(now - HOUR_MS));
  const inProgress = new Set(states.map((s) => `${s.shopId}:${s.kind}`));
  const run: AlertsRun = { started: 0, cleared: 0 };
  for (const shop of shops) {
    for (const reading of readAlerts(sumsOf.get(shop.id) ?? {})) {
      const active = inProgress.has(`${shop.id}:${reading.kind}`);
      if (reading.firing && reading.value !== null) {
        if (active) await updateAlert(db, shop.id, reading.kind, reading.value, now);
        else if (await startAlert(db, { shopId: shop.id, kind: reading.kind, value: reading.value, threshold: reading.threshold }, now)) {
          run.started += 1;
          await announce(db, shop, reading.kind, reading.value, reading.threshold, now);
        }
      } else if (active && (await clearAlert(db, shop.id, reading.kind))) {
        run.cleared += 1;
        log.info('alert_cleared', { shopId: shop.id, kind: reading.kind, value: reading.value, threshold: reading.threshold });
      }
    }
  }
  return run;
}

async function announce(
  db: Database,
  shop: ShopToWatch,
  kind: AlertKindName,
  value: number,
  threshold: number,
  now: number,
): Promise<void> {
  const message = alertMessage(kind, value, threshold);
  log.alert('alert', { shopId: shop.id, kind, value, threshold, message });
  if (!shop.alertWebhookUrl) return;
  try {
    const response = await fetch(shop.alertWebhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: `${shop.name}: ${message}` }),
      signal: AbortSignal.timeout(ALERT_WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (!response.ok) log.warn('alert_webhook_refused', { shopId: shop.id, kind, status: response.status });
  } catch (error) {
    log.warn('alert_webhook_failed', { shopId: shop.id, kind, error: String(error) });
  }
  // Called once per episode, whatever it answered: a receiver that is down is not paged every minute.
  await markNotified(db, shop.id, kind, now);
}
