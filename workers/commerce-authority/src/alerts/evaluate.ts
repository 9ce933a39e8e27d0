// The cron's health alerts, per shop over the last hour (the current hour's bucket and the one before): hold
// expiration rate, checkout failure rate (each only above its minimum volume) and webhook deliveries answered 5xx.
// An episode starts once (a row in alert_states): one `alert` log line and a POST to the shop's alert webhook
// (Slack-compatible `{ text }`, with a timeout). A POST that fails (no answer, or not 2xx) is logged, never thrown,
// and tried again by later runs while the episode lasts, 1, 5, 15 and 60 minutes after the try before: a receiver
// that is down is not paged every minute, and one that comes back still hears of it. Later runs also update the
// episode's value. It clears when the rule no longer fires (logged at info); the next episode announces again.
import { alertMessage, readAlerts, type AlertKindName } from '../domain/health';
import { clearAlert, readAlertInputs, recordNotifyAttempt, startAlert, updateAlert, type ShopToWatch } from '../db/alerts';
import type { Database } from '../db/client';
import { HOUR_MS, hourOf } from '../db/metrics';
import { log } from '../log';

export const ALERT_WEBHOOK_TIMEOUT_MS = 5_000;
/** After a failed POST, the wait before the next try: the first failure waits 1 minute, the fourth 60; then no more. */
export const ALERT_RETRY_DELAYS_MS = [1, 5, 15, 60].map((minutes) => minutes * 60_000);

export interface AlertsRun {
  started: number;
  cleared: number;
}

export async function evaluateAlerts(db: Database, now: number): Promise<AlertsRun> {
  const { shops, sumsOf, states } = await readAlertInputs(db, hourOf(now - HOUR_MS));
  const inProgress = new Map(states.map((s) => [`${s.shopId}:${s.kind}`, s]));
  const run: AlertsRun = { started: 0, cleared: 0 };
  for (const shop of shops) {
    for (const reading of readAlerts(sumsOf.get(shop.id) ?? {})) {
      const state = inProgress.get(`${shop.id}:${reading.kind}`);
      const active = state !== undefined;
      if (reading.firing && reading.value !== null) {
        if (state) {
          await updateAlert(db, shop.id, reading.kind, reading.value, now);
          if (state.nextNotifyAt !== null && state.nextNotifyAt <= now) {
            await notify(db, shop, { kind: reading.kind, value: reading.value, threshold: reading.threshold, attempts: state.notifyAttempts }, now);
          }
        } else if (await startAlert(db, { shopId: shop.id, kind: reading.kind, value: reading.value, threshold: reading.threshold }, now)) {
          run.started += 1;
          const message = alertMessage(reading.kind, reading.value, reading.threshold);
          log.alert('alert', { shopId: shop.id, kind: reading.kind, value: reading.value, threshold: reading.threshold, message });
          await notify(db, shop, { kind: reading.kind, value: reading.value, threshold: reading.threshold, attempts: 0 }, now);
        }
      } else if (active && (await clearAlert(db, shop.id, reading.kind))) {
        run.cleared += 1;
        log.info('alert_cleared', { shopId: shop.id, kind: reading.kind, value: reading.value, threshold: reading.threshold });
      }
    }
  }
  return run;
}

/** POSTs the episode to the shop's alert webhook, if it has one, and records how that went. */
async function notify(
  db: Database,
  shop: ShopToWatch,
  alert: { kind: AlertKindName; value: number; threshold: number; attempts: number },
  now: number,
): Promise<void> {
  if (!shop.alertWebhookUrl) return;
  const { kind } = alert;
  const attempts = alert.attempts + 1;
  let delivered = false;
  try {
    const response = await fetch(shop.alertWebhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: `${shop.name}: ${alertMessage(kind, alert.value, alert.threshold)}` }),
      signal: AbortSignal.timeout(ALERT_WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    delivered = response.ok;
    if (!delivered) log.warn('alert_webhook_refused', { shopId: shop.id, kind, status: response.status, attempts });
  } catch (error) {
    log.warn('alert_webhook_failed', { shopId: shop.id, kind, error: String(error), attempts });
  }
  const delay = ALERT_RETRY_DELAYS_MS[attempts - 1];
  await recordNotifyAttempt(
    db,
    { shopId: shop.id, kind, attempts },
    delivered ? { delivered: true, at: now } : { delivered: false, retryAt: delay === undefined ? null : now + delay },
  );
}
