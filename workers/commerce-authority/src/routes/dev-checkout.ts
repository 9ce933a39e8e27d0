// The dev payment provider's checkout page (never in production). Its buttons ask for a Stripe-shaped event,
// signed with the shop's webhook secret; the page's script posts it to /api/stripe-webhook on the same origin,
// so it travels front-door -> gateway -> authority like a real Stripe delivery, then follows the redirect.
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import { z } from 'zod';
import { SessionId } from '../../../../shared/contracts';
import { ProblemError } from '../../../../shared/problem';
import { orderNumber } from '../checkout/view';
import { findCheckoutBySession } from '../db/checkouts';
import { database } from '../db/client';
import { findOrderBySession } from '../db/orders';
import type { CheckoutRow } from '../db/schema';
import { apiRoute, ok, routesApp } from '../http/api-route';
import type { ShopBindings } from '../http/shop-context';
import { lineLabel } from '../payments/provider';
import { devSessionEvent, signedDevEvent, type DevEventType } from '../payments/dev-events';
import { secretNamed } from '../payments/select';

type DevContext = Context<ShopBindings>;

const ACTIONS: Record<string, { type: DevEventType; paymentStatus: 'paid' | 'unpaid'; then: 'success' | 'cancel' | 'page'; when: 'open' | 'awaiting' }> = {
  pay: { type: 'checkout.session.completed', paymentStatus: 'paid', then: 'success', when: 'open' },
  'pay-later': { type: 'checkout.session.completed', paymentStatus: 'unpaid', then: 'page', when: 'open' },
  decline: { type: 'checkout.session.expired', paymentStatus: 'unpaid', then: 'cancel', when: 'open' },
  cancel: { type: 'checkout.session.expired', paymentStatus: 'unpaid', then: 'cancel', when: 'open' },
  expire: { type: 'checkout.session.expired', paymentStatus: 'unpaid', then: 'page', when: 'open' },
  succeed: { type: 'checkout.session.async_payment_succeeded', paymentStatus: 'paid', then: 'success', when: 'awaiting' },
  fail: { type: 'checkout.session.async_payment_failed', paymentStatus: 'unpaid', then: 'cancel', when: 'awaiting' },
};

async function devCheckout(c: DevContext): Promise<CheckoutRow> {
  if (c.env.ENVIRONMENT === 'production') throw new ProblemError({ status: 404, code: 'not_found', detail: 'No dev checkout in production.' });
  const sessionId = SessionId.safeParse(c.req.param('sessionId'));
  const checkout = sessionId.success ? await findCheckoutBySession(database(c.env.DB), c.var.shop.id, sessionId.data) : undefined;
  if (!checkout || checkout.provider !== 'dev') throw new ProblemError({ status: 404, code: 'unknown_session', detail: 'No dev checkout session with this id.' });
  return checkout;
}

function returnUrl(c: DevContext, checkout: CheckoutRow, to: 'success' | 'cancel', extra: Record<string, string> = {}): string {
  const shop = c.var.shop;
  const url = new URL(to === 'success' ? shop.successPath : shop.cancelPath, new URL(c.req.url).origin);
  if (to === 'success') url.searchParams.set('session_id', checkout.sessionId!);
  else url.searchParams.set('checkout_id', checkout.id);
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  return url.toString();
}

const money = (amount: number, currency: string) => new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(amount / 100);

// Not part of the public API (and refused in production): declared like every route, hidden from the document.
// The ids stay plain strings here: a malformed one is simply no dev session (404), as in production.
const page = apiRoute({
  method: 'get',
  path: '/{sessionId}',
  hide: true,
  request: { params: z.object({ sessionId: z.string() }) },
  responses: { 200: { description: 'The test payment page', content: { 'text/html': { schema: z.string() } } } },
});
const act = apiRoute({
  method: 'post',
  path: '/{sessionId}/{action}',
  hide: true,
  request: { params: z.object({ sessionId: z.string(), action: z.string() }) },
  responses: {
    200: ok(
      z.object({
        events: z.array(z.object({ payload: z.string(), signature: z.string() })),
        redirect: z.string(),
      }),
    ),
  },
});

