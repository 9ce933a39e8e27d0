// The authority's cron: the second line behind alarms and webhooks. Idempotent, bounded.
import { createExecutionContext, createScheduledController, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { inventoryObjectName } from '../../durable-objects/inventory-do';
import { database } from '../../workers/commerce-authority/src/db/client';
import CommerceAuthority from '../../workers/commerce-authority/src/index';
import { reserveAll } from '../../workers/commerce-authority/src/inventory/reservations';
import { purgeOldRecords } from '../../workers/commerce-authority/src/db/retention';
import { call, json, putCatalog, releaseAllHolds, setStock } from './helpers';
import { deliver } from './stripe-events';
import { eventsFor, orderOf, startCheckout } from './webhook-helpers';

const NAVY_M_KEY = 'hb|colour=navy;size=m';

async function runCron() {
  await new CommerceAuthority(createExecutionContext(), env).scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }));
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
      expiresAt: Date.now() + 150,
    });
    await runInDurableObject(object, (_instance, state) => state.storage.deleteAlarm());
    await new Promise((r) => setTimeout(r, 200));
    const holdStatus = () =>
      runInDurableObject(object, (_i, state) => state.storage.sql.exec<{ status: string }>(`SELECT status FROM holds WHERE hold_id = 'lost-alarm'`).one().status);
    expect(await holdStatus()).toBe('active');

    await runCron();
    expect(await holdStatus()).toBe('expired');
    expect(await env.DB.prepare('SELECT status FROM reservations WHERE id = ?').bind('lost-alarm').first('status')).toBe('expired');
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
