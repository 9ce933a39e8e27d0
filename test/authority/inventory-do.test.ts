// InventoryDO, called directly: the hold lifecycle (idempotent reserve, release, commit, adjust and set; expiry by
// alarm); hundreds of parallel calls against one variant's stock object; and bounded storage (ended holds and stock
// changes are pruned past the retention window, and pruning changes no figure: available and onHand are what they
// were, live holds stay). One file: each file costs the pool a runtime start.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { InventoryDO, inventoryObjectName, RETENTION_MS } from '../../durable-objects/inventory-do';

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
    const longLived = inAnHour();
    await object.reserve('long-lived', 1, longLived);
    expect(await object.snapshot()).toMatchObject({ held: 4, available: 0 });

    await new Promise((resolve) => setTimeout(resolve, 250));
    // workerd's own alarm is due by now and may already be running; either it or this run expires the hold.
    // Nothing else touches the object until the statuses are read, so 'expired' can only be an alarm's work.
    await runDurableObjectAlarm(object);

    const statuses = () =>
      runInDurableObject(object, (_instance, state) =>
        state.storage.sql.exec<{ hold_id: string; status: string }>(`SELECT hold_id, status FROM holds ORDER BY hold_id`).toArray(),
      );
    await vi.waitFor(async () =>
      expect(await statuses()).toEqual([
        { hold_id: 'long-lived', status: 'active' },
        { hold_id: 'short-lived', status: 'expired' },
      ]),
    );
    // The alarm is set again, for the next live hold.
    await vi.waitFor(async () => expect(await runInDurableObject(object, (_i, state) => state.storage.getAlarm())).toBe(longLived));
    expect(await object.snapshot()).toMatchObject({ onHand: 4, held: 1, available: 3 });
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

/** What the holds table itself says is held (the running totals must agree). */
const activeHoldsCounted = (object: ReturnType<typeof stock>) =>
  runInDurableObject(object, (_instance, state) =>
    state.storage.sql
      .exec<{ held: number; activeHolds: number }>(
        `SELECT COALESCE(SUM(quantity), 0) AS held, COUNT(*) AS activeHolds FROM holds WHERE status = 'active' AND expires_at > ?`,
        Date.now(),
      )
      .one(),
  );

describe('InventoryDO running totals', () => {
  it('stay equal to the holds through reserve, release, commit and expiry', async () => {
    const object = stock('totals');
    await object.set('count', 50, 'test');
    await Promise.all(Array.from({ length: 20 }, (_, i) => object.reserve(`t-${i}`, 1 + (i % 3), i % 4 === 0 ? Date.now() + 100 : inAnHour())));
    await Promise.all([object.release('t-1'), object.release('t-2'), object.commit('t-3'), object.release('t-1')]);
    await new Promise((resolve) => setTimeout(resolve, 150)); // every fourth hold lapses
    const lapsed = await object.snapshot(); // the read marks them expired and counts them out
    expect(await activeHoldsCounted(object)).toEqual({ held: lapsed.held, activeHolds: lapsed.activeHolds });
    // workerd's own alarm is due too and may be running: either run, once finished (it sets the next alarm, in the
    // future, where the due one was past), changes nothing.
    await runDurableObjectAlarm(object);
    await vi.waitFor(async () =>
      expect(await runInDurableObject(object, (_i, state) => state.storage.getAlarm())).toBeGreaterThan(Date.now()),
    );
    expect(await object.snapshot()).toEqual(lapsed);
    expect(lapsed).toEqual({ onHand: 49, held: 24, available: 25, activeHolds: 12 });
  });

  it('an object whose holds predate the totals counts them once, when it starts', async () => {
    const object = stock('totals-upgrade');
    await object.set('count', 10, 'test');
    await object.reserve('old-1', 2, inAnHour());
    await object.reserve('old-2', 3, inAnHour());
    await object.release('old-2');
    const snapshot = await runInDurableObject(object, async (_instance, state) => {
      state.storage.sql.exec('DROP TABLE held_totals'); // as an object stored before the totals existed
      await new InventoryDO(state, env).reserve('new', 1, inAnHour());
      return new InventoryDO(state, env).snapshot(); // and started again later: counted once, not twice
    });
    expect(snapshot).toEqual({ onHand: 10, held: 3, available: 7, activeHolds: 2 });
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

describe('InventoryDO concurrency', () => {
  it('500 concurrent 1-unit reserves against onHand 100: exactly 100 succeed, available ends at 0', async () => {
    const object = stock('flash-sale');
    await object.set('count', 100, 'test');

    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => object.reserve(`hold-${i}`, 1, inAnHour())),
    );

    expect(results.filter((r) => r.ok)).toHaveLength(100);
    expect(results.filter((r) => !r.ok && r.reason === 'insufficient_stock')).toHaveLength(400);
    // No answer ever saw available below 0.
    expect(Math.min(...results.map((r) => r.available))).toBe(0);
    expect(await object.snapshot()).toEqual({ onHand: 100, held: 100, available: 0, activeHolds: 100 });
  });

  it('mixed quantities with concurrent admin adjustments interleaved never oversell', async () => {
    const object = stock('mixed');
    await object.set('count', 60, 'test');

    const reserves = Array.from({ length: 300 }, (_, i) => object.reserve(`mixed-${i}`, 1 + (i % 3), inAnHour()));
    const adjustments = Array.from({ length: 40 }, (_, i) =>
      object.adjust(`adjust-${i}`, i % 2 === 0 ? 5 : -4, i % 2 === 0 ? 'delivery' : 'damaged'),
    );
    const [reserveResults, adjustResults] = await Promise.all([Promise.all(reserves), Promise.all(adjustments)]);

    const held = reserveResults.reduce((sum, r, i) => sum + (r.ok ? 1 + (i % 3) : 0), 0);
    const acceptedDelta = adjustResults.reduce((sum, r, i) => sum + (r.ok ? (i % 2 === 0 ? 5 : -4) : 0), 0);
    const snapshot = await object.snapshot();

    expect(snapshot.onHand).toBe(60 + acceptedDelta);
    expect(snapshot.held).toBe(held);
    expect(snapshot.available).toBe(snapshot.onHand - held);
    expect(snapshot.available).toBeGreaterThanOrEqual(0);
    // Every refused adjustment was refused because it would have cut into held units.
    for (const r of adjustResults) if (!r.ok) expect(r.reason).toBe('below_held');
    expect(reserveResults.every((r) => r.available >= 0)).toBe(true);
    expect(adjustResults.every((r) => r.snapshot.available >= 0)).toBe(true);
    // The running totals a snapshot reads are what the holds themselves add up to.
    expect(await activeHoldsCounted(object)).toEqual({ held: snapshot.held, activeHolds: snapshot.activeHolds });
  });

  it('200 concurrent repeats of one hold id hold once', async () => {
    const object = stock('repeats');
    await object.set('count', 10, 'test');
    const results = await Promise.all(Array.from({ length: 200 }, () => object.reserve('same-hold', 3, inAnHour())));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await object.snapshot()).toMatchObject({ onHand: 10, held: 3, available: 7, activeHolds: 1 });
  });
});

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
