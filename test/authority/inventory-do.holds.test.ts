// The hold lifecycle of one InventoryDO: idempotent reserve, release, commit, adjust and set; expiry by alarm.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { inventoryObjectName } from '../../durable-objects/inventory-do';

const stock = (name: string) => env.INVENTORY.get(env.INVENTORY.idFromName(inventoryObjectName('cochlearfit', name)));
const inAnHour = () => Date.now() + 60 * 60 * 1000;

describe('InventoryDO holds', () => {
  it('a repeated reserve returns the first result and holds nothing more', async () => {
    const object = stock('repeat');
    await object.set('count', 10, 'test');
    const expiresAt = inAnHour();
    const first = await object.reserve('h1', 4, expiresAt);
    const again = await object.reserve('h1', 4, expiresAt + 5000);
    expect(first).toMatchObject({ ok: true, hold: { holdId: 'h1', quantity: 4, expiresAt, status: 'active' } });
    expect(again).toMatchObject({ ok: true, hold: { holdId: 'h1', quantity: 4, expiresAt, status: 'active' } });
    expect(await object.snapshot()).toMatchObject({ onHand: 10, held: 4, available: 6 });
  });

  it('a repeat with another quantity is refused, not merged', async () => {
    const object = stock('mismatch');
    await object.set('count', 10, 'test');
    await object.reserve('h1', 2, inAnHour());
    expect(await object.reserve('h1', 5, inAnHour())).toMatchObject({ ok: false, reason: 'hold_mismatch' });
    expect((await object.snapshot()).held).toBe(2);
  });

  it('refuses a hold larger than what is available and holds nothing', async () => {
    const object = stock('short');
    await object.set('count', 3, 'test');
    expect(await object.reserve('big', 4, inAnHour())).toEqual({ ok: false, reason: 'insufficient_stock', available: 3 });
    expect(await object.snapshot()).toMatchObject({ held: 0, available: 3 });
  });

  it('release is idempotent and gives the units back once', async () => {
    const object = stock('release');
    await object.set('count', 5, 'test');
    await object.reserve('h1', 2, inAnHour());
    expect(await object.release('h1')).toMatchObject({ ok: true, hold: { status: 'released' } });
    expect(await object.release('h1')).toMatchObject({ ok: true, hold: { status: 'released' } });
    expect(await object.release('never-held')).toEqual({ ok: true, hold: null });
    expect(await object.snapshot()).toMatchObject({ onHand: 5, held: 0, available: 5 });
    // An ended hold is never revived by a late repeat of its reserve.
    expect(await object.reserve('h1', 2, inAnHour())).toMatchObject({ ok: false, reason: 'hold_ended' });
    expect((await object.snapshot()).held).toBe(0);
  });

  it('commit moves the units out of onHand once; a repeat is a no-op', async () => {
    const object = stock('commit');
    await object.set('count', 5, 'test');
    await object.reserve('h1', 2, inAnHour());
    expect(await object.commit('h1')).toMatchObject({ ok: true, hold: { status: 'committed' } });
    expect(await object.commit('h1')).toMatchObject({ ok: true, hold: { status: 'committed' } });
    expect(await object.snapshot()).toMatchObject({ onHand: 3, held: 0, available: 3 });
    // A committed hold cannot be released.
    expect(await object.release('h1')).toMatchObject({ ok: false, reason: 'hold_committed' });
    expect((await object.snapshot()).onHand).toBe(3);
  });

  it('commit after release is refused cleanly and changes nothing', async () => {
    const object = stock('commit-after-release');
    await object.set('count', 5, 'test');
    await object.reserve('h1', 2, inAnHour());
    await object.release('h1');
    expect(await object.commit('h1')).toMatchObject({ ok: false, reason: 'hold_ended', hold: { status: 'released' } });
    expect(await object.commit('unknown')).toEqual({ ok: false, reason: 'hold_not_found' });
    expect(await object.snapshot()).toMatchObject({ onHand: 5, held: 0, available: 5 });
  });

  it('adjust and set apply once per change id and never go below what is held', async () => {
    const object = stock('adjust');
    await object.set('count', 5, 'test');
    expect(await object.adjust('delivery-1', 3, 'delivery')).toMatchObject({ ok: true, snapshot: { onHand: 8 } });
    expect(await object.adjust('delivery-1', 3, 'delivery')).toMatchObject({ ok: true, snapshot: { onHand: 8 } });
    await object.reserve('h1', 6, inAnHour());
    expect(await object.adjust('damage', -3, 'damaged')).toMatchObject({ ok: false, reason: 'below_held', snapshot: { onHand: 8, held: 6 } });
    expect(await object.set('recount', 5, 'recount')).toMatchObject({ ok: false, reason: 'below_held' });
    expect(await object.set('recount-2', 6, 'recount')).toMatchObject({ ok: true, snapshot: { onHand: 6, available: 0 } });
    expect(await object.adjust('negative', -7, 'x')).toMatchObject({ ok: false, reason: 'below_held', snapshot: { onHand: 6 } });
  });

  it('a hold past its expiry is expired by the alarm and available is restored', async () => {
    const object = stock('expiry');
    await object.set('count', 4, 'test');
    const expiresAt = Date.now() + 200;
    await object.reserve('short-lived', 3, expiresAt);
    await object.reserve('long-lived', 1, inAnHour());
    expect(await object.snapshot()).toMatchObject({ held: 4, available: 0 });

    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await runDurableObjectAlarm(object)).toBe(true);

    const statuses = await runInDurableObject(object, (_instance, state) =>
      state.storage.sql.exec<{ hold_id: string; status: string }>(`SELECT hold_id, status FROM holds ORDER BY hold_id`).toArray(),
    );
    expect(statuses).toEqual([
      { hold_id: 'long-lived', status: 'active' },
      { hold_id: 'short-lived', status: 'expired' },
    ]);
    expect(await object.snapshot()).toMatchObject({ onHand: 4, held: 1, available: 3 });
    // The alarm is set again for the next live hold.
    expect(await runInDurableObject(object, (_i, state) => state.storage.getAlarm())).not.toBeNull();
    // An expired hold cannot be committed.
    expect(await object.commit('short-lived')).toMatchObject({ ok: false, reason: 'hold_ended' });
  });

  it('an expired hold stops counting at once, even before its alarm runs', async () => {
    const object = stock('lazy-expiry');
    await object.set('count', 2, 'test');
    await object.reserve('h1', 2, Date.now() + 100);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await object.reserve('h2', 2, inAnHour())).toMatchObject({ ok: true });
  });
});

describe('InventoryDO extend', () => {
  it('keeps a live hold longer, never shorter, and refuses an ended one', async () => {
    const object = env.INVENTORY.get(env.INVENTORY.idFromName(inventoryObjectName('cochlearfit', 'extend')));
    await object.set('count', 3, 'test');
    const soon = Date.now() + 200;
    await object.reserve('h1', 2, soon);
    const later = Date.now() + 7 * 24 * 60 * 60 * 1000;
    expect(await object.extend('h1', later)).toMatchObject({ ok: true, hold: { expiresAt: later } });
    expect(await object.extend('h1', soon)).toMatchObject({ ok: true, hold: { expiresAt: later } });
    await new Promise((r) => setTimeout(r, 250));
    expect(await object.snapshot()).toMatchObject({ held: 2, available: 1 });
    await object.release('h1');
    expect(await object.extend('h1', later + 1)).toMatchObject({ ok: false, reason: 'hold_ended' });
    expect(await object.extend('nope', later)).toEqual({ ok: false, reason: 'hold_not_found' });
  });
});
