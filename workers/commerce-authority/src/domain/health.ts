// The shop's health from its hourly counters: the charts' series (zero-filled hours, latency percentiles from the
// cumulative histogram, the two rates) and the alert rules (a rate over its threshold, only above a minimum volume,
// so three expired holds out of five never page anyone). Pure: no I/O, the same rules for the charts and the cron.
import type { z } from 'zod';
import type { AlertKind, MetricsSeriesResponse } from '../../../../shared/contracts';

export type Window = z.infer<typeof MetricsSeriesResponse>['window'];
type Series = z.infer<typeof MetricsSeriesResponse>;
export type Sums = Record<string, number>;

const HOUR_MS = 60 * 60 * 1000;
export const WINDOW_HOURS: Record<Window, number> = { '24h': 24, '7d': 168 };
/** Upper bounds (ms) of the validation latency histogram (the counters `validate_ms_le_<ms>`). */
export const LATENCY_BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000] as const;

export const THRESHOLDS = { holdExpiration: 0.1, checkoutFailure: 0.01 } as const;
/** Below these, a rate is not evidence: holds that ended, and checkouts (opened + failed), in the window. */
export const MIN_VOLUME = { holdsEnded: 20, checkouts: 50 } as const;
/** Webhook deliveries answered 5xx in the window that raise the alert (Stripe retries each; any one is news). */
export const WEBHOOK_FAILURES_ALERT_AT = 1;

/** Expired / holds that ended (committed, released, expired); null when none ended. */
export function holdExpirationRate(n: (name: string) => number): number | null {
  const ended = n('holds_committed') + n('holds_released') + n('holds_expired');
  return ended === 0 ? null : n('holds_expired') / ended;
}

/** Failed / (opened + failed); null when there were none. */
export function checkoutFailureRate(n: (name: string) => number): number | null {
  const attempts = n('checkouts_opened') + n('checkouts_failed');
  return attempts === 0 ? null : n('checkouts_failed') / attempts;
}

/**
 * The q-quantile (0..1) of a cumulative histogram, as Prometheus' histogram_quantile does: linear inside the bucket
 * it falls in (from the bound below, 0 for the first); past the last finite bound, that bound. Null if empty.
 */
export function quantileMs(n: (name: string) => number, q: number): number | null {
  const count = n('validate_count');
  if (count === 0) return null;
  const rank = q * count;
  let lower = 0;
  let below = 0;
  for (const bound of LATENCY_BUCKETS) {
    const upTo = n(`validate_ms_le_${bound}`);
    if (upTo >= rank) {
      const inBucket = upTo - below;
      return inBucket === 0 ? bound : lower + ((bound - lower) * (rank - below)) / inBucket;
    }
    lower = bound;
    below = upTo;
  }
  return lower;
}

/** The window's hours (starts, oldest first), ending with the hour `now` is in. */
export function windowHours(window: Window, now: number): number[] {
  const current = now - (now % HOUR_MS);
  const count = WINDOW_HOURS[window];
  return Array.from({ length: count }, (_, i) => current - (count - 1 - i) * HOUR_MS);
}

/** The chart series of `hours` from hourly rows; an hour without rows is all zeros (and null rates). */
export function seriesOf(window: Window, hours: number[], rows: { hour: number; name: string; value: number }[]): Series {
  const byHour = new Map<number, Sums>(hours.map((hour) => [hour, {}]));
  for (const row of rows) {
    const sums = byHour.get(row.hour);
    if (sums) sums[row.name] = (sums[row.name] ?? 0) + row.value;
  }
  const perHour = hours.map((hour) => {
    const sums = byHour.get(hour)!;
    return (name: string) => sums[name] ?? 0;
  });
  const column = (name: string) => perHour.map((n) => n(name));
  return {
    window,
    hours,
    holds: {
      created: column('holds_created'),
      committed: column('holds_committed'),
      released: column('holds_released'),
      expired: column('holds_expired'),
    },
    checkouts: {
      opened: column('checkouts_opened'),
      completed: column('checkouts_completed'),
      rejected: column('checkouts_rejected'),
      failed: column('checkouts_failed'),
      expired: column('checkouts_expired'),
      superseded: column('checkouts_superseded'),
    },
    webhooks: { failed: column('webhooks_failed') },
    validation: {
      count: column('validate_count'),
      p50Ms: perHour.map((n) => quantileMs(n, 0.5)),
      p95Ms: perHour.map((n) => quantileMs(n, 0.95)),
    },
    rates: { holdExpiration: perHour.map(holdExpirationRate), checkoutFailure: perHour.map(checkoutFailureRate) },
    thresholds: { ...THRESHOLDS },
  };
}

export type AlertKindName = z.infer<typeof AlertKind>;

export interface AlertReading {
  kind: AlertKindName;
  /** The rate (0..1) or count measured; null when the volume is under the minimum (no evidence either way). */
  value: number | null;
  threshold: number;
  firing: boolean;
}

/** Every alert rule over the sums of the window (the last hour). */
export function readAlerts(sums: Sums): AlertReading[] {
  const n = (name: string) => sums[name] ?? 0;
  const ended = n('holds_committed') + n('holds_released') + n('holds_expired');
  const attempts = n('checkouts_opened') + n('checkouts_failed');
  const expiration = ended >= MIN_VOLUME.holdsEnded ? holdExpirationRate(n) : null;
  const failure = attempts >= MIN_VOLUME.checkouts ? checkoutFailureRate(n) : null;
  const webhookFailures = n('webhooks_failed');
  return [
    {
      kind: 'hold_expiration_rate',
      value: expiration,
      threshold: THRESHOLDS.holdExpiration,
      firing: expiration !== null && expiration > THRESHOLDS.holdExpiration,
    },
    {
      kind: 'checkout_failure_rate',
      value: failure,
      threshold: THRESHOLDS.checkoutFailure,
      firing: failure !== null && failure > THRESHOLDS.checkoutFailure,
    },
    {
      kind: 'webhook_failures',
      value: webhookFailures,
      threshold: WEBHOOK_FAILURES_ALERT_AT,
      firing: webhookFailures >= WEBHOOK_FAILURES_ALERT_AT,
    },
  ];
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

/** The alert in words, for the console banner, the log and the webhook. */
export function alertMessage(kind: AlertKindName, value: number, threshold: number): string {
  switch (kind) {
    case 'hold_expiration_rate':
      return `Hold expiration rate ${percent(value)} in the last hour (threshold ${percent(threshold)}): shoppers are leaving checkouts unpaid.`;
    case 'checkout_failure_rate':
      return `Checkout failure rate ${percent(value)} in the last hour (threshold ${percent(threshold)}): checkouts are failing.`;
    case 'webhook_failures':
      return (
        `${value} Stripe webhook ${value === 1 ? 'delivery' : 'deliveries'} answered with a server error in the last hour: ` +
        `Stripe retries ${value === 1 ? 'it' : 'them'}.`
      );
  }
}
