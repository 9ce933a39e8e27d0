// GET /api/admin/metrics counts what happened: holds through their lifecycle, checkout outcomes, validations; the
// same counts per hour for the console's charts (/series), and as OpenMetrics text for a Prometheus scrape.
import { createExecutionContext, createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import parsePrometheusText from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { hourOf } from '../../workers/commerce-authority/src/db/metrics';
import { quantileMs, readAlerts } from '../../workers/commerce-authority/src/domain/health';
import { prefersOpenMetrics } from '../../workers/commerce-authority/src/domain/openmetrics';
import CommerceAuthority from '../../workers/commerce-authority/src/index';
import { call, json, putCatalog, setStock, type CallOptions } from './helpers';
import { checkoutSession, deliver, stripeEvent } from './stripe-events';

const metrics = async (shop = 'cochlearfit') => json(await call('/api/admin/metrics', { shop, admin: shop }));
const checkout = async (quantity: number, email: string) =>
  call('/api/checkout-session', { method: 'POST', json: { items: [{ sku: 'HB-NAVY-M', quantity }], email } });

describe('metrics', () => {
  it('counts the hold lifecycle, checkout outcomes and validation latency per shop', async () => {
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-M', 5);

    const paid = await json(await checkout(2, 'paid@example.com'));
    await deliver('cochlearfit', stripeEvent('checkout.session.completed', checkoutSession({ sessionId: paid.sessionId, checkoutId: paid.checkoutId, shopId: 'cochlearfit', subtotal: paid.amounts.subtotal })));
    const dropped = await json(await checkout(1, 'dropped@example.com'));
    await deliver('cochlearfit', stripeEvent('checkout.session.expired', { ...checkoutSession({ sessionId: dropped.sessionId, checkoutId: dropped.checkoutId, shopId: 'cochlearfit', subtotal: 1800 }), status: 'expired' }));
    expect((await checkout(9, 'short@example.com')).status).toBe(409);
    const lapsing = await json(await checkout(1, 'lapsing@example.com'));
    await env.DB.prepare('UPDATE reservations SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, lapsing.checkoutId).run();
    await new CommerceAuthority(createExecutionContext(), env).scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }));
    for (let i = 0; i < 3; i++) await call('/api/inventory/validate', { method: 'POST', json: { items: [{ sku: 'HB-NAVY-M', quantity: 1 }] } });

    const body = await metrics();
    expect(body.holds).toEqual({ created: 3, committed: 1, released: 1, expired: 1 });
    expect(body.checkouts).toMatchObject({ opened: 3, rejected: 1, completed: 1, expired: 1 });
    expect(body.validation.count).toBe(3);
    expect(body.validation.buckets.inf).toBe(3);
    expect(body.validation.meanMs).toBeGreaterThanOrEqual(0);
    expect((await metrics('othershop')).holds).toEqual({ created: 0, committed: 0, released: 0, expired: 0 });
  });

  it('the same counts per hour for the last 24 hours and 7 days, zero-filled, with latency percentiles and rates', async () => {
    const day = await json(await call('/api/admin/metrics/series?window=24h', { admin: 'cochlearfit' }));
    const totals = await metrics();
    expect(day.window).toBe('24h');
    expect(day.hours).toHaveLength(24);
    expect(day.hours.at(-1)).toBe(hourOf(Date.now()));
    expect(day.hours[1] - day.hours[0]).toBe(3_600_000);
    for (const series of [...Object.values(day.holds), ...Object.values(day.checkouts), day.validation.count]) expect(series).toHaveLength(24);
    // Everything above happened in this hour (or the one before, at an hour boundary): the window sums to the totals.
    const sum = (series: number[]) => series.reduce((a, b) => a + b, 0);
    expect(Object.fromEntries(Object.entries(day.holds).map(([k, v]) => [k, sum(v as number[])]))).toEqual(totals.holds);
    expect(sum(day.checkouts.completed)).toBe(totals.checkouts.completed);
    expect(sum(day.validation.count)).toBe(3);
    expect(day.holds.created.slice(0, 22)).toEqual(Array(22).fill(0));
    const now = day.hours.length - 1;
    if (day.holds.created[now] === 3) {
      expect(day.rates.holdExpiration[now]).toBeCloseTo(1 / 3);
      expect(day.validation.p50Ms[now]).toBeGreaterThanOrEqual(0);
      expect(day.validation.p95Ms[now]).toBeGreaterThanOrEqual(day.validation.p50Ms[now]);
    }
    expect(day.rates.holdExpiration[0]).toBeNull();
    expect(day.thresholds).toEqual({ holdExpiration: 0.1, checkoutFailure: 0.01 });

    const week = await json(await call('/api/admin/metrics/series?window=7d', { admin: 'cochlearfit' }));
    expect(week.hours).toHaveLength(168);
    expect(sum(week.holds.created)).toBe(3);
    expect(sum((await json(await call('/api/admin/metrics/series', { shop: 'othershop', admin: 'othershop' }))).holds.created)).toBe(0);
  });

  it('p50 and p95 from a cumulative histogram, as histogram_quantile interpolates them', () => {
    // 10 validations: 4 took <= 5 ms, 9 <= 10 ms, all <= 25 ms.
    const counts: Record<string, number> = { validate_count: 10, validate_ms_le_5: 4, validate_ms_le_10: 9 };
    for (const b of [25, 50, 100, 250, 500, 1000]) counts[`validate_ms_le_${b}`] = 10;
    const n = (name: string) => counts[name] ?? 0;
    expect(quantileMs(n, 0.5)).toBeCloseTo(5 + (5 * 1) / 5); // rank 5: first in (5, 10]
    expect(quantileMs(n, 0.95)).toBeCloseTo(10 + (15 * 0.5) / 1); // rank 9.5: half way through (10, 25]
    expect(quantileMs(() => 0, 0.5)).toBeNull();
  });

  it('alert rules: a rate over its threshold fires only from its minimum volume; any webhook failure fires', () => {
    const reading = (sums: Record<string, number>, kind: string) => readAlerts(sums).find((r) => r.kind === kind)!;
    // Checkout failure: failed / (opened + failed), from 50 checkouts, over 1%.
    expect(reading({ checkouts_opened: 48, checkouts_failed: 1 }, 'checkout_failure_rate')).toMatchObject({ value: null, firing: false });
    expect(reading({ checkouts_opened: 49, checkouts_failed: 1 }, 'checkout_failure_rate')).toMatchObject({ value: 0.02, firing: true });
    expect(reading({ checkouts_opened: 100, checkouts_failed: 1 }, 'checkout_failure_rate')).toMatchObject({ firing: false }); // 0.99%
    // Hold expiration: expired / ended, from 20 ended, over 10% (10% itself is not over).
    expect(reading({ holds_committed: 16, holds_expired: 3 }, 'hold_expiration_rate')).toMatchObject({ value: null, firing: false });
    expect(reading({ holds_committed: 18, holds_expired: 2 }, 'hold_expiration_rate')).toMatchObject({ value: 0.1, firing: false });
    expect(reading({ holds_committed: 17, holds_expired: 3 }, 'hold_expiration_rate')).toMatchObject({ value: 0.15, firing: true });
    expect(reading({ holds_created: 500 }, 'hold_expiration_rate').firing).toBe(false); // created is not ended
    expect(reading({}, 'webhook_failures')).toMatchObject({ value: 0, firing: false });
    expect(reading({ webhooks_failed: 1 }, 'webhook_failures')).toMatchObject({ value: 1, firing: true });
  });

  it('answers OpenMetrics text when the Accept header asks for it; a parser reads the same values as the JSON', async () => {
    // A Stripe delivery answered 5xx (this shop has no webhook secret) is counted as a failed webhook.
    expect((await deliver('othershop', stripeEvent('checkout.session.completed', {}), { secret: 'whsec_unknown' })).status).toBe(503);
    const jsonBody = await metrics();
    // What Prometheus 2.x sends when it scrapes.
    const accept =
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,' +
      'text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
    const res = await call('/api/admin/metrics', { admin: 'cochlearfit', headers: { accept } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(res.headers.get('vary')).toBe('accept');
    const text = await res.text();
    expect(text.endsWith('# EOF\n')).toBe(true);

    // parse-prometheus-text-format reads the text exposition format: an OpenMetrics counter's `_total` sample comes
    // back as a family of its own (untyped) beside the `counter` family its TYPE line declares.
    const families = parsePrometheusText(text);
    const byName = new Map(families.map((f) => [f.name, f]));
    const counter = (family: string) => {
      expect(byName.get(family)?.type).toBe('COUNTER');
      return Number((byName.get(`${family}_total`)?.metrics[0] as { value: string }).value);
    };
    expect(counter('commerce_holds_created')).toBe(jsonBody.holds.created);
    expect(counter('commerce_holds_committed')).toBe(jsonBody.holds.committed);
    expect(counter('commerce_holds_released')).toBe(jsonBody.holds.released);
    expect(counter('commerce_holds_expired')).toBe(jsonBody.holds.expired);
    for (const outcome of ['opened', 'completed', 'rejected', 'failed', 'expired', 'superseded'] as const) {
      expect(counter(`commerce_checkouts_${outcome}`)).toBe(jsonBody.checkouts[outcome]);
    }
    const latency = byName.get('commerce_validation_duration_seconds')!;
    expect(latency.type).toBe('HISTOGRAM');
    const histogram = latency.metrics[0] as { buckets: Record<string, string>; count: string; sum: string };
    expect(Number(histogram.count)).toBe(jsonBody.validation.count);
    expect(Number(histogram.sum) * 1000).toBeCloseTo(jsonBody.validation.meanMs * jsonBody.validation.count, 6);
    expect(Number(histogram.buckets['+Inf'])).toBe(jsonBody.validation.buckets.inf);
    expect(Number(histogram.buckets['0.005'])).toBe(jsonBody.validation.buckets.le5);
    expect(Number(histogram.buckets['1.0'])).toBe(jsonBody.validation.buckets.le1000);

    const theirs = await call('/api/admin/metrics', { shop: 'othershop', admin: 'othershop', headers: { accept } });
    expect(await theirs.text()).toContain('commerce_webhooks_failed_total 1\n');
    // JSON stays the default, for a browser's Accept and for none.
    for (const header of ['*/*', 'application/json, application/openmetrics-text;q=0.5', 'text/html']) {
      const other = await call('/api/admin/metrics', { admin: 'cochlearfit', headers: { accept: header } });
      expect(other.headers.get('content-type')).toMatch(/^application\/json/);
    }
    expect(prefersOpenMetrics(undefined)).toBe(false);
    expect(prefersOpenMetrics('application/openmetrics-text;q=0')).toBe(false);
  });

  it('bad input to the new routes -> 400 problem+json naming the field; another shop\'s token -> 401', async () => {
    const expectProblem = async (res: Response, status: number, path?: string) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const body = await json(res);
      if (path) expect(body.errors.map((e: { path: string }) => e.path)).toContain(path);
      return body;
    };
    const admin = (path: string, options: CallOptions = {}) => call(path, { admin: 'cochlearfit', ...options });
    await expectProblem(await admin('/api/admin/metrics/series?window=1h'), 400, 'window');
    await expectProblem(await admin('/api/admin/metrics/series?window=24h&shop=othershop'), 400, 'shop');
    await expectProblem(await admin('/api/admin/alerts?kind=webhook_failures'), 400, 'kind');
    expect((await json(await admin('/api/admin/alerts'))).alerts).toEqual([]);
    for (const path of ['/api/admin/metrics', '/api/admin/metrics/series?window=7d', '/api/admin/alerts']) {
      for (const attempt of [{ admin: 'othershop' }, { admin: 'wrong-token' }, {}] as CallOptions[]) {
        const body = await expectProblem(await call(path, attempt), 401);
        expect(body.code).toBe('unauthorized');
      }
    }
  });
});