export const devCheckoutRoutes = routesApp<ShopBindings>()
  .openapi(page, async (c) => {
    const checkout = await devCheckout(c);
    const order = await findOrderBySession(database(c.env.DB), c.var.shop.id, checkout.sessionId!);
    const awaiting = order?.status === 'pending_payment';
    const state = checkout.status === 'open' ? 'open' : awaiting ? 'awaiting' : 'closed';
    const button = (action: string, label: string, tone = '') =>
      html`<button type="button" data-action="${action}" class="${tone}">${label}</button>`;
    c.header('cache-control', 'no-store');
    return c.html(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Test payment · ${c.var.shop.name}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1c1e21; }
  main { max-width: 32rem; margin: 2rem auto; background: #fff; padding: 1.5rem; border-radius: 12px; box-shadow: 0 1px 3px #0002; }
  .badge { display: inline-block; background: #fff3cd; color: #5c4400; padding: .1rem .5rem; border-radius: 4px; font-size: .85rem; }
  table { width: 100%; border-collapse: collapse; margin: 1rem 0; }
  td { padding: .35rem 0; border-bottom: 1px solid #e5e7eb; } td:last-child { text-align: right; }
  tr.total td { font-weight: 700; border: 0; }
  .actions { display: grid; gap: .5rem; }
  button { font: inherit; padding: .7rem 1rem; border-radius: 8px; border: 1px solid #1c1e21; background: #fff; cursor: pointer; }
  button.primary { background: #1a56db; color: #fff; border-color: #1a56db; }
  button:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
  [role=status] { min-height: 1.5rem; }
</style>
</head>
<body>
<main>
  <p><span class="badge">Test mode · dev payment provider</span></p>
  <h1>Pay ${c.var.shop.name}</h1>
  <table aria-label="Order summary">
    ${checkout.lines.map((line) => html`<tr><td>${line.quantity} × ${lineLabel(line)}</td><td>${money(line.lineAmount, checkout.currency)}</td></tr>`)}
    ${checkout.discount > 0 ? html`<tr><td>Discount ${checkout.couponCode ?? ''}</td><td>−${money(checkout.discount, checkout.currency)}</td></tr>` : ''}
    <tr class="total"><td>Total</td><td>${money(checkout.total, checkout.currency)}</td></tr>
  </table>
  ${
    state === 'open'
      ? html`<div class="actions">${button('pay', 'Pay', 'primary')}${button('pay-later', 'Pay later (bank transfer)')}${button('decline', 'Decline card')}${button('cancel', 'Cancel and go back')}${button('expire', 'Let the session expire')}</div>`
      : state === 'awaiting'
        ? html`<p>Payment pending for order ${orderNumber(c.var.shop, order!)}.</p><div class="actions">${button('succeed', 'Payment succeeds', 'primary')}${button('fail', 'Payment fails')}</div>`
        : html`<p>This checkout is ${checkout.status}${order ? html` (order ${orderNumber(c.var.shop, order)}, ${order.status.replace('_', ' ')})` : ''}.</p>`
  }
  <p role="status" aria-live="polite" id="status"></p>
</main>
<script>
${raw(`
const statusLine = document.getElementById('status');
for (const button of document.querySelectorAll('button[data-action]')) {
  button.addEventListener('click', async () => {
    for (const b of document.querySelectorAll('button')) b.disabled = true;
    statusLine.textContent = 'Sending ' + button.textContent + '…';
    try {
      const res = await fetch(location.pathname + '/' + button.dataset.action, { method: 'POST' });
      if (!res.ok) throw new Error((await res.json()).detail);
      const { events, redirect } = await res.json();
      for (const event of events) {
        const delivered = await fetch('/api/stripe-webhook', { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': event.signature }, body: event.payload });
        if (!delivered.ok) throw new Error('webhook answered ' + delivered.status);
      }
      location.assign(redirect);
    } catch (error) {
      statusLine.textContent = 'Failed: ' + error.message;
      for (const b of document.querySelectorAll('button')) b.disabled = false;
    }
  });
}`)}
</script>
</body>
</html>`);
  })
  .openapi(act, async (c) => {
    const checkout = await devCheckout(c);
    const action = ACTIONS[c.req.param('action')];
    if (!action) throw new ProblemError({ status: 404, code: 'unknown_action', detail: `No dev checkout action ${c.req.param('action')}.` });
    const order = await findOrderBySession(database(c.env.DB), c.var.shop.id, checkout.sessionId!);
    const state = checkout.status === 'open' ? 'open' : order?.status === 'pending_payment' ? 'awaiting' : 'closed';
    if (state !== action.when) {
      throw new ProblemError({ status: 409, code: 'session_not_open', detail: `This session cannot ${c.req.param('action')} now (it is ${checkout.status}).` });
    }
    const secret = secretNamed(c.env, c.var.shop.stripeWebhookSecretBinding);
    if (!secret) throw new ProblemError({ status: 503, code: 'webhook_unconfigured', detail: 'This shop has no webhook secret configured.' });
    const event = await signedDevEvent(devSessionEvent(action.type, checkout, action.paymentStatus), secret);
    const page = new URL(c.req.url);
    page.pathname = page.pathname.replace(/\/[^/]+$/, '');
    const redirect =
      action.then === 'page'
        ? page.toString()
        : returnUrl(c, checkout, action.then, c.req.param('action') === 'decline' ? { declined: '1' } : {});
    return c.json({ events: [event], redirect }, 200);
  });
