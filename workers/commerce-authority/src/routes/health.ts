// GET /api/health: this hop and D1 answer, with timings. The edge workers put their own hops in front.
import { sql } from 'drizzle-orm';
import { HealthResponse } from '../../../../shared/contracts';
import type { HealthReport } from '../../../../shared/health';
import { database } from '../db/client';
import type { AuthorityBindings } from '../env';
import { apiRoute, ok, problems, routesApp } from '../http/api-route';

const health = apiRoute({
  method: 'get',
  path: '/',
  tags: ['Platform'],
  summary: 'Liveness of every hop and D1, with timings',
  responses: { 200: ok(HealthResponse), 503: ok(HealthResponse, 'A hop or D1 does not answer'), ...problems(429) },
});

export const healthRoutes = routesApp<AuthorityBindings>().openapi(health, async (c) => {
  const started = Date.now();
  let d1Ok = true;
  try {
    await database(c.env.DB).run(sql`SELECT 1`);
  } catch {
    d1Ok = false;
  }
  const ms = Date.now() - started;
  const report: HealthReport = {
    ok: d1Ok,
    hops: [
      { hop: 'commerce-authority', ok: true, ms },
      { hop: 'd1', ok: d1Ok, ms },
    ],
  };
  c.header('cache-control', 'no-store');
  return c.json(report, d1Ok ? 200 : 503);
});
