// GET /api/health: this hop and D1 answer, with timings. The edge workers put their own hops in front.
import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import type { HealthReport } from '../../../../shared/health';
import { database } from '../db/client';
import type { AuthorityBindings } from '../env';

export const healthRoutes = new Hono<AuthorityBindings>().get('/', async (c) => {
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
