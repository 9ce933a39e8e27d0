// GET /api/admin/metrics: the shop's hold lifecycle, checkout outcomes and validation latency, as JSON or, when
// the Accept header asks for it, OpenMetrics text for Prometheus. GET /api/admin/metrics/series: the same counts
// per hour over the last 24 hours or 7 days, zero-filled, for the console's charts.
import { z } from 'zod';
import { MetricsResponse, MetricsSeriesQuery, MetricsSeriesResponse } from '../../../../../shared/contracts';
import { database } from '../../db/client';
import { LATENCY_BUCKETS, readCounters, readHourly } from '../../db/metrics';
import { seriesOf, windowHours } from '../../domain/health';
import { OPENMETRICS_CONTENT_TYPE, openMetricsText, prefersOpenMetrics } from '../../domain/openmetrics';
import { ADMIN_SECURITY, apiRoute, ok, problems, routesApp } from '../../http/api-route';
import type { ShopBindings } from '../../http/shop-context';

const readMetrics = apiRoute({
  method: 'get',
  path: '/',
  tags: ['Admin'],
  summary: 'Hold lifecycle, checkout outcomes and validation latency of the shop',
  description:
    'JSON by default; OpenMetrics 1.0 text (counters as `_total`, the latency as a histogram in seconds) when the ' +
    'Accept header prefers `application/openmetrics-text`, as a Prometheus scrape does.',
  security: ADMIN_SECURITY,
  responses: {
    200: {
      description: 'The counters since the shop opened',
      content: { 'application/json': { schema: MetricsResponse }, 'application/openmetrics-text': { schema: z.string() } },
    },
    ...problems(401, 429),
  },
});

const readSeries = apiRoute({
  method: 'get',
  path: '/series',
  tags: ['Admin'],
  summary: 'The same counts per hour over the last 24 hours or 7 days (zero-filled), with latency percentiles and rates',
  security: ADMIN_SECURITY,
  request: { query: MetricsSeriesQuery },
  responses: { 200: ok(MetricsSeriesResponse), ...problems(400, 401, 429) },
});

export const adminMetricsRoutes = routesApp<ShopBindings>()
  .openapi(readMetrics, async (c) => {
    const counters = await readCounters(database(c.env.DB), c.var.shop.id);
    c.header('cache-control', 'no-store');
    c.header('vary', 'accept');
    if (prefersOpenMetrics(c.req.header('accept'))) {
      return c.body(openMetricsText(counters), 200, { 'content-type': OPENMETRICS_CONTENT_TYPE });
    }
    const n = (name: string) => counters[name] ?? 0;
    const validations = n('validate_count');
    return c.json(
      {
        holds: { created: n('holds_created'), committed: n('holds_committed'), released: n('holds_released'), expired: n('holds_expired') },
        checkouts: {
          opened: n('checkouts_opened'),
          rejected: n('checkouts_rejected'),
          failed: n('checkouts_failed'),
          completed: n('checkouts_completed'),
          expired: n('checkouts_expired'),
          superseded: n('checkouts_superseded'),
        },
        webhooks: { ignored: n('webhooks_ignored'), deferred: n('webhooks_deferred'), failed: n('webhooks_failed') },
        refunds: { failed: n('refunds_failed') },
        disputes: { opened: n('disputes_opened'), won: n('disputes_won'), lost: n('disputes_lost') },
        validation: {
          count: validations,
          meanMs: validations === 0 ? null : n('validate_ms_sum') / validations,
          /** Cumulative: how many validations took at most this many ms. */
          buckets: Object.fromEntries([...LATENCY_BUCKETS.map((b) => [`le${b}`, n(`validate_ms_le_${b}`)]), ['inf', validations]]),
        },
      },
      200,
    );
  })
  .openapi(readSeries, async (c) => {
    const { window } = c.req.valid('query');
    const hours = windowHours(window, Date.now());
    const rows = await readHourly(database(c.env.DB), c.var.shop.id, hours[0]!);
    c.header('cache-control', 'no-store');
    return c.json(seriesOf(window, hours, rows), 200);
  });
