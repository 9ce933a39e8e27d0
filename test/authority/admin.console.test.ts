// The merchant console's order routes: search and pages, one order, fulfilment (set once, only when paid, shown on
// the shopper's return page) and the CSV export, parsed as RFC 4180 by a real parser. Bad input is a 400 naming
// the field, another shop's token a 401, and neither changes anything.
import { env } from 'cloudflare:workers';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, demoCatalog, json, putCatalog, releaseAllHolds, setStock, type CallOptions } from './helpers';
import { deliver } from './stripe-events';
import { eventsFor, startCheckout } from './webhook-helpers';

const NAVY_M = 'HB-NAVY-M';
const today = new Date().toISOString().slice(0, 10);
const admin = (path: string, options: CallOptions = {}) => call(path, { admin: 'cochlearfit', ...options });

async function paidOrder(email: string, quantity = 1) {
  const checkout = await startCheckout([{ sku: NAVY_M, quantity }], { email });
  expect((await deliver('cochlearfit', eventsFor(checkout).completed({ email }))).status).toBe(200);
  const { orders } = await json(await admin(`/api/admin/orders?q=${encodeURIComponent(email)}`));
  expect(orders).toHaveLength(1);
  return { ...orders[0], sessionId: checkout.sessionId } as { number: string; sessionId: string; id: string };
}

async function expectProblem(res: Response, status: number, path: string | null, code = 'validation_failed') {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = await json(res);
  expect(body).toMatchObject({ status, code });
  if (path !== null) expect(body.errors.map((e: { path: string }) => e.path)).toContain(path);
  return body;
}

let ada: { number: string; sessionId: string; id: string };
let grace: { number: string; sessionId: string; id: string };

beforeAll(async () => {
  await releaseAllHolds();
  // A product name with a comma and quotes, which the CSV must carry intact.
  const catalog = demoCatalog();
  catalog.products[0]!.name = 'Headband, "Soft" edition';
  await putCatalog('cochlearfit', catalog);
  await setStock('cochlearfit', NAVY_M, 50);
  await env.DB.prepare('UPDATE shops SET order_prefix = ? WHERE id = ?').bind('CF', 'cochlearfit').run();
  ada = await paidOrder('Ada.Lovelace@example.com', 2);
  grace = await paidOrder('grace@example.org');
  await paidOrder('alan@example.net');
  // The shopper's name as Stripe collected it: quotes, a comma and a line break.
  const address = { name: 'Ada "Countess" Lovelace, Jr.\nc/o Babbage', address: { line1: '12 Example Street', city: 'London', postal_code: 'N1 9GU', country: 'GB' } };
  await env.DB.prepare('UPDATE orders SET shipping_address = ? WHERE id = ?').bind(JSON.stringify(address), ada.id).run();
});

