// Faults injected at each step: stock objects failing mid-reservation, D1 failing mid-webhook, Stripe failing
// at each call, webhook storms. After each: no oversell, no hold alive without its reservation, one order per
// paid session, no paid checkout without its order.
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { breakStockObject, repairStockObjects } from './faults';
import { call, json, putCatalog, releaseAllHolds, setStock } from './helpers';
import { checkoutSession, deliver, stripeEvent } from './stripe-events';

const NAVY = { sku: 'HB-NAVY-M', key: 'hb|colour=navy;size=m' };
const PINK = { sku: 'HB-PINK-M', key: 'hb|colour=pink;size=m' };

async function inventory(shop = 'cochlearfit') {
  return (await json(await call('/api/admin/inventory', { shop, admin: shop }))).items as { sku: string; variantKey: string; onHand: number; held: number; available: number }[];
}

/** The invariants that must hold after any fault. */
async function expectInvariants(shop = 'cochlearfit') {
  const items = await inventory(shop);
  for (const item of items) expect(item.available, `${item.sku} oversold`).toBeGreaterThanOrEqual(0);
  // Every unit held in a stock object belongs to a live reservation in D1, and the other way round.
  const live = await env.DB.prepare(
    `SELECT l.value ->> 'variantKey' AS key, SUM(l.value ->> 'quantity') AS held FROM reservations r, json_each(r.lines) l
     WHERE r.shop_id = ? AND r.status IN ('active', 'pending') AND r.expires_at > ? AND l.value ->> 'held' GROUP BY key`,
  )
    .bind(shop, Date.now())
    .all<{ key: string; held: number }>();
  const heldInD1 = new Map(live.results.map((r) => [r.key, r.held]));
  for (const item of items) expect(item.held, `${item.sku} holds`).toBe(heldInD1.get(item.variantKey) ?? 0);
  // No hold outlives its expiry by more than the reaper's interval (one minute).
  expect(
    await env.DB.prepare("SELECT COUNT(*) AS n FROM reservations WHERE shop_id = ? AND status IN ('active', 'pending') AND expires_at < ?")
      .bind(shop, Date.now() - 60_000)
      .first('n'),
  ).toBe(0);
  // One order per paid session, and no completed checkout without its order.
  expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM (SELECT session_id FROM orders GROUP BY session_id HAVING COUNT(*) > 1)').first('n')).toBe(0);
  expect(
    await env.DB.prepare("SELECT COUNT(*) AS n FROM checkouts c WHERE c.status = 'complete' AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.session_id = c.session_id)").first('n'),
  ).toBe(0);
}

const checkout = (items: { sku: string; quantity: number }[], email = `${crypto.randomUUID()}@example.com`) =>
  call('/api/checkout-session', { method: 'POST', json: { items, email } });

const completed = (c: { sessionId: string; checkoutId: string; amounts: { subtotal: number } }) =>
  stripeEvent('checkout.session.completed', checkoutSession({ sessionId: c.sessionId, checkoutId: c.checkoutId, shopId: 'cochlearfit', subtotal: c.amounts.subtotal }));

beforeEach(async () => {
  await releaseAllHolds();
  await putCatalog('cochlearfit');
  await setStock('cochlearfit', NAVY.sku, 10);
  await setStock('cochlearfit', PINK.sku, 10);
});
afterEach(() => {
  repairStockObjects();
  vi.restoreAllMocks();
});

describe('stock objects failing', () => {
  it('a stock object throwing mid-reservation: 503, and the lines already held are given back', async () => {
    const checkouts = () => env.DB.prepare('SELECT COUNT(*) AS n FROM checkouts').first('n');
    const before = await checkouts();
    breakStockObject(PINK.key, 'reserve');
    const res = await checkout([{ sku: NAVY.sku, quantity: 2 }, { sku: PINK.sku, quantity: 1 }]);
    expect(res.status).toBe(503);
    expect(await json(res)).toMatchObject({ code: 'inventory_unavailable' });
    repairStockObjects();
    expect((await inventory()).find((i) => i.sku === NAVY.sku)).toMatchObject({ held: 0, available: 10 });
    // The holds come before the first write: nothing was recorded.
    expect(await checkouts()).toBe(before);
    await expectInvariants();
  });

  it('a stock object failing to commit: the webhook fails, Stripe retries, and the retry makes the order', async () => {
    const open = await json(await checkout([{ sku: NAVY.sku, quantity: 1 }, { sku: PINK.sku, quantity: 1 }]));
    const event = completed(open);
    breakStockObject(PINK.key, 'commit');
    expect((await deliver('cochlearfit', event)).status).toBe(500);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM orders WHERE session_id = ?').bind(open.sessionId).first('n')).toBe(0);
    repairStockObjects();
    const retry = await deliver('cochlearfit', event);
    expect(await json(retry)).toMatchObject({ outcome: 'applied' });
    expect((await inventory()).filter((i) => [NAVY.sku, PINK.sku].includes(i.sku)).map((i) => [i.onHand, i.held])).toEqual([
      [9, 0],
      [9, 0],
    ]);
    await expectInvariants();
  });
});

/**
 * The checkout's writes (its primary session's batches) go through `batch`, which gets the real one; the read
 * before them goes to a read session, untouched. Returns how many batches were sent.
 */
