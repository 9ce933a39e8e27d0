// The InventoryDO under concurrency: hundreds of parallel calls against one variant's stock object.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { inventoryObjectName } from '../../durable-objects/inventory-do';

const stock = (name: string) => env.INVENTORY.get(env.INVENTORY.idFromName(inventoryObjectName('cochlearfit', name)));
const inAnHour = () => Date.now() + 60 * 60 * 1000;

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
  });

  it('200 concurrent repeats of one hold id hold once', async () => {
    const object = stock('repeats');
    await object.set('count', 10, 'test');
    const results = await Promise.all(Array.from({ length: 200 }, () => object.reserve('same-hold', 3, inAnHour())));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await object.snapshot()).toMatchObject({ onHand: 10, held: 3, available: 7, activeHolds: 1 });
  });
});
