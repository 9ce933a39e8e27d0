// Events of one payment handled at the same moment. Stripe sends completed (unpaid) and async_payment_succeeded
// seconds apart, and retries overlap: whichever handler runs second must see what the first did (it waits for
// the session's lease and re-reads), so no order stays pending with its money taken, and no stock moves twice.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { json, putCatalog, releaseAllHolds, setStock } from './helpers';
import { deliver } from './stripe-events';
import { eventsFor, orderOf, startCheckout, stock } from './webhook-helpers';

const NAVY_M = 'HB-NAVY-M';
const SESSIONS = 8;

beforeEach(async () => {
  await releaseAllHolds();
  await putCatalog('cochlearfit');
  await setStock('cochlearfit', NAVY_M, 100);
});

async function deliverAll(events: object[]) {
  const answers = await Promise.all(events.map((event) => deliver('cochlearfit', event)));
  expect(answers.map((r) => r.status)).toEqual(events.map(() => 200));
  return Promise.all(answers.map(async (r) => (await json(r)).outcome));
}

describe('concurrent events of one session', () => {
  it(`completed (unpaid) and async_payment_succeeded at the same moment, ${SESSIONS} sessions: every order paid, stock committed once`, async () => {
    const checkouts = await Promise.all(Array.from({ length: SESSIONS }, () => startCheckout([{ sku: NAVY_M, quantity: 2 }])));
    const outcomes = await deliverAll(checkouts.flatMap((c) => [eventsFor(c).completedUnpaid(), eventsFor(c).asyncSucceeded()]));
    expect(outcomes.every((o) => o === 'applied')).toBe(true);
    for (const checkout of checkouts) {
      expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'paid', lines: [{ sku: NAVY_M, committed: 2 }] });
    }
    expect(await stock(NAVY_M)).toEqual({ onHand: 100 - 2 * SESSIONS, held: 0, available: 100 - 2 * SESSIONS });
  });

  it('completed (unpaid) and async_payment_failed at the same moment: payment failed, every unit back on sale', async () => {
    const checkouts = await Promise.all(Array.from({ length: SESSIONS }, () => startCheckout([{ sku: NAVY_M, quantity: 3 }])));
    await deliverAll(checkouts.flatMap((c) => [eventsFor(c).completedUnpaid(), eventsFor(c).asyncFailed()]));
    for (const checkout of checkouts) expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'payment_failed' });
    expect(await stock(NAVY_M)).toEqual({ onHand: 100, held: 0, available: 100 });
  });

  it('completed (paid), a full refund and a dispute at the same moment: one refunded, disputed order', async () => {
    const checkouts = await Promise.all(Array.from({ length: SESSIONS }, () => startCheckout([{ sku: NAVY_M, quantity: 1 }])));
    await deliverAll(
      checkouts.flatMap((c) => {
        const events = eventsFor(c);
        return [events.completed(), events.refunded(c.amounts.total), events.disputeCreated()];
      }),
    );
    for (const checkout of checkouts) {
      expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'refunded', dispute: 'disputed', amounts: { refunded: checkout.amounts.total } });
    }
    expect(await stock(NAVY_M)).toMatchObject({ onHand: 100 - SESSIONS, held: 0 });
  });
});

describe("a handler that crashed holding the session's lease", () => {
  it('blocks the session only until its lease lapses; the next delivery then applies and frees it', async () => {
    const checkout = await startCheckout([{ sku: NAVY_M, quantity: 1 }]);
    await env.DB.prepare('INSERT INTO webhook_locks (shop_id, key, holder, expires_at) VALUES (?, ?, ?, ?)')
      .bind('cochlearfit', checkout.sessionId, 'crashed-worker', Date.now() - 1)
      .run();
    expect(await deliverAll([eventsFor(checkout).completed()])).toEqual(['applied']);
    expect(await orderOf(checkout.sessionId)).toMatchObject({ status: 'paid' });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM webhook_locks').first('n')).toBe(0);
  });
});
