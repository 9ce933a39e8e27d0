// GET /api/admin/metrics: the shop's hold lifecycle, checkout outcomes and validation latency.
import { MetricsResponse } from '../../../../../shared/contracts';
import { database } from '../../db/client';
import { LATENCY_BUCKETS, readCounters } from '../../db/metrics';
import { ADMIN_SECURITY, apiRoute, ok, problems, routesApp } from '../../http/api-route';
import type { ShopBindings } from '../../http/shop-context';

const readMetrics = apiRoute({
  method: 'get',
  path: '/',
  tags: ['Admin'],
  summary: 'Hold lifecycle, checkout outcomes and validation latency of the shop',
  security: ADMIN_SECURITY,
  responses: { 200: ok(MetricsResponse), ...problems(401, 429) },
});

export const adminMetricsRoutes = routesApp<ShopBindings>().openapi(readMetrics, async (c) => {
  const counters = await readCounters(database(c.env.DB), c.var.shop.id);
  const n = (name: string) => counters[name] ?? 0;
  const validations = n('validate_count');
  c.header('cache-control', 'no-store');
  return c.json({
    holds: { created: n('holds_created'), committed: n('holds_committed'), released: n('holds_released'), expired: n('holds_expired') },
    checkouts: {
      opened: n('checkouts_opened'),
      rejected: n('checkouts_rejected'),
      failed: n('checkouts_failed'),
      completed: n('checkouts_completed'),
      expired: n('checkouts_expired'),
      superseded: n('checkouts_superseded'),
    },
    webhooks: { ignored: n('webhooks_ignored'), deferred: n('webhooks_deferred') },
    refunds: { failed: n('refunds_failed') },
    disputes: { opened: n('disputes_opened'), won: n('disputes_won'), lost: n('disputes_lost') },
    validation: {
      count: validations,
      meanMs: validations === 0 ? null : n('validate_ms_sum') / validations,
      /** Cumulative: how many validations took at most this many ms. */
      buckets: Object.fromEntries([...LATENCY_BUCKETS.map((b) => [`le${b}`, n(`validate_ms_le_${b}`)]), ['inf', validations]]),
    },
  }, 200);
});
