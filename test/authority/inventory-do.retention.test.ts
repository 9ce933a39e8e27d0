// Bounded storage in one InventoryDO: ended holds and stock changes are pruned past the retention window, and
// pruning changes no figure (available and onHand are what they were, live holds stay).
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { InventoryDO, inventoryObjectName, RETENTION_MS } from '../../durable-objects/inventory-do';

const stock = (name: string) => env.INVENTORY.get(env.INVENTORY.idFromName(inventoryObjectName('cochlearfit', name)));
const inAnHour = () => Date.now() + 60 * 60 * 1000;
const CYCLES = 1_000;

describe('InventoryDO retention', () => {
  it(`after ${CYCLES} hold / release / expire cycles and a prune, the object stores a bounded number of rows`, async () => {
    const object = stock('busy-variant');
    await object.set('count', 1_000, 'stocktake'); // room for the short holds, all live until they lapse together
    await object.reserve('still-live', 5, inAnHour());
    const before = await object.snapshot();

    // Every cycle takes a hold that then ends: released at once, or left to lapse a few ms later.
    await runInDurableObject(object, async (object) => {
      const instance = object as InventoryDO;
      for (let i = 0; i < CYCLES; i++) {
        const id = `cycle-${i}`;
        if (i % 2 === 0) {
          expect(await instance.reserve(id, 1 + (i % 3), inAnHour())).toMatchObject({ ok: true });
          await instance.release(id);
        } else {
          expect(await instance.reserve(id, 1, Date.now() + 30)).toMatchObject({ ok: true });
        }
        if (i % 10 === 0) await instance.adjust(`count-${i}`, i % 20 === 0 ? 1 : -1, 'recount');
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 60)); // the last short holds lapse
    expect(await object.snapshot()).toEqual(before);
    expect(await object.storedRows()).toBeGreaterThan(CYCLES);

    // Within the retention window nothing goes; past it, every ended row does.
    expect(await object.prune()).toEqual({ holds: 0, stockChanges: 0 });
    const pruned = await object.prune(0);
    expect(pruned.holds).toBe(CYCLES);
    expect(pruned.stockChanges).toBe(CYCLES / 10 + 1);
    expect(await object.storedRows()).toBe(1); // the live hold
    expect(await object.snapshot()).toEqual(before);
    expect(await object.hold('still-live')).toMatchObject({ status: 'active', quantity: 5 });
  });

  it('the alarm prunes rows that ended more than 30 days ago and keeps recent ones', async () => {
    const object = stock('old-variant');
    await object.set('count', 10, 'stocktake');
    await object.reserve('old', 2, inAnHour());
    await object.release('old');
    await object.reserve('recent', 1, inAnHour());
    await object.release('recent');
    const monthAgo = Date.now() - RETENTION_MS - 1_000;
    await runInDurableObject(object, (_instance, state) => {
      state.storage.sql.exec(`UPDATE holds SET ended_at = ? WHERE hold_id = 'old'`, monthAgo);
      state.storage.sql.exec(`UPDATE stock_changes SET created_at = ?`, monthAgo);
    });
    expect(await object.storedRows()).toBe(3);
    expect(await runDurableObjectAlarm(object)).toBe(true);
    expect(await object.storedRows()).toBe(1);
    expect(await object.hold('recent')).toMatchObject({ status: 'released' });
    expect(await object.snapshot()).toMatchObject({ onHand: 10, held: 0, available: 10 });
    // The object wakes again to prune what is left when its time comes.
    expect(await runInDurableObject(object, (_instance, state) => state.storage.getAlarm())).toBeGreaterThan(Date.now() + RETENTION_MS - 60_000);
  });
});
