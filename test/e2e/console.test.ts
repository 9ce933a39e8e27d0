// The merchant console in Chromium at phone width: a shopper buys a headband; the merchant signs in (a wrong token
// first), finds the order, ships it with a tracking number, sees it in the CSV export and the shopper sees it on the
// success page; then the merchant sets a variant's stock and threshold and the storefront shows the new count. The
// page must raise no Content-Security-Policy violation, and sign-in and shipping are done with the keyboard alone.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOKENS } from '../stack/harness';
import { launchBrowser, screenshot } from './browser';

const base = inject('stackUrls').cochlearfit;
let browser: Browser;
let context: BrowserContext;
let shopper: Page;
let merchant: Page;
const violations: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true });
  shopper = await context.newPage();
  merchant = await context.newPage();
  merchant.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
});
afterAll(async () => {
  await browser?.close();
});

async function signIn(token: string) {
  // Keyboard only: the token field has focus on arrival; Enter submits.
  await merchant.locator('input[name="token"]').waitFor();
  expect(await merchant.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('token');
  await merchant.keyboard.type(token);
  await merchant.keyboard.press('Enter');
}

describe('merchant console', () => {
  let orderNumber = '';
  let successUrl = '';
  const tracking = 'RM 2026 1128 GB';

  it('a shopper buys a headband on the storefront', async () => {
    await shopper.goto(`${base}/`);
    const card = shopper.locator('article[data-product="CF-SPORT"]');
    await card.getByRole('radio', { name: 'teal', exact: true }).check();
    await card.getByRole('radio', { name: 'L', exact: true }).check();
    await card.getByRole('button', { name: 'Add to cart' }).click();
    await expect.poll(() => shopper.locator('[data-cart-count]').textContent()).toBe('1');
    await shopper.goto(`${base}/cart/`);
    await shopper.getByRole('button', { name: 'Checkout securely' }).click();
    await shopper.waitForURL(/\/api\/dev-checkout\/cs_dev_/);
    await shopper.getByRole('button', { name: 'Pay', exact: true }).click();
    await shopper.waitForURL(/\/checkout\/success\/\?session_id=cs_dev_/);
    orderNumber = (await shopper.locator('[data-order-number]').textContent())!;
    successUrl = shopper.url();
    expect(orderNumber).toMatch(/^CF-\d{4,}$/);
  });

  it('a wrong token is refused plainly; the right one signs in and is kept in sessionStorage only', async () => {
    await merchant.goto(`${base}/admin/`);
    await merchant.locator('input[name="token"]').waitFor();
    expect(await merchant.getByRole('navigation').isVisible()).toBe(false); // nothing to reach before signing in
    await signIn('not-the-token');
    const alert = merchant.getByRole('alert');
    await expect.poll(() => alert.textContent()).toBe('That token is not valid for this shop. Check it and try again.');
    await screenshot(merchant, 'console-01-wrong-token');

    await merchant.locator('input[name="token"]').fill('');
    await signIn(TOKENS.ADMIN_TOKEN_COCHLEARFIT);
    await merchant.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    expect(await merchant.getByRole('navigation').isVisible()).toBe(true);
    expect(await merchant.evaluate(() => Object.keys(sessionStorage))).toEqual(['shop-console-token']);
    expect((await context.cookies()).map((c) => c.name)).not.toContain('shop-console-token');
    expect(merchant.url()).not.toContain(TOKENS.ADMIN_TOKEN_COCHLEARFIT);
    await screenshot(merchant, 'console-02-orders');
  });

  it('finds the order, ships it with the keyboard, and the CSV and the success page show the tracking number', async () => {
    await merchant.getByLabel('Order number or email').fill(orderNumber);
    await merchant.getByRole('button', { name: 'Search' }).click();
    await merchant.locator(`tr[data-order="${orderNumber}"]`).waitFor();
    expect(await merchant.locator('tbody tr').count()).toBe(1);
    await merchant.getByRole('link', { name: orderNumber }).click();
    await merchant.getByRole('heading', { name: `Order ${orderNumber}` }).waitFor();
    expect(await merchant.locator('main').textContent()).toContain('CF-SPORT-TEA-L');

    await merchant.getByLabel('Carrier').focus();
    await merchant.keyboard.type('Royal Mail');
    await merchant.keyboard.press('Tab');
    await merchant.keyboard.type(tracking);
    await merchant.keyboard.press('Enter');
    const shipped = merchant.locator('[data-fulfilment]');
    await shipped.waitFor();
    expect(await shipped.textContent()).toContain(`Shipped with Royal Mail, tracking number ${tracking}`);
    await screenshot(merchant, 'console-03-order-shipped');

    await merchant.getByRole('link', { name: 'Orders', exact: true }).click();
    await merchant.getByRole('button', { name: 'Download CSV' }).waitFor();
    const [download] = await Promise.all([merchant.waitForEvent('download'), merchant.getByRole('button', { name: 'Download CSV' }).click()]);
    const rows: Record<string, string>[] = parse(readFileSync((await download.path())!, 'utf8'), { columns: true, strict: true } as never);
    expect(rows.find((r) => r.order === orderNumber)).toMatchObject({ status: 'paid', carrier: 'Royal Mail', tracking_number: tracking });

    await shopper.goto(successUrl);
    await shopper.locator('[data-shipped]').waitFor();
    expect(await shopper.locator('[data-shipped]').textContent()).toBe(`Shipped with Royal Mail, tracking number ${tracking}.`);
    await screenshot(shopper, 'console-04-shopper-sees-tracking');
  });

  it('sets a variant stock and threshold; the list marks it low and the storefront shows the count', async () => {
    await merchant.getByRole('link', { name: 'Stock', exact: true }).click();
    await merchant.getByRole('link', { name: 'CF-CLASSIC-NVY-S' }).click();
    await merchant.getByRole('heading', { name: 'Stock of CF-CLASSIC-NVY-S' }).waitFor();
    await merchant.getByLabel('On hand').fill('2');
    await merchant.getByLabel('Reason (optional)').fill('stocktake');
    await merchant.getByRole('button', { name: 'Set stock' }).click();
    await expect.poll(() => merchant.locator('[data-counts]').textContent()).toContain('On hand 2,');
    await merchant.getByLabel(/Highlight at or below/).fill('3');
    await merchant.getByRole('button', { name: 'Save threshold' }).click();
    await expect.poll(() => merchant.locator('[data-counts]').textContent()).toContain('Low stock.');
    expect(await merchant.locator('main table').first().textContent()).toContain('stocktake');
    await screenshot(merchant, 'console-05-variant');

    await merchant.getByRole('link', { name: '← All stock' }).click();
    const row = merchant.locator('tr[data-sku="CF-CLASSIC-NVY-S"]');
    await row.waitFor();
    expect(await row.getAttribute('class')).toBe('low');
    expect(await row.textContent()).toContain('Low stock');
    await screenshot(merchant, 'console-06-stock');

    await shopper.goto(`${base}/`);
    const card = shopper.locator('article[data-product="CF-CLASSIC"]');
    await card.getByRole('radio', { name: 'navy', exact: true }).check();
    await card.getByRole('radio', { name: 'S', exact: true }).check();
    await expect.poll(() => card.locator('[data-stock]').textContent()).toBe('Only 2 left');
  });

  it('coupons show used, reserved and limit; one can be created and disabled', async () => {
    await merchant.getByRole('link', { name: 'Coupons', exact: true }).click();
    await merchant.getByRole('heading', { name: 'Coupons', level: 1 }).waitFor();
    await merchant.getByLabel('Code').fill('SPRING5');
    await merchant.getByLabel('Discount').selectOption('amount');
    await merchant.getByLabel('Value').fill('5');
    await merchant.getByLabel('Use limit (empty: none)').fill('100');
    await merchant.getByRole('button', { name: 'Create coupon' }).click();
    const row = merchant.locator('tr[data-coupon="SPRING5"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('£5.00 off');
    expect(await row.locator('td.num').allTextContents()).toEqual(['—', '0', '0', '100']);
    await screenshot(merchant, 'console-07-coupons');
    await merchant.getByRole('button', { name: 'Disable SPRING5' }).click();
    await expect.poll(() => row.textContent()).toContain('disabled');
    expect(violations).toEqual([]);
  });
});
