// GET /api/admin/alerts: the shop's alerts in progress (the cron starts and clears them), for the console banner.
import { AlertsQuery, AlertsResponse } from '../../../../../shared/contracts';
import { alertsOf } from '../../db/alerts';
import { database } from '../../db/client';
import { alertMessage } from '../../domain/health';
import { ADMIN_SECURITY, apiRoute, ok, problems, routesApp } from '../../http/api-route';
import type { ShopBindings } from '../../http/shop-context';

const listAlerts = apiRoute({
  method: 'get',
  path: '/',
  tags: ['Admin'],
  summary: 'Alerts in progress: hold expiration rate, checkout failure rate, webhook failures (evaluated every minute)',
  security: ADMIN_SECURITY,
  request: { query: AlertsQuery },
  responses: { 200: ok(AlertsResponse), ...problems(400, 401, 429) },
});

const iso = (ms: number) => new Date(ms).toISOString();

export const adminAlertRoutes = routesApp<ShopBindings>().openapi(listAlerts, async (c) => {
  const states = await alertsOf(database(c.env.DB), c.var.shop.id);
  c.header('cache-control', 'no-store');
  return c.json(
    {
      alerts: states.map((s) => ({
        kind: s.kind,
        activeSince: iso(s.activeSince),
        value: s.value,
        threshold: s.threshold,
        notifiedAt: s.notifiedAt === null ? null : iso(s.notifiedAt),
        message: alertMessage(s.kind, s.value, s.threshold),
      })),
    },
    200,
  );
});
