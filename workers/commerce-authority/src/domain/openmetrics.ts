// The shop's counters as OpenMetrics 1.0 text (what Prometheus scrapes when it asks for
// application/openmetrics-text): each counter a family whose sample ends in `_total`, the validation latency a
// histogram in seconds with cumulative `le` buckets, `# EOF` last. No shop label: one scrape target is one shop.
import { LATENCY_BUCKETS } from './health';

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Family (without `_total`) -> [counter name, help]. */
export const OPENMETRICS_COUNTERS: [string, string, string][] = [
  ['commerce_holds_created', 'holds_created', 'Stock holds taken (one per variant line of a checkout).'],
  ['commerce_holds_committed', 'holds_committed', 'Holds that became sales.'],
  ['commerce_holds_released', 'holds_released', 'Holds given back before they expired.'],
  ['commerce_holds_expired', 'holds_expired', 'Holds that lapsed unpaid.'],
  ['commerce_checkouts_opened', 'checkouts_opened', 'Checkouts opened.'],
  ['commerce_checkouts_completed', 'checkouts_completed', 'Checkouts paid.'],
  ['commerce_checkouts_rejected', 'checkouts_rejected', 'Checkouts refused (out of stock, limits).'],
  ['commerce_checkouts_failed', 'checkouts_failed', 'Checkouts whose payment failed.'],
  ['commerce_checkouts_expired', 'checkouts_expired', 'Checkouts that expired unpaid.'],
  ['commerce_checkouts_superseded', 'checkouts_superseded', 'Checkouts replaced by a newer one of the same cart.'],
  ['commerce_webhooks_ignored', 'webhooks_ignored', 'Valid Stripe events that were not ours to apply.'],
  ['commerce_webhooks_deferred', 'webhooks_deferred', 'Stripe events kept until their order is recorded.'],
  ['commerce_webhooks_failed', 'webhooks_failed', 'Stripe deliveries answered with a server error.'],
  ['commerce_refunds_failed', 'refunds_failed', 'Refunds that failed at the provider.'],
  ['commerce_disputes_opened', 'disputes_opened', 'Payment disputes opened.'],
  ['commerce_disputes_won', 'disputes_won', 'Payment disputes won.'],
  ['commerce_disputes_lost', 'disputes_lost', 'Payment disputes lost.'],
];

const LATENCY_FAMILY = 'commerce_validation_duration_seconds';

/** A float as OpenMetrics writes label values: canonical, `1.0` rather than `1`. */
const float = (value: number) => (Number.isInteger(value) ? value.toFixed(1) : String(value));

export function openMetricsText(counters: Record<string, number>): string {
  const n = (name: string) => counters[name] ?? 0;
  const lines: string[] = [];
  for (const [family, name, help] of OPENMETRICS_COUNTERS) {
    lines.push(`# TYPE ${family} counter`, `# HELP ${family} ${help}`, `${family}_total ${n(name)}`);
  }
  lines.push(
    `# TYPE ${LATENCY_FAMILY} histogram`,
    `# UNIT ${LATENCY_FAMILY} seconds`,
    `# HELP ${LATENCY_FAMILY} Time to answer a stock validation.`,
  );
  for (const bound of LATENCY_BUCKETS) lines.push(`${LATENCY_FAMILY}_bucket{le="${float(bound / 1000)}"} ${n(`validate_ms_le_${bound}`)}`);
  lines.push(
    `${LATENCY_FAMILY}_bucket{le="+Inf"} ${n('validate_count')}`,
    `${LATENCY_FAMILY}_sum ${n('validate_ms_sum') / 1000}`,
    `${LATENCY_FAMILY}_count ${n('validate_count')}`,
    '# EOF',
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Whether the Accept header prefers OpenMetrics to JSON (RFC 9110 quality values). Only an explicit
 * application/openmetrics-text counts; a wildcard alone keeps the JSON default.
 */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let openMetrics = 0;
  let json = 0;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (type === 'application/json' || type === 'application/*' || type === '*/*') json = Math.max(json, q);
  }
  return openMetrics > 0 && openMetrics >= json;
}
