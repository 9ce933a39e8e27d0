// The merchant console in Chromium at phone width: a shopper buys a headband; the merchant signs in (a wrong token
// first), finds the order, ships it with a tracking number, sees it in the CSV export and the shopper sees it on the
// success page; then the merchant sets a variant's stock and threshold and the storefront shows the new count. The
// page must raise no Content-Security-Policy violation, and sign-in and shipping are done with the keyboard alone.
// Health charts the purchase in the hold lifecycle (its numbers in words and a table too), and an alert (a Stripe
// delivery answered 5xx, then the cron) shows as a banner on every view of that shop's console.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TOKENS } from '../stack/harness';
import { launchBrowser, screenshot } from './browser';

const base = inject('stackUrls').cochlearfit;
const otherBase = inject('stackUrls').othershop;
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

async function signIn(token: string, page = merchant) {
  // Keyboard only: the token field has focus on arrival; Enter submits.
  await page.locator('input[name="token"]').waitFor();
  expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('token');
  await page.keyboard.type(token);
  await page.keyboard.press('Enter');
}

type HoldCounts = { created: number; committed: number; released: number; expired: number };
/** The shop's hold lifecycle over the last 24 hours, from the same API the Health view reads. */
async function holdsToday(): Promise<HoldCounts> {
  const res = await fetch(`${base}/api/admin/metrics/series?window=24h`, { headers: { authorization: `Bearer ${TOKENS.ADMIN_TOKEN_COCHLEARFIT}` } });
  const { holds } = (await res.json()) as { holds: Record<keyof HoldCounts, number[]> };
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return { created: sum(holds.created), committed: sum(holds.committed), released: sum(holds.released), expired: sum(holds.expired) };
}

describe('merchant console', () => {
  let orderNumber = '';
  let successUrl = '';
  const tracking = 'RM 2026 1128 GB';
  let holdsBefore: HoldCounts;

  it('a shopper buys a headband on the storefront', async () => {
    holdsBefore = await holdsToday();
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

  it('Health charts the purchase in the hold lifecycle, in words and a table as well as a picture', async () => {
    await merchant.getByRole('link', { name: 'Health', exact: true }).click();
    await merchant.getByRole('heading', { name: 'Health', level: 1 }).waitFor();
    const { created, committed, released, expired } = holdsBefore;
    expect(await merchant.locator('[data-summary="holds"]').textContent()).toBe(
      `Last 24 hours: ${created + 1} created, ${committed + 1} committed, ${released} released, ${expired} expired.`,
    );
    for (const title of ['Hold lifecycle', 'Checkout outcomes', 'Validation latency', 'Hold expiration rate', 'Checkout failure rate']) {
      await merchant.getByRole('heading', { name: title, level: 2 }).waitFor();
    }
    expect(await merchant.locator('[data-chart] canvas').count()).toBe(5);
    expect(await merchant.locator('[data-summary="hold-expiration"]').textContent()).toContain('threshold 10.0%');
    // The numbers behind the picture, opened with the keyboard: the latest hour with activity counts the purchase.
    await merchant.locator('[data-chart="holds"] summary').focus();
    await merchant.keyboard.press('Enter');
    const latest = merchant.locator('[data-chart="holds"] details tbody tr').first();
    await latest.waitFor();
    const [createdNow, committedNow] = (await latest.locator('td.num').allTextContents()).map(Number);
    expect(createdNow).toBeGreaterThanOrEqual(1);
    expect(committedNow).toBeGreaterThanOrEqual(1);
    await screenshot(merchant, 'console-08-health');

    await merchant.getByRole('link', { name: 'Last 7 days' }).click();
    await expect.poll(() => merchant.locator('[data-summary="holds"]').textContent()).toBe(
      `Last 7 days: ${created + 1} created, ${committed + 1} committed, ${released} released, ${expired} expired.`,
    );
    expect(await merchant.locator('[data-banner]').isVisible()).toBe(false); // nothing wrong at this shop
    expect(violations).toEqual([]);
  });

  it('an alert shows as a banner on every view: a Stripe delivery answered 5xx, then the cron', async () => {
    // The other stack shop has no webhook secret: its deliveries are answered 503 (and Stripe would retry them).
    const delivery = await fetch(`${otherBase}/api/stripe-webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
      body: '{}',
    });
    expect(delivery.status).toBe(503);
    expect((await fetch(inject('stackCronUrl'), { method: 'POST' })).status).toBe(204);

    const owner = await context.newPage();
    owner.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await owner.goto(`${otherBase}/admin/`);
    await signIn(TOKENS.ADMIN_TOKEN_OTHERSHOP, owner);
    await owner.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    const banner = owner.getByRole('region', { name: 'Shop health alerts' });
    await banner.waitFor();
    expect(await banner.textContent()).toContain('1 Stripe webhook delivery answered with a server error in the last hour');
    await owner.getByRole('link', { name: 'Health', exact: true }).click();
    await owner.getByRole('heading', { name: 'Health', level: 1 }).waitFor();
    expect(await banner.isVisible()).toBe(true);
    await screenshot(owner, 'console-09-alert-banner');
    // CochlearFit's console shows none of it.
    await merchant.getByRole('link', { name: 'Orders', exact: true }).click();
    await merchant.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    expect(await merchant.locator('[data-banner]').isVisible()).toBe(false);
    expect(violations).toEqual([]);
  });
});
