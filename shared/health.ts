// GET /api/health: each hop calls the next and puts its own timing in front of the answer, so one
// request shows front-door -> gateway -> authority -> D1 with the time spent at and below each.
import { REQUEST_ID_HEADER } from './headers';

export interface HopHealth {
  hop: string;
  ok: boolean;
  ms: number;
}

export interface HealthReport {
  ok: boolean;
  hops: HopHealth[];
}

/** This hop's report in front of the next hop's; answered with the request id, like every other answer. */
export async function healthThrough(hop: string, requestId: string, next: () => Promise<Response>): Promise<Response> {
  const started = Date.now();
  let below: HealthReport;
  try {
    const res = await next();
    below = (await res.json()) as HealthReport;
    if (!Array.isArray(below.hops)) throw new Error('malformed health report');
  } catch {
    below = { ok: false, hops: [] };
  }
  const report: HealthReport = { ok: below.ok, hops: [{ hop, ok: true, ms: Date.now() - started }, ...below.hops] };
  const headers = { 'cache-control': 'no-store', [REQUEST_ID_HEADER]: requestId };
  return Response.json(report, { status: report.ok ? 200 : 503, headers });
}
