// Loads shop files (catalog/*.json) into a local stack: the shop row by SQL (it carries the admin token
// hash, so it must exist before any admin call), then catalog and stock through the admin API, the same
// path an operator uses.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ShopFile } from '../../shared/shop-file';
import { CONFIGS, D1_DATABASE, ROOT } from './paths';
import { wrangler } from './wrangler';

export function readShopFiles(): ShopFile[] {
  const dir = path.join(ROOT, 'catalog');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const parsed = ShopFile.safeParse(JSON.parse(readFileSync(path.join(dir, name), 'utf8')));
      if (!parsed.success) throw new Error(`catalog/${name} is not a valid shop file:\n${parsed.error.message}`);
      return parsed.data;
    });
}

const literal = (value: string | number | null | undefined): string =>
  value === null || value === undefined ? 'NULL' : typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`;

export function shopUpsertSql(file: ShopFile, adminToken: string, now = Date.now()): string {
  const { shop } = file;
  const columns: Record<string, string | number | null | undefined> = {
    id: shop.id,
    name: shop.name,
    status: shop.status,
    hostnames: JSON.stringify(shop.hostnames),
    allowed_origins: JSON.stringify(shop.allowedOrigins),
    currency: shop.currency,
    hold_ttl_minutes: shop.holdTtlMinutes,
    max_cart_lines: shop.maxCartLines,
    max_line_quantity: shop.maxLineQuantity,
    inventory_policy: shop.inventoryPolicy,
    payment_provider: shop.paymentProvider,
    checkout_ui_mode: shop.checkoutUiMode,
    stripe_secret_key_binding: shop.stripeSecretKeyBinding,
    stripe_webhook_secret_binding: shop.stripeWebhookSecretBinding,
    rate_limit_read_per_minute: shop.rateLimits.read,
    rate_limit_validate_per_minute: shop.rateLimits.validate,
    rate_limit_cart_per_minute: shop.rateLimits.cart,
    rate_limit_checkout_per_minute: shop.rateLimits.checkout,
    rate_limit_admin_per_minute: shop.rateLimits.admin,
    success_path: shop.successPath,
    cancel_path: shop.cancelPath,
    shipping_countries: JSON.stringify(shop.shippingCountries),
    shipping_options: JSON.stringify(shop.shippingOptions),
    automatic_tax: shop.automaticTax ? 1 : 0,
    order_prefix: shop.orderPrefix,
    restock_on_refund: shop.restockOnRefund ? 1 : 0,
    max_held_units_per_client: shop.maxHeldUnitsPerClient,
    turnstile_site_key: shop.challenge?.siteKey ?? null,
    turnstile_secret_binding: shop.challenge?.secretKeyBinding ?? null,
    challenge_min_total: shop.challenge?.minTotal ?? null,
    alert_webhook_url: shop.alertWebhookUrl ?? null,
    admin_token_hash: createHash('sha256').update(adminToken).digest('hex'),
    created_at: now,
    updated_at: now,
  };
  const names = Object.keys(columns);
  const updates = names.filter((n) => n !== 'id' && n !== 'created_at').map((n) => `${n} = excluded.${n}`);
  return `INSERT INTO shops (${names.join(', ')}) VALUES (${names.map((n) => literal(columns[n])).join(', ')})
    ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')};`;
}

export function applyMigrations(persistTo: string): void {
  wrangler(['d1', 'migrations', 'apply', D1_DATABASE, '--local', '--persist-to', persistTo, '-c', CONFIGS.authority], { quiet: true });
}

export function countShops(persistTo: string): number {
  const out = wrangler(
    ['d1', 'execute', D1_DATABASE, '--local', '--persist-to', persistTo, '-c', CONFIGS.authority, '--json', '--command', 'SELECT COUNT(*) AS n FROM shops'],
    { quiet: true },
  );
  return (JSON.parse(out) as { results: { n: number }[] }[])[0]!.results[0]!.n;
}

export function upsertShopRows(persistTo: string, files: ShopFile[], tokens: Record<string, string>): void {
  const sql = files.map((file) => shopUpsertSql(file, adminTokenOf(file, tokens))).join('\n');
  wrangler(['d1', 'execute', D1_DATABASE, '--local', '--persist-to', persistTo, '-c', CONFIGS.authority, '--command', sql], { quiet: true });
}

export function adminTokenOf(file: ShopFile, tokens: Record<string, string>): string {
  const token = tokens[file.shop.adminTokenVariable];
  if (!token) throw new Error(`${file.shop.adminTokenVariable} is not set (see .dev.vars.example)`);
  return token;
}

/** How to reach a shop's API: through the front-door (Host picks the shop) or the authority (x-shop-id). */
export type ShopEndpoint = (shopId: string) => { baseUrl: string; headers: Record<string, string> };

async function send(endpoint: ReturnType<ShopEndpoint>, token: string, method: string, route: string, body: unknown) {
  const res = await fetch(`${endpoint.baseUrl}${route}`, {
    method,
    headers: { ...endpoint.headers, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route} -> ${res.status} ${await res.text()}`);
}

/** Through a local front-door: each shop is reached at its first local hostname (Host picks the shop). */
export function frontDoorEndpoint(files: ShopFile[], port = 8787): ShopEndpoint {
  return (shopId) => {
    const host = files.find((f) => f.shop.id === shopId)?.shop.hostnames.find((h) => h.endsWith(`:${port}`));
    if (!host) throw new Error(`shop ${shopId} has no hostname on port ${port}; stop npm run dev and seed again`);
    return { baseUrl: `http://${host}`, headers: {} };
  };
}

/** Upserts the catalog, then sets every variant's stock to the file's figure (idempotent). */
export async function pushCatalogAndStock(endpointFor: ShopEndpoint, file: ShopFile, token: string): Promise<void> {
  const endpoint = endpointFor(file.shop.id);
  await send(endpoint, token, 'PUT', '/api/admin/catalog', file.catalog);
  for (const [sku, onHand] of Object.entries(file.stock)) {
    await send(endpoint, token, 'PUT', `/api/admin/inventory/${encodeURIComponent(sku)}`, { onHand });
  }
  const variants = file.catalog.products.reduce((n, p) => n + p.variants.length, 0);
  console.log(`Loaded shop ${file.shop.id}: ${file.catalog.products.length} products, ${variants} variants, stock for ${Object.keys(file.stock).length}`);
}