function primaryBatches(batch: (real: (statements: D1PreparedStatement[]) => Promise<D1Result[]>, statements: D1PreparedStatement[], n: number) => Promise<D1Result[]>) {
  const withSession = env.DB.withSession.bind(env.DB);
  let sent = 0;
  vi.spyOn(env.DB, 'withSession').mockImplementation((constraint) => {
    const session = withSession(constraint);
    if (constraint !== 'first-primary') return session;
    return Object.assign(Object.create(session), {
      prepare: (query: string) => session.prepare(query),
      getBookmark: () => session.getBookmark(),
      batch: (statements: D1PreparedStatement[]) => batch((s) => session.batch(s), statements, sent++),
    });
  });
  return () => sent;
}

describe('D1 failing', () => {
  it("the checkout's claim failing: a 500, and the units it held are given back at once", async () => {
    // The claim is the first batch on the primary session.
    const fences = () =>
      env.DB.prepare(
        "SELECT COUNT(*) AS n FROM reservations r WHERE status = 'released' AND NOT EXISTS (SELECT 1 FROM checkouts c WHERE c.id = r.id)",
      ).first<number>('n');
    const [fencesBefore, checkoutsBefore] = [await fences(), await env.DB.prepare('SELECT COUNT(*) AS n FROM checkouts').first('n')];
    const sent = primaryBatches((real, statements, n) => (n === 0 ? Promise.reject(new Error('D1_ERROR: injected: overloaded')) : real(statements)));
    const res = await checkout([{ sku: NAVY.sku, quantity: 2 }, { sku: PINK.sku, quantity: 1 }]);
    vi.restoreAllMocks();
    expect(res.status).toBe(500);
    expect(sent()).toBeGreaterThan(0);
    expect((await inventory()).filter((i) => [NAVY.sku, PINK.sku].includes(i.sku)).map((i) => i.held)).toEqual([0, 0]);
    // Given back behind a fence (one row under the hold id), so no late claim of that id can record them.
    expect(await fences()).toBe(fencesBefore! + 1);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM checkouts').first('n')).toBe(checkoutsBefore);
    await expectInvariants();
  });

  it("the claim landing but its answer lost: the checkout is answered, its holds kept, nothing given back", async () => {
    const sent = primaryBatches(async (real, statements, n) => {
      const results = await real(statements);
      if (n === 0) throw new Error('D1_ERROR: injected: the connection dropped after the commit');
      return results;
    });
    const res = await checkout([{ sku: NAVY.sku, quantity: 2 }]);
    vi.restoreAllMocks();
    expect(sent()).toBeGreaterThan(0);
    // The give-back's fence found the claim's record: the checkout is the answer, and its holds stay.
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(await env.DB.prepare('SELECT status, session_id FROM checkouts WHERE id = ?').bind(body.checkoutId).first()).toEqual({
      status: 'open',
      session_id: body.sessionId,
    });
    expect((await inventory()).find((i) => i.sku === NAVY.sku)).toMatchObject({ held: 2, available: 8 });
    await expectInvariants();
  });

  it('the webhook batch failing: no order and no event recorded; the redelivery applies it once', async () => {
    const open = await json(await checkout([{ sku: NAVY.sku, quantity: 3 }]));
    const event = completed(open);
    // Every batch fails while the event is delivered: not only the first, which a metrics flush left running by the
    // checkout (off its answer path) may take on a slow machine.
    const batch = vi.spyOn(env.DB, 'batch').mockRejectedValue(new Error('D1_ERROR: injected'));
    expect((await deliver('cochlearfit', event)).status).toBe(500);
    vi.restoreAllMocks();
    expect(batch).toHaveBeenCalled();
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM stripe_events WHERE id = ?').bind(event.id).first('n')).toBe(0);
    expect(await json(await deliver('cochlearfit', event))).toMatchObject({ outcome: 'applied' });
    expect(await json(await deliver('cochlearfit', event))).toMatchObject({ outcome: 'duplicate' });
    expect((await inventory()).find((i) => i.sku === NAVY.sku)).toMatchObject({ onHand: 7, held: 0 });
    await expectInvariants();
  });
});

describe('webhook storms', () => {
  it('40 concurrent deliveries mixing completed, expired and async success for one session: one paid order', async () => {
    const open = await json(await checkout([{ sku: NAVY.sku, quantity: 2 }]));
    const session = checkoutSession({ sessionId: open.sessionId, checkoutId: open.checkoutId, shopId: 'cochlearfit', subtotal: open.amounts.subtotal });
    const events = [
      ...Array.from({ length: 3 }, () => stripeEvent('checkout.session.completed', session)),
      ...Array.from({ length: 2 }, () => stripeEvent('checkout.session.expired', { ...session, status: 'expired', payment_status: 'unpaid' })),
      stripeEvent('checkout.session.async_payment_succeeded', session),
    ];
    const deliveries = Array.from({ length: 40 }, (_, i) => deliver('cochlearfit', events[i % events.length]!));
    const statuses = (await Promise.all(deliveries)).map((r) => r.status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const orders = await env.DB.prepare('SELECT status FROM orders WHERE session_id = ?').bind(open.sessionId).all();
    expect(orders.results).toEqual([{ status: 'paid' }]);
    // Whatever the interleaving, the two units were sold exactly once.
    expect((await inventory()).find((i) => i.sku === NAVY.sku)).toMatchObject({ onHand: 8, held: 0, available: 8 });
    await expectInvariants();
  }, 20_000); // the six distinct events of the session apply one at a time
});
