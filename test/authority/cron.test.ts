// The authority's cron: the second line behind alarms and webhooks. Idempotent, bounded.
import { createExecutionContext, createScheduledController, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { inventoryObjectName } from '../../durable-objects/inventory-do';
import { database } from '../../workers/commerce-authority/src/db/client';
import CommerceAuthority from '../../workers/commerce-authority/src/index';
import { releaseReservation, reserveAll } from '../../workers/commerce-authority/src/inventory/reservations';
import { purgeOldRecords } from '../../workers/commerce-authority/src/db/retention';
import { call, json, putCatalog, releaseAllHolds, reservationStatus, setStock } from './helpers';
import { deliver } from './stripe-events';
import { eventsFor, orderOf, startCheckout } from './webhook-helpers';

const NAVY_M_KEY = 'hb|colour=navy;size=m';

async function runCron(at = Date.now()) {
  await new CommerceAuthority(createExecutionContext(), env).scheduled(createScheduledController({ scheduledTime: at, cron: '* * * * *' }));
}

async function navyAvailable() {
  const { items } = await json(await call('/api/admin/inventory', { admin: 'cochlearfit' }));
  return items.find((i: { sku: string }) => i.sku === 'HB-NAVY-M');
}

beforeEach(async () => {
  await releaseAllHolds();
  await putCatalog('cochlearfit');
  await setStock('cochlearfit', 'HB-NAVY-M', 5);
});

describe('cron', () => {
  it('releases a hold whose alarm was lost', async () => {
    const object = env.INVENTORY.get(env.INVENTORY.idFromName(inventoryObjectName('cochlearfit', NAVY_M_KEY)));
    await reserveAll(env, database(env.DB), {
      shopId: 'cochlearfit',
      reservationId: 'lost-alarm',
      lines: [{ sku: 'HB-NAVY-M', variantKey: NAVY_M_KEY, quantity: 2, backorder: false }],
      expiresAt: Date.now() + 60 * 60 * 1000,
    });
    // The hold lapses with its alarm lost: set in the past by hand, so no alarm can race the test.
    const lapsed = Date.now() - 1_000;
    await runInDurableObject(object, (_instance, state) => {
      state.storage.sql.exec(`UPDATE holds SET expires_at = ? WHERE hold_id = 'lost-alarm'`, lapsed);
      return state.storage.deleteAlarm();
    });
    await env.DB.prepare('UPDATE reservations SET expires_at = ? WHERE id = ?').bind(lapsed, 'lost-alarm').run();
    const holdStatus = () =>
      runInDurableObject(object, (_i, state) => state.storage.sql.exec<{ status: string }>(`SELECT status FROM holds WHERE hold_id = 'lost-alarm'`).one().status);
    expect(await holdStatus()).toBe('active');

    await runCron();
    expect(await holdStatus()).toBe('expired');
    expect(await reservationStatus('lost-alarm')).toBe('expired');
    expect(await navyAvailable()).toMatchObject({ held: 0, available: 5 });
    await runCron(); // idempotent
    expect(await navyAvailable()).toMatchObject({ held: 0, available: 5 });
  });

  it('expires a checkout whose expiry passed without an expired event, and releases its holds', async () => {
    const checkout = await json(await call('/api/checkout-session', { method: 'POST', json: { items: [{ sku: 'HB-NAVY-M', quantity: 3 }] } }));
    expect(await navyAvailable()).toMatchObject({ available: 2 });
    await env.DB.prepare('UPDATE checkouts SET expires_at = ? WHERE id = ?').bind(Date.now() - 1000, checkout.checkoutId).run();
    await runCron();
    expect(await env.DB.prepare('SELECT status FROM checkouts WHERE id = ?').bind(checkout.checkoutId).first('status')).toBe('expired');
    expect(await navyAvailable()).toMatchObject({ held: 0, available: 5 });
    expect(await json(await call(`/api/checkout/session/${checkout.sessionId}`))).toEqual({ status: 'expired', paymentStatus: 'unpaid' });
  });
});

const DAY = 24 * 60 * 60 * 1000;
const rows = async (table: string) => env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<number>('n');

describe('cron: bounded storage in D1', () => {
  it('deletes stripe_events after 30 days and ended checkouts and reservations after 90, in bounded batches; keeps orders', async () => {
    const now = Date.now();
    const paid = await startCheckout([{ sku: 'HB-NAVY-M', quantity: 1 }]);
    expect((await deliver('cochlearfit', eventsFor(paid).completed())).status).toBe(200);
    const abandoned = await startCheckout([{ sku: 'HB-NAVY-M', quantity: 1 }]);
    expect((await deliver('cochlearfit', eventsFor(abandoned).expired())).status).toBe(200);
    const live = await startCheckout([{ sku: 'HB-NAVY-M', quantity: 1 }]);

    // Age everything that ended: the events past 30 days, the ended checkouts and reservations past 90.
    await env.DB.prepare('UPDATE stripe_events SET processed_at = ?').bind(now - 31 * DAY).run();
    for (const id of [paid.checkoutId, abandoned.checkoutId]) {
      await env.DB.prepare('UPDATE checkouts SET expires_at = ? WHERE id = ?').bind(now - 91 * DAY, id).run();
      await env.DB.prepare('UPDATE reservations SET expires_at = ? WHERE id = ?').bind(now - 91 * DAY, id).run();
    }
    const before = { events: await rows('stripe_events'), checkouts: await rows('checkouts'), reservations: await rows('reservations') };
    const orders = await rows('orders');
    expect(before.events).toBeGreaterThanOrEqual(2);

    // One row per table per run: each run is bounded, and the next one carries on.
    expect(await purgeOldRecords(database(env.DB), now, 1)).toMatchObject({ stripeEvents: 1, checkouts: 1, reservations: 1 });
    expect(await rows('stripe_events')).toBe(before.events! - 1);
    expect(await rows('checkouts')).toBe(before.checkouts! - 1);
    for (let run = 0; run < before.events!; run++) await purgeOldRecords(database(env.DB), now, 1);

    expect(await rows('stripe_events')).toBe(0);
    expect(await rows('checkouts')).toBe(before.checkouts! - 2);
    expect(await rows('reservations')).toBe(before.reservations! - 2);
    // Kept: the order (with its lines), and the live checkout with its hold.
    expect(await rows('orders')).toBe(orders);
    expect(await orderOf(paid.sessionId)).toMatchObject({ status: 'paid', lines: [{ sku: 'HB-NAVY-M' }] });
    expect(await env.DB.prepare('SELECT status FROM checkouts WHERE id = ?').bind(live.checkoutId).first('status')).toBe('open');
    expect(await navyAvailable()).toMatchObject({ held: 1 });
  });

  it('applies a deferred refund whose order was paid without draining it (a crash in between)', async () => {
    const checkout = await startCheckout([{ sku: 'HB-NAVY-M', quantity: 1 }]);
    const events = eventsFor(checkout);
    expect((await deliver('cochlearfit', events.completed())).status).toBe(200);
    // As if the refund had been kept just before the order was paid, and the drain had not run.
    const refund = events.refunded(800);
    await env.DB.prepare(
      'INSERT INTO deferred_stripe_events (shop_id, id, type, payment_intent_id, payload, received_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
      .bind('cochlearfit', refund.id, refund.type, events.paymentIntent, JSON.stringify(refund), Date.now())
      .run();
    await runCron();
    expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'partially_refunded', amounts: { refunded: 800 } });
    expect(await rows('deferred_stripe_events')).toBe(0);
  });
});

