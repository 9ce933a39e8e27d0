// Holds that did not end the normal way: a release that failed is retried by the cron's reaper until the stock
// object lets go, and a late hold (taken when a payment landed after its first hold lapsed) that has itself
// lapsed by the time the payment settles leaves the order flagged oversold, never counted as sold from stock.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reapExpiredReservations } from '../../workers/commerce-authority/src/inventory/reaper';
import { breakStockObject, repairStockObjects, stockObjectOf } from './faults';
import { json, putCatalog, releaseAllHolds, reservationStatus, setStock } from './helpers';
import { deliver } from './stripe-events';
import { eventsFor, metrics, orderOf, startCheckout, stock } from './webhook-helpers';

const NAVY = { sku: 'HB-NAVY-M', key: 'hb|colour=navy;size=m' };


beforeEach(async () => {
  await releaseAllHolds();
  await putCatalog('cochlearfit');
  await setStock('cochlearfit', NAVY.sku, 10);
});
afterEach(() => repairStockObjects());

describe('a release that failed', () => {
  it('async_payment_failed with the stock object down: the order fails, and the reaper releases the holds later', async () => {
    const checkout = await startCheckout([{ sku: NAVY.sku, quantity: 3 }]);
    const events = eventsFor(checkout);
    expect((await deliver('cochlearfit', events.completedUnpaid())).status).toBe(200);
    const releasedBefore = (await metrics()).holds.released;

    breakStockObject(NAVY.key, 'release');
    const failed = await deliver('cochlearfit', events.asyncFailed());
    expect(failed.status).toBe(200);
    expect(await json(failed)).toMatchObject({ outcome: 'applied' });
    expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'payment_failed' });
    // The hold (extended for a 7-day bank debit) is still out of stock, and the reservation says a release is owed.
    expect(await stock(NAVY.sku)).toEqual({ onHand: 10, held: 3, available: 7 });
    expect(await reservationStatus(checkout.checkoutId)).toBe('releasing');

    await reapExpiredReservations(env, Date.now()); // still down: retried next run
    expect(await reservationStatus(checkout.checkoutId)).toBe('releasing');

    repairStockObjects();
    expect(await reapExpiredReservations(env, Date.now())).toMatchObject({ released: 1 });
    expect(await reservationStatus(checkout.checkoutId)).toBe('released');
    expect(await stock(NAVY.sku)).toEqual({ onHand: 10, held: 0, available: 10 });
    expect((await metrics()).holds.released).toBe(releasedBefore + 1);
  });
});

describe('a late hold that lapsed', () => {
  it('the payment settles after both the hold and its late hold lapsed: paid, flagged oversold, stock untouched', async () => {
    const checkout = await startCheckout([{ sku: NAVY.sku, quantity: 2 }]);
    const events = eventsFor(checkout);
    const navy = stockObjectOf(NAVY.key);
    // The first hold lapses before the delayed-payment completion arrives: a late hold is taken for 7 days.
    await navy.release(checkout.checkoutId);
    expect((await deliver('cochlearfit', events.completedUnpaid())).status).toBe(200);
    expect(await stock(NAVY.sku)).toEqual({ onHand: 10, held: 2, available: 8 });
    // The late hold is lost too (its object let it go) before the payment succeeds.
    await navy.release(`${checkout.checkoutId}.late`);

    expect((await deliver('cochlearfit', events.asyncSucceeded())).status).toBe(200);
    expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'paid', attention: 'oversold', lines: [{ committed: 0 }] });
    expect(await stock(NAVY.sku)).toEqual({ onHand: 10, held: 0, available: 10 });
  });
});
