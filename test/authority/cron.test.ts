// The authority's cron: the second line behind alarms and webhooks. Idempotent, bounded.
import { createExecutionContext, createScheduledController, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { inventoryObjectName } from '../../durable-objects/inventory-do';
import { database } from '../../workers/commerce-authority/src/db/client';
import CommerceAuthority from '../../workers/commerce-authority/src/index';
import { reserveAll } from '../../workers/commerce-authority/src/inventory/reservations';
import { call, json, putCatalog, releaseAllHolds, setStock } from './helpers';

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