describe('cron: retention of hourly metrics', () => {
  it('deletes hourly counts older than 35 days, in bounded batches; keeps the recent ones and the totals', async () => {
    const now = Date.now();
    const hour = now - (now % 3_600_000);
    const insert = env.DB.prepare('INSERT INTO metric_hourly (shop_id, hour, name, value) VALUES (?, ?, ?, 1)');
    await env.DB.batch([
      insert.bind('cochlearfit', hour - 36 * DAY, 'holds_created'),
      insert.bind('cochlearfit', hour - 40 * DAY, 'holds_created'),
      insert.bind('othershop', hour - 36 * DAY, 'holds_expired'),
      insert.bind('cochlearfit', hour - 34 * DAY, 'holds_created'),
    ]);
    const old = () => env.DB.prepare('SELECT COUNT(*) AS n FROM metric_hourly WHERE hour < ?').bind(now - 35 * DAY).first<number>('n');
    expect(await old()).toBe(3);
    expect((await purgeOldRecords(database(env.DB), now, 2)).metricHours).toBe(2);
    expect(await old()).toBe(1);
    expect((await purgeOldRecords(database(env.DB), now, 2)).metricHours).toBe(1);
    expect(await old()).toBe(0);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM metric_hourly WHERE hour = ?').bind(hour - 34 * DAY).first('n')).toBe(1);
  });
});

