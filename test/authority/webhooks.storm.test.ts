// A webhook storm: 200 deliveries for 20 sessions mixing every event type we handle (completed paid and unpaid,
// async succeeded and failed, expired, refunds, refund failures, disputes opened and closed) plus redeliveries,
// shuffled and sent all at once. Whatever the interleaving, the orders, refunded amounts, disputes and stock end
// as a model computed from the events says (the state Stripe's account shows), and no validly signed event gets
// a 4xx. A 5xx ("retry me") is allowed and redelivered, as Stripe would.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { putCatalog, releaseAllHolds, setStock } from './helpers';
import { deliver } from './stripe-events';
import { eventsFor, orderOf, startCheckout, stock } from './webhook-helpers';

const SESSIONS = 20;
const DELIVERIES = 200;
const SKUS = ['HB-NAVY-M', 'HB-PINK-M'] as const;
const START_STOCK = 100;

/** mulberry32: a seeded generator, so a failing storm can be replayed from its seed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Scenario = 'card' | 'async_ok' | 'async_fail' | 'abandoned';

interface Expected {
  status: string | null;
  refunded: number;
  dispute: string | null;
  /** Units that leave stock for good: sold and not restocked by a full refund. */
  sold: number;
}

describe('webhook storm', () => {
  it(`${DELIVERIES} deliveries for ${SESSIONS} sessions, shuffled and concurrent, end as the model says`, async () => {
    const seed = env.STORM_SEED ? Number(env.STORM_SEED) : Date.now() % 100_000;
    const rand = random(seed);
    const pick = <T,>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
    const between = (low: number, high: number) => low + Math.floor(rand() * (high - low + 1));

    await releaseAllHolds();
    await putCatalog('cochlearfit');
    for (const sku of SKUS) await setStock('cochlearfit', sku, START_STOCK);
    await env.DB.prepare('UPDATE shops SET restock_on_refund = 1 WHERE id = ?').bind('cochlearfit').run();

    const t = Math.floor(Date.now() / 1000);
    const unique: object[] = [];
    const sessions: { sessionId: string; sku: string; expected: Expected }[] = [];
    for (let s = 0; s < SESSIONS; s++) {
      const sku = pick(SKUS);
      const quantity = between(1, 3);
      const checkout = await startCheckout([{ sku, quantity }]);
      const events = eventsFor(checkout);
      const total = checkout.amounts.total;
      const scenario = pick<Scenario>(['card', 'card', 'async_ok', 'async_fail', 'abandoned']);
      const expected: Expected = { status: null, refunded: 0, dispute: null, sold: 0 };
      if (scenario === 'abandoned') unique.push(events.expired());
      if (scenario === 'async_fail') {
        unique.push(events.completedUnpaid(), events.asyncFailed());
        expected.status = 'payment_failed';
      }
      if (scenario === 'card' || scenario === 'async_ok') {
        unique.push(...(scenario === 'card' ? [events.completed()] : [events.completedUnpaid(), events.asyncSucceeded()]));
        expected.sold = quantity;
        // Refunds as Stripe reports them: charge.refunded with the cumulative amount, failures later.
        if (rand() < 0.6) {
          const first = between(100, total - 100); // partial, so no state on the way is a full refund
          unique.push(events.refunded(first, t + 10));
          const firstFailed = rand() < 0.4;
          if (firstFailed) unique.push(events.refundFailed(`re_storm_${s}`, first, t + 20, pick(['refund.updated', 'charge.refund.updated'])));
          let cumulative = firstFailed ? 0 : first;
          if (rand() < 0.5) {
            cumulative += rand() < 0.5 ? total - cumulative : between(1, total - cumulative);
            unique.push(events.refunded(cumulative, t + 30));
          }
          expected.refunded = cumulative;
        }
        if (rand() < 0.4) {
          unique.push(events.disputeCreated());
          expected.dispute = 'disputed';
          if (rand() < 0.6) {
            const outcome = pick(['won', 'lost'] as const);
            unique.push(events.disputeClosed(outcome));
            expected.dispute = outcome;
          }
        }
        const full = expected.refunded === total;
        expected.status = full ? 'refunded' : expected.refunded > 0 ? 'partially_refunded' : 'paid';
        if (full) expected.sold = 0; // restocked
      }
      sessions.push({ sessionId: checkout.sessionId, sku, expected });
    }

    // Redeliveries up to 200, then a shuffle: any event may come first, several times, at the same moment.
    const deliveries = [...unique];
    while (deliveries.length < DELIVERIES) deliveries.push(pick(unique));
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
    }

    const statuses: number[] = [];
    let pending = deliveries;
    for (let round = 0; pending.length > 0 && round < 5; round++) {
      const answers = await Promise.all(pending.map((event) => deliver('cochlearfit', event)));
      statuses.push(...answers.map((r) => r.status));
      await Promise.all(answers.map((r) => r.text()));
      pending = pending.filter((_, i) => answers[i]!.status >= 500);
    }
    const context = `seed ${seed}, statuses ${JSON.stringify(statuses.reduce<Record<number, number>>((n, s) => ({ ...n, [s]: (n[s] ?? 0) + 1 }), {}))}`;
    expect(statuses.filter((s) => s >= 400 && s < 500), context).toEqual([]);
    expect(pending, context).toEqual([]);

    for (const { sessionId, expected } of sessions) {
      const order = await orderOf(sessionId);
      const actual = order ? { status: order.status, refunded: order.amounts.refunded, dispute: order.dispute } : { status: null, refunded: 0, dispute: null };
      expect(actual, `${sessionId} (${context})`).toEqual({ status: expected.status, refunded: expected.refunded, dispute: expected.dispute });
    }
    for (const sku of SKUS) {
      const sold = sessions.filter((s) => s.sku === sku).reduce((n, s) => n + s.expected.sold, 0);
      expect(await stock(sku), `${sku} (${context})`).toEqual({ onHand: START_STOCK - sold, held: 0, available: START_STOCK - sold });
    }
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM deferred_stripe_events').first('n'), context).toBe(0);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM webhook_locks').first('n'), context).toBe(0);
  }, 120_000);
});
