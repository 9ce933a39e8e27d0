// A purchase through the whole chain with the dev payment provider: checkout, the provider's page, its
// signed event travelling front-door -> gateway -> authority webhook, and the return page.
import { describe, expect, inject, it } from 'vitest';

const base = inject('stackUrls').cochlearfit;
const ip = { 'cf-connecting-ip': '198.21.0.1' };

async function available(sku: string) {
  const products = (await (await fetch(`${base}/api/products`, { headers: ip })).json()) as { products: { variants: { sku: string; available: number }[] }[] };
  return products.products.flatMap((p) => p.variants).find((v) => v.sku === sku)!.available;
}

async function pressButton(page: string, action: string) {
  const answer = await fetch(`${page}/${action}`, { method: 'POST', headers: { origin: base, ...ip } });
  expect(answer.status).toBe(200);
  const { events, redirect } = (await answer.json()) as { events: { payload: string; signature: string }[]; redirect: string };
  for (const event of events) {
    const delivered = await fetch(`${base}/api/stripe-webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': event.signature, origin: base, ...ip },
      body: event.payload,
    });
    expect(delivered.status).toBe(200);
  }
  return redirect;
}

async function checkout(sku: string, quantity: number) {
  const res = await fetch(`${base}/api/checkout-session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, ...ip },
    body: JSON.stringify({ items: [{ sku, quantity }] }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { sessionId: string; url: string; checkoutId: string };
}

describe('whole stack: purchase with the dev provider', () => {
  it('pay: one order with a CF number, the stock one lower, the return page complete', async () => {
    const before = await available('CF-KIDS-RBW-XS');
    const session = await checkout('CF-KIDS-RBW-XS', 1);
    expect(session.url).toBe(`${base}/api/dev-checkout/${session.sessionId}`);
    const page = await fetch(session.url, { headers: ip });
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('data-action="pay"');
    expect(html).toContain('Kids Headband (rainbow, XS)');

    const redirect = await pressButton(session.url, 'pay');
    expect(redirect).toBe(`${base}/checkout/success/?session_id=${session.sessionId}`);
    const status = (await (await fetch(`${base}/api/checkout/session/${session.sessionId}`, { headers: ip })).json()) as {
      status: string;
      paymentStatus: string;
      order: { number: string };
    };
    expect(status).toMatchObject({ status: 'complete', paymentStatus: 'paid', order: { number: expect.stringMatching(/^CF-\d{4,}$/) } });
    expect(await available('CF-KIDS-RBW-XS')).toBe(before - 1);
    // The page now says the session is done and offers nothing to press.
    expect(await (await fetch(session.url, { headers: ip })).text()).not.toContain('data-action="');
  });

  it('decline: back to the cart, the stock restored', async () => {
    const before = await available('CF-SPORT-TEA-S');
    const session = await checkout('CF-SPORT-TEA-S', 2);
    expect(await available('CF-SPORT-TEA-S')).toBe(before - 2);
    const redirect = await pressButton(session.url, 'decline');
    expect(redirect).toBe(`${base}/cart/?checkout_id=${session.checkoutId}&declined=1`);
    expect(await available('CF-SPORT-TEA-S')).toBe(before);
  });

  it('pay later, then the payment fails: the holds go back', async () => {
    const before = await available('CF-SPORT-TEA-L');
    const session = await checkout('CF-SPORT-TEA-L', 1);
    await pressButton(session.url, 'pay-later');
    expect(await available('CF-SPORT-TEA-L')).toBe(before - 1);
    await pressButton(session.url, 'fail');
    expect(await available('CF-SPORT-TEA-L')).toBe(before);
  });
});
