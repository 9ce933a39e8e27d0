// What the route declarations (createRoute) add to request handling, beyond the bodies bad-input.test.ts pins:
// optional bodies stay optional, and path parameters, query strings and headers are validated by the same
// declaration, answered as problem+json naming the field, with nothing changed.
import { beforeEach, describe, expect, it } from 'vitest';
import { availableOf, call, json, putCatalog, releaseAllHolds, setStock, Shopper } from './helpers';

const NAVY_M = 'HB-NAVY-M';
const asJson = { 'content-type': 'application/json' };

beforeEach(async () => {
  await releaseAllHolds(); // a checkout below holds stock
  await putCatalog('cochlearfit');
  await setStock('cochlearfit', NAVY_M, 5);
});

async function expectProblem(res: Response, status: number, path: string, code = 'validation_failed') {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = await json(res);
  expect(body).toMatchObject({ status, code });
  expect(body.errors.map((e: { path: string }) => e.path)).toContain(path);
}

describe('optional bodies', () => {
  it('DELETE /api/cart with an empty body declared as JSON empties the cart, as without a body', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 2 });
    const res = await call('/api/cart', { method: 'DELETE', headers: { ...asJson, cookie: shopper.cookie! }, raw: '' });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ lines: [], itemCount: 0 });
  });

  it('DELETE /api/cart with {} names the missing sku: only no body at all means "empty the cart"', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 2 });
    await expectProblem(await shopper.cart('DELETE', {}), 400, 'sku');
    expect((await shopper.view()).itemCount).toBe(2);
  });

  it('POST /api/checkout-session with an empty body declared as JSON checks out the cart', async () => {
    const shopper = new Shopper();
    await shopper.view('POST', { sku: NAVY_M, quantity: 1 });
    const headers = { ...asJson, cookie: shopper.cookie! };
    const res = await call('/api/checkout-session', { method: 'POST', headers, raw: '' });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ lines: [{ sku: NAVY_M, quantity: 1 }] });
  });

  it('an empty optional body with another content type is no body either; a non-empty one is 415', async () => {
    const headers = { 'content-type': 'text/plain' };
    const empty = await call('/api/checkout-session', { method: 'POST', headers, raw: '' });
    expect(await json(empty)).toMatchObject({ status: 400, code: 'empty_cart' });
    const text = await call('/api/checkout-session', { method: 'POST', headers, raw: '{}' });
    await expectProblem(text, 415, '(header) content-type', 'unsupported_content_type');
  });
});

describe('content types', () => {
  it('JSON with a charset is JSON; JSON under another media type is 415 naming content-type', async () => {
    const raw = JSON.stringify({ items: [{ sku: NAVY_M, quantity: 1 }] });
    const validate = (type: string) =>
      call('/api/inventory/validate', { method: 'POST', headers: { 'content-type': type }, raw });
    expect((await validate('application/json; charset=utf-8')).status).toBe(200);
    const other = await validate('application/vnd.api+json');
    await expectProblem(other, 415, '(header) content-type', 'unsupported_content_type');
  });
});

describe('parameters, query strings and headers', () => {
  it('a malformed sku in the path -> 400 naming sku; stock unchanged', async () => {
    const path = '/api/admin/inventory/no%20such%20sku';
    const res = await call(path, { method: 'PUT', admin: 'cochlearfit', json: { onHand: 1 } });
    await expectProblem(res, 400, 'sku');
    expect(await availableOf(NAVY_M)).toBe(5);
  });

  it('a malformed coupon code in the path -> 400 naming code; a well-formed unknown one -> 404', async () => {
    const malformed = await call('/api/admin/coupons/not!a!code/disable', { method: 'POST', admin: 'cochlearfit' });
    await expectProblem(malformed, 400, 'code');
    const unknown = await call('/api/admin/coupons/NOPE/disable', { method: 'POST', admin: 'cochlearfit' });
    expect(unknown.status).toBe(404);
  });

  it('a bad or unknown query parameter of /api/admin/orders -> 400 naming it', async () => {
    await expectProblem(await call('/api/admin/orders?limit=0', { admin: 'cochlearfit' }), 400, 'limit');
    await expectProblem(await call('/api/admin/orders?status=lost', { admin: 'cochlearfit' }), 400, 'status');
    await expectProblem(await call('/api/admin/orders?colour=red', { admin: 'cochlearfit' }), 400, 'colour');
    expect((await call('/api/admin/orders?limit=5&status=paid', { admin: 'cochlearfit' })).status).toBe(200);
  });

  it("a bad admin Idempotency-Key -> 400 naming the header, with the header's own code; stock unchanged", async () => {
    const res = await call(`/api/admin/inventory/${NAVY_M}`, {
      method: 'PUT',
      admin: 'cochlearfit',
      json: { onHand: 9 },
      headers: { 'idempotency-key': 'has spaces' },
    });
    await expectProblem(res, 400, '(header) idempotency-key', 'invalid_idempotency_key');
    expect(await availableOf(NAVY_M)).toBe(5);
  });
});
