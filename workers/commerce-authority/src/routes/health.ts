// GET /api/health: this hop and D1 answer, with timings. The edge workers add their own hop in front.
import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { database } from '../db/client';
import type { AuthorityBindings } from '../env';

export const healthRoutes = new Hono<AuthorityBindings>().get('/', async (c) => {
  const started = performance.now();
  let d1: { ok: boolean; ms: number };
  const d1Started = Date.now();
  try {
    await database(c.env.DB).run(sql`SELECT 1`);
    d1 = { ok: true, ms: Date.now() - d1Started };
  } catch {
    d1 = { ok: false, ms: Date.now() - d1Started };
  }
  const body = { ok: d1.ok, hops: [{ hop: 'commerce-authority', ok: true, ms: performance.now() - started }, { hop: 'd1', ...d1 }] };
  return c.json(body, d1.ok ? 200 : 503);
});