describe('cron: alerts', () => {
  const receiver = inject('fakeReceiverUrl');
  type Received = { path: string; contentType: string; body: { text: string } };
  const received = async () => (await (await fetch(`${receiver}/__control/requests`)).json()) as Received[];
  const alertsOf = async (shop: 'othershop' | 'cochlearfit') => (await json(await call('/api/admin/alerts', { shop, admin: shop }))).alerts;
  const logged = (spy: { mock: { calls: unknown[][] } }, level: string, event: string) =>
    spy.mock.calls
      .map((c) => c[0] as { level: string; event: string; shopId?: string; attempts?: number })
      .filter((e) => e?.level === level && e.event === event && e.shopId === 'othershop');

  it('hold expiration over 10% of the last hour: one alert line, one POST, the banner; none a minute later; cleared under', async () => {
    await fetch(`${receiver}/__control/reset`);
    await env.DB.prepare('UPDATE shops SET alert_webhook_url = ? WHERE id = ?').bind(`${receiver}/hooks/othershop`, 'othershop').run();
    await putCatalog('othershop');
    await setStock('othershop', 'HB-NAVY-M', 100);
    const db = database(env.DB);
    let made = 0;
    const hold = async () => {
      const reservationId = `alerting-${made++}`;
      const lines = [{ sku: 'HB-NAVY-M', variantKey: NAVY_M_KEY, quantity: 1, backorder: false }];
      expect((await reserveAll(env, db, { shopId: 'othershop', reservationId, lines, expiresAt: Date.now() + 600_000 })).ok).toBe(true);
      return reservationId;
    };
    const giveBack = async (count: number) => {
      for (let i = 0; i < count; i++) await releaseReservation(env, db, 'othershop', await hold());
    };
    const lapse = async (count: number) => {
      const ids = [];
      for (let i = 0; i < count; i++) ids.push(await hold());
      for (const id of ids) await env.DB.prepare('UPDATE reservations SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, id).run();
    };
    const errors = vi.spyOn(console, 'error');
    const infos = vi.spyOn(console, 'log');
    const warnings = vi.spyOn(console, 'warn');

    // 17 holds given back and 3 that lapse: 3 of the 20 that ended (the minimum volume) expired, 15%.
    await giveBack(17);
    await lapse(2);
    await runCron();
    expect(await alertsOf('othershop')).toEqual([]); // 2 of 19: under the minimum volume, nothing is said
    await lapse(1);
    await runCron();
    expect(logged(errors, 'alert', 'alert')).toHaveLength(1);
    expect(logged(errors, 'alert', 'alert')[0]).toMatchObject({ kind: 'hold_expiration_rate', value: 0.15, threshold: 0.1 });
    const posts = await received();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ path: '/hooks/othershop', contentType: 'application/json' });
    expect(Object.keys(posts[0]!.body)).toEqual(['text']);
    expect(posts[0]!.body.text).toBe(
      'othershop: Hold expiration rate 15.0% in the last hour (threshold 10.0%): shoppers are leaving checkouts unpaid.',
    );
    const [banner] = await alertsOf('othershop');
    expect(banner).toMatchObject({ kind: 'hold_expiration_rate', value: 0.15, threshold: 0.1, message: posts[0]!.body.text.slice('othershop: '.length) });
    expect(Date.parse(banner.notifiedAt)).toBeGreaterThanOrEqual(Date.parse(banner.activeSince));
    expect(await alertsOf('cochlearfit')).toEqual([]); // another shop's console shows nothing of it

    // A minute later, still over: the same episode. No second POST, no second alert line; the value is kept current.
    await runCron(Date.now() + 60_000);
    expect(await received()).toHaveLength(1);
    expect(logged(errors, 'alert', 'alert')).toHaveLength(1);
    expect((await alertsOf('othershop'))[0]).toMatchObject({ activeSince: banner.activeSince, notifiedAt: banner.notifiedAt });

    // Back under the threshold (3 of 31, 9.7%): cleared, said once at info, and no POST.
    await giveBack(11);
    await runCron();
    expect(await alertsOf('othershop')).toEqual([]);
    expect(logged(infos, 'info', 'alert_cleared')).toEqual([expect.objectContaining({ kind: 'hold_expiration_rate' })]);
    expect(await received()).toHaveLength(1);

    // The next episode (7 of 35, 20%) posts again. A receiver that answers 500 is logged, nothing throws, and the
    // POST is tried again while the episode lasts: a minute after the first try, then five minutes after that.
    await fetch(`${receiver}/__control/down`);
    await lapse(4);
    const start = Date.now();
    await runCron(start);
    expect(await received()).toHaveLength(2);
    expect(logged(errors, 'alert', 'alert')).toHaveLength(2);
    expect(logged(warnings, 'warn', 'alert_webhook_refused')).toEqual([expect.objectContaining({ status: 500, attempts: 1 })]);
    expect((await alertsOf('othershop'))[0]).toMatchObject({ kind: 'hold_expiration_rate', value: 0.2, notifiedAt: null });
    await runCron(start + 30_000);
    expect(await received()).toHaveLength(2); // too soon
    await runCron(start + 60_000);
    expect(await received()).toHaveLength(3);
    expect(logged(warnings, 'warn', 'alert_webhook_refused').map((w) => w.attempts)).toEqual([1, 2]);

    // The receiver is back (and has forgotten what it got). The next try is five minutes after the last one.
    await fetch(`${receiver}/__control/reset`);
    await runCron(start + 5 * 60_000);
    expect(await received()).toEqual([]);
    await runCron(start + 6 * 60_000);
    expect(await received()).toEqual([expect.objectContaining({ path: '/hooks/othershop', body: { text: expect.stringContaining('20.0%') } })]);
    expect(Date.parse((await alertsOf('othershop'))[0].notifiedAt)).toBe(start + 6 * 60_000);
    expect(logged(errors, 'alert', 'alert')).toHaveLength(2); // a retry is not a new alert
    await runCron(start + 30 * 60_000);
    expect(await received()).toHaveLength(1); // delivered: no more POSTs this episode
    vi.restoreAllMocks();
  });
});
