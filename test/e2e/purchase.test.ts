// A shopper buys a headband on the CochlearFit static storefront, end to end, through the dev payment
// provider: browse, choose size and colour, add, cart, checkout, pay, and the success page's order number.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { launchBrowser, screenshot } from './browser';

const base = inject('stackUrls').cochlearfit;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function available(sku: string): Promise<number> {
  const res = await fetch(`${base}/api/products`, { headers: { 'cf-connecting-ip': '198.22.0.1' } });
  const body = (await res.json()) as { products: { variants: { sku: string; available: number }[] }[] };
  return body.products.flatMap((p) => p.variants).find((v) => v.sku === sku)!.available;
}

async function chooseHeadband(product: string, colour: string, size: string) {
  const card = page.locator(`article[data-product="${product}"]`);
  await card.getByRole('radio', { name: colour, exact: true }).check();
  await card.getByRole('radio', { name: size, exact: true }).check();
  return card;
}

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
const turnstileStandIn = readFileSync(path.join(import.meta.dirname, 'turnstile-stand-in.js'), 'utf8');

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 390, height: 844 } }); // a phone-size screen
  // No internet here: Cloudflare's widget script is answered by a stand-in with the same API.
  await context.route('https://challenges.cloudflare.com/**', (route) =>
    route.fulfill({ contentType: 'text/javascript', body: turnstileStandIn }),
  );
  page = await context.newPage();
});

describe('CochlearFit storefront', () => {
  it('buys a headband end to end: the order number shows, the stock is one lower, the cart is empty', async () => {
    const sku = 'CF-CLASSIC-GRY-M';
    const before = await available(sku);
    await page.goto(`${base}/`);
    await page.locator('article[data-product="CF-CLASSIC"]').waitFor();
    await screenshot(page, '01-shop');

    const card = await chooseHeadband('CF-CLASSIC', 'heather grey', 'M');
    await expect.poll(() => card.locator('[data-stock]').textContent()).toBe('In stock');
    await card.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => page.locator('[data-cart-count]').textContent()).toBe('1');
    await screenshot(page, '02-added');

    await page.getByRole('link', { name: /Cart/ }).click();
    await page.locator('tr[data-line]').waitFor();
    expect(await page.locator('tr[data-line]').textContent()).toContain('heather grey, M');
    await screenshot(page, '03-cart');

    await page.getByRole('button', { name: 'Checkout securely' }).click();
    await page.waitForURL(/\/api\/dev-checkout\/cs_dev_/);
    expect(await available(sku)).toBe(before - 1); // held while paying
    await screenshot(page, '04-payment-page');
    await page.getByRole('button', { name: 'Pay', exact: true }).click();

    await page.waitForURL(/\/checkout\/success\/\?session_id=cs_dev_/);
    const number = page.locator('[data-order-number]');
    await number.waitFor();
    expect(await number.textContent()).toMatch(/^CF-\d{4,}$/);
    await expect.poll(() => page.locator('[data-cart-count]').textContent()).toBe('0');
    await screenshot(page, '05-success');

    expect(await available(sku)).toBe(before - 1);
    const cart = await page.evaluate(async () => (await fetch('/api/cart')).json());
    expect(cart.lines).toEqual([]);
  });

  it('a sold-out variant cannot be added', async () => {
    await page.goto(`${base}/`);
    const card = page.locator('article[data-product="CF-CLASSIC"]');
    await card.waitFor();
    await card.getByRole('radio', { name: 'blush pink', exact: true }).check();
    // Blush pink in M is sold out: its size is disabled and cannot be chosen.
    const medium = card.getByRole('radio', { name: 'M', exact: true });
    expect(await medium.isDisabled()).toBe(true);
    await card.locator('label', { hasText: /^M$/ }).click({ force: true });
    expect(await medium.isChecked()).toBe(false);
    // Sport in charcoal S is sold out too, and its button says so when nothing else is left to pick.
    const sport = page.locator('article[data-product="CF-SPORT"]');
    await sport.getByRole('radio', { name: 'charcoal', exact: true }).check();
    expect(await sport.getByRole('radio', { name: 'S', exact: true }).isDisabled()).toBe(true);
    await screenshot(page, '06-sold-out');
  });

  it('Decline returns to the cart with the items kept and the stock restored', async () => {
    const sku = 'CF-SPORT-TEA-M';
    const before = await available(sku);
    await page.goto(`${base}/`);
    const card = await chooseHeadband('CF-SPORT', 'teal', 'M');
    await card.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => page.locator('[data-cart-count]').textContent()).toBe('1');
    await page.goto(`${base}/cart/`);
    await page.getByRole('button', { name: 'Checkout securely' }).click();
    await page.waitForURL(/\/api\/dev-checkout\//);
    expect(await available(sku)).toBe(before - 1);
    await page.getByRole('button', { name: 'Decline card' }).click();

    await page.waitForURL(/\/cart\/\?checkout_id=.*declined=1/);
    await page.locator('tr[data-line]').waitFor();
    expect(await page.locator('[data-status]').textContent()).toContain('declined');
    expect(await available(sku)).toBe(before);
    await screenshot(page, '07-declined');
  });

  it('a limited run shows its limit, and the cart stops at it', async () => {
    await page.goto(`${base}/`);
    const card = await chooseHeadband('CF-KIDS', 'rainbow', 'XS');
    await expect.poll(() => card.locator('[data-limit]').textContent()).toBe('Limited run: 2 per order');
    await card.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => page.locator('[data-cart-count]').textContent()).toBe('1');
    await page.goto(`${base}/cart/`);
    const more = page.getByRole('button', { name: /^One more Kids Headband/ });
    await more.click();
    await expect.poll(() => page.locator('tr[data-line] [aria-label="Quantity"]').textContent()).toBe('2');
    expect(await page.getByRole('button', { name: /^One more Kids Headband/ }).isDisabled()).toBe(true);
    expect(await page.locator('tr[data-line]').textContent()).toContain('Limit 2 per order');
    await screenshot(page, '08-limited-run');
  });

  it('a checkout of £100 or more asks for the security check first, then buys', async () => {
    const sku = 'CF-CLASSIC-NVY-M';
    const before = await available(sku);
    await page.goto(`${base}/`);
    const card = await chooseHeadband('CF-CLASSIC', 'navy', 'M');
    await card.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => page.locator('[data-cart-count]').textContent()).toBe('1');
    await page.goto(`${base}/cart/`);
    const quantity = page.locator('tr[data-line] [aria-label="Quantity"]');
    for (let n = 2; n <= 6; n++) {
      await page.getByRole('button', { name: /^One more Classic/ }).click();
      await expect.poll(() => quantity.textContent()).toBe(String(n));
    }
    // 6 x £18 = £108: the cart says this checkout needs the check, and the page shows the widget.
    const widget = page.getByRole('checkbox', { name: /Verify you are human/ });
    await widget.waitFor();
    await page.getByRole('button', { name: 'Checkout securely' }).click();
    await expect.poll(() => page.locator('[data-status]').textContent()).toContain('security check');
    expect(await available(sku)).toBe(before); // nothing held without the token
    await screenshot(page, '09-security-check');

    await widget.check();
    await page.getByRole('button', { name: 'Checkout securely' }).click();
    await page.waitForURL(/\/api\/dev-checkout\/cs_dev_/);
    expect(await available(sku)).toBe(before - 6);
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await page.locator('[data-order-number]').waitFor();
    await screenshot(page, '10-paid-after-check');
    expect(await available(sku)).toBe(before - 6);
  });
});
