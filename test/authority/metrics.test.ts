// GET /api/admin/metrics counts what happened: holds through their lifecycle, checkout outcomes, validations.
import { createExecutionContext, createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import CommerceAuthority from '../../workers/commerce-authority/src/index';
import { call, json, putCatalog, setStock } from './helpers';
import { checkoutSession, deliver, stripeEvent } from './stripe-events';

const metrics = async (shop = 'cochlearfit') => json(await call('/api/admin/metrics', { shop, admin: shop }));
const checkout = async (quantity: number, email: string) =>
  call('/api/checkout-session', { method: 'POST', json: { items: [{ sku: 'HB-NAVY-M', quantity }], email } });

describe('metrics', () => {
  it('counts the hold lifecycle, checkout outcomes and validation latency per shop', async () => {
    await putCatalog('cochlearfit');
    await setStock('cochlearfit', 'HB-NAVY-M', 5);

    const paid = await json(await checkout(2, 'paid@example.com'));
    await deliver('cochlearfit', stripeEvent('checkout.session.completed', checkoutSession({ sessionId: paid.sessionId, checkoutId: paid.checkoutId, shopId: 'cochlearfit', subtotal: paid.amounts.subtotal })));
    const dropped = await json(await checkout(1, 'dropped@example.com'));
    await deliver('cochlearfit', stripeEvent('checkout.session.expired', { ...checkoutSession({ sessionId: dropped.sessionId, checkoutId: dropped.checkoutId, shopId: 'cochlearfit', subtotal: 1800 }), status: 'expired' }));
    expect((await checkout(9, 'short@example.com')).status).toBe(409);
    const lapsing = await json(await checkout(1, 'lapsing@example.com'));
    await env.DB.prepare('UPDATE reservations SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, lapsing.checkoutId).run();
    await new CommerceAuthority(createExecutionContext(), env).scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }));
    for (let i = 0; i < 3; i++) await call('/api/inventory/validate', { method: 'POST', json: { items: [{ sku: 'HB-NAVY-M', quantity: 1 }] } });

    const body = await metrics();
    expect(body.holds).toEqual({ created: 3, committed: 1, released: 1, expired: 1 });
    expect(body.checkouts).toMatchObject({ opened: 3, rejected: 1, completed: 1, expired: 1 });
    expect(body.validation.count).toBe(3);
    expect(body.validation.buckets.inf).toBe(3);
    expect(body.validation.meanMs).toBeGreaterThanOrEqual(0);
    expect((await metrics('othershop')).holds).toEqual({ created: 0, committed: 0, released: 0, expired: 0 });
  });
});