describe('order search and pages', () => {
  it('finds an order by its number (with or without prefix) or by the start of an email, in any case', async () => {
    const byNumber = await json(await admin(`/api/admin/orders?q=${ada.number}`));
    expect(byNumber.orders.map((o: { number: string }) => o.number)).toEqual([ada.number]);
    const digits = ada.number.split('-')[1];
    expect((await json(await admin(`/api/admin/orders?q=${digits}`))).orders[0].number).toBe(ada.number);
    const byEmail = await json(await admin('/api/admin/orders?q=ADA.love'));
    expect(byEmail.orders.map((o: { number: string }) => o.number)).toEqual([ada.number]);
    expect((await json(await admin('/api/admin/orders?q=nobody'))).orders).toEqual([]);
  });

  it('pages newest first with `before`; the last page says so', async () => {
    const first = await json(await admin('/api/admin/orders?limit=2'));
    expect(first.orders).toHaveLength(2);
    const second = await json(await admin(`/api/admin/orders?limit=2&before=${first.nextBefore}`));
    const numbers = [...first.orders, ...second.orders].map((o: { number: string }) => Number(o.number.split('-')[1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(second.nextBefore).toBeNull();
  });

  it('one order by number: lines, amounts, address, history, payment and refund state', async () => {
    const res = await admin(`/api/admin/orders/${ada.number}`);
    expect(res.status).toBe(200);
    const order = await json(res);
    expect(order).toMatchObject({
      number: ada.number,
      status: 'paid',
      dispute: null,
      fulfilment: null,
      amounts: { subtotal: 3600, total: 3600, refunded: 0 },
      lines: [{ sku: NAVY_M, quantity: 2, committed: 2 }],
      shippingAddress: { address: { city: 'London' } },
    });
    expect(order.history.map((h: { status: string }) => h.status)).toEqual(['paid']);
    const unknown = await admin('/api/admin/orders/CF-999999');
    expect(await json(unknown)).toMatchObject({ status: 404, code: 'unknown_order' });
  });
});

describe('fulfilment', () => {
  it('marks a paid order shipped once; the admin API, its history and the return page show it', async () => {
    const body = { carrier: 'Royal Mail', trackingNumber: 'RM 1234 5678 GB' };
    const res = await admin(`/api/admin/orders/${grace.number}/fulfil`, { json: body });
    expect(res.status).toBe(200);
    const order = await json(res);
    expect(order.fulfilment).toMatchObject(body);
    expect(Date.parse(order.fulfilment.fulfilledAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(order.history.at(-1)).toMatchObject({ status: 'fulfilled', note: 'Shipped with Royal Mail, tracking number RM 1234 5678 GB' });

    // A retry with the same values is a no-op; other values are refused, and the first shipment stays.
    const again = await admin(`/api/admin/orders/${grace.number}/fulfil`, { json: body });
    expect(await json(again)).toEqual(order);
    const other = await admin(`/api/admin/orders/${grace.number}/fulfil`, { json: { carrier: 'DPD', trackingNumber: 'X1' } });
    expect(await expectProblem(other, 409, null, 'already_fulfilled')).toMatchObject({ fulfilment: body });

    const returnPage = await json(await call(`/api/checkout/session/${grace.sessionId}`));
    expect(returnPage.order.fulfilment).toEqual(order.fulfilment);
  });

  it('an unpaid or refunded order cannot ship: 409, nothing changes', async () => {
    const checkout = await startCheckout([{ sku: NAVY_M, quantity: 1 }], { email: 'later@example.com' });
    await deliver('cochlearfit', eventsFor(checkout).completed({ paymentStatus: 'unpaid', email: 'later@example.com' }));
    const [pending] = (await json(await admin('/api/admin/orders?q=later@'))).orders;
    expect(pending.status).toBe('pending_payment');
    const res = await admin(`/api/admin/orders/${pending.number}/fulfil`, { json: { carrier: 'DPD', trackingNumber: 'X1' } });
    await expectProblem(res, 409, null, 'order_not_fulfillable');
    expect((await json(await admin(`/api/admin/orders/${pending.number}`))).fulfilment).toBeNull();
  });
});

describe('CSV export', () => {
  it('is RFC 4180: a real parser reads names with quotes, commas and line breaks back exactly', async () => {
    const res = await admin(`/api/admin/orders/export?from=${today}&to=${today}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain(`orders-cochlearfit-${today}-to-${today}.csv`);
    const text = await res.text();
    expect(text.endsWith('\r\n')).toBe(true);
    const rows: Record<string, string>[] = parse(text, { columns: true, strict: true, record_delimiter: '\r\n' } as never);
    const byNumber = new Map(rows.map((r) => [r.order, r]));
    expect(byNumber.get(ada.number)).toMatchObject({
      email: 'Ada.Lovelace@example.com',
      name: 'Ada "Countess" Lovelace, Jr.\nc/o Babbage',
      address: '12 Example Street, London, N1 9GU, GB',
      items: `2 x Headband, "Soft" edition (navy, M) [${NAVY_M}]`,
      currency: 'gbp',
      total: '36.00',
      status: 'paid',
    });
    expect(byNumber.get(grace.number)).toMatchObject({ carrier: 'Royal Mail', tracking_number: 'RM 1234 5678 GB' });
    expect(rows.map((r) => r.order)).toContain(grace.number);
  });

  it('a day with no orders is the header alone; a formula-looking name is kept as text', async () => {
    const empty = await (await admin('/api/admin/orders/export?from=2001-01-01&to=2001-01-31')).text();
    expect(parse(empty, { columns: true } as never)).toEqual([]);
    expect(empty.split('\r\n')[0]).toMatch(/^order,created_at,status,email,name,/);

    await env.DB.prepare(`UPDATE orders SET shipping_address = json_set(shipping_address, '$.name', '=HYPERLINK("x")') WHERE id = ?`)
      .bind(ada.id)
      .run();
    const text = await (await admin(`/api/admin/orders/export?from=${today}&to=${today}`)).text();
    const rows: Record<string, string>[] = parse(text, { columns: true } as never);
    expect(rows.find((r) => r.order === ada.number)!.name).toBe(`'=HYPERLINK("x")`);
  });
});

describe('bad input and other tokens', () => {
  it('bad query, path or body -> 400 naming the field; nothing changes', async () => {
    await expectProblem(await admin('/api/admin/orders?before=0'), 400, 'before');
    await expectProblem(await admin(`/api/admin/orders?q=${'x'.repeat(300)}`), 400, 'q');
    await expectProblem(await admin('/api/admin/orders/export?from=2026-13-01&to=2026-12-01'), 400, 'from');
    await expectProblem(await admin('/api/admin/orders/export?from=2026-02-01&to=2026-01-01'), 400, 'to');
    await expectProblem(await admin('/api/admin/orders/export?from=2024-01-01&to=2026-01-01'), 400, 'to');
    await expectProblem(await admin('/api/admin/orders/export?from=2026-01-01'), 400, 'to');
    await expectProblem(await admin('/api/admin/orders/not-a-number!'), 400, 'number');
    const fulfil = (json: unknown) => admin(`/api/admin/orders/${ada.number}/fulfil`, { json });
    await expectProblem(await fulfil({ carrier: 'DPD' }), 400, 'trackingNumber');
    await expectProblem(await fulfil({ carrier: '', trackingNumber: 'X1' }), 400, 'carrier');
    await expectProblem(await fulfil({ carrier: 'DPD', trackingNumber: '<script>' }), 400, 'trackingNumber');
    await expectProblem(await fulfil({ carrier: 'DPD', trackingNumber: 'X1', shipped: true }), 400, 'shipped');
    await expectProblem(
      await admin(`/api/admin/orders/${ada.number}/fulfil`, { raw: '{', headers: { 'content-type': 'application/json' } }),
      400,
      '(body)',
      'invalid_json',
    );
    expect((await json(await admin(`/api/admin/orders/${ada.number}`))).fulfilment).toBeNull();
  });

  it("another shop's token, a wrong one or none -> 401 on every console order route; nothing changes", async () => {
    const attempts: CallOptions[] = [{ admin: 'othershop' }, { admin: 'wrong-token' }, {}];
    const paths: [string, CallOptions][] = [
      [`/api/admin/orders?q=${ada.number}`, {}],
      [`/api/admin/orders/${ada.number}`, {}],
      [`/api/admin/orders/export?from=${today}&to=${today}`, {}],
      [`/api/admin/orders/${ada.number}/fulfil`, { json: { carrier: 'DPD', trackingNumber: 'X1' } }],
    ];
    for (const [path, options] of paths) {
      for (const attempt of attempts) {
        const res = await call(path, { ...options, ...attempt });
        expect(res.status).toBe(401);
        expect(await json(res)).toMatchObject({ code: 'unauthorized' });
      }
    }
    // The other shop's own admin sees none of this shop's orders.
    const theirs = await call(`/api/admin/orders/${ada.number}`, { shop: 'othershop', admin: 'othershop' });
    expect(theirs.status).toBe(404);
    expect((await json(await admin(`/api/admin/orders/${ada.number}`))).fulfilment).toBeNull();
  });
});
