// Drives the authority worker the way the gateway does: HTTP with x-shop-id, through its real fetch handler.
import { exports } from 'cloudflare:workers';
import type { CatalogUpsertInput } from '../../shared/contracts';

export const TEST_SHOPS = [
  { id: 'cochlearfit', token: 'token-cochlearfit', status: 'active', inventoryPolicy: 'fail_closed', provider: 'dev' },
  { id: 'othershop', token: 'token-othershop', status: 'active', inventoryPolicy: 'fail_closed', provider: 'dev' },
  { id: 'closedshop', token: 'token-closedshop', status: 'inactive', inventoryPolicy: 'fail_closed', provider: 'dev' },
  { id: 'lenientshop', token: 'token-lenientshop', status: 'active', inventoryPolicy: 'best_effort', provider: 'dev' },
  /** Pays through the fake Stripe API (test/support/fake-stripe.ts). */
  { id: 'stripeshop', token: 'token-stripeshop', status: 'active', inventoryPolicy: 'fail_closed', provider: 'stripe' },
] as const;

export type ShopName = (typeof TEST_SHOPS)[number]['id'];

export interface CallOptions {
  method?: string;
  shop?: ShopName | string | null;
  /** A JSON body; use `raw` to send exactly these bytes. */
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  admin?: ShopName | string;
}

export async function call(path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  const shop = options.shop === undefined ? 'cochlearfit' : options.shop;
  if (shop) headers.set('x-shop-id', shop);
  if (options.admin) {
    const known = TEST_SHOPS.find((s) => s.id === options.admin);
    headers.set('authorization', `Bearer ${known ? known.token : options.admin}`);
  }
  let body: string | undefined = options.raw;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  return exports.default.fetch(
    new Request(`http://authority.internal${path}`, { method: options.method ?? (body ? 'POST' : 'GET'), headers, body }),
  );
}

export async function json<T = any>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export function demoCatalog(): CatalogUpsertInput {
  return {
    products: [
      {
        sku: 'HB',
        name: 'Headband',
        description: 'Soft headband',
        active: true,
        variants: [
          { sku: 'HB-NAVY-M', attributes: { colour: 'navy', size: 'M' }, unitAmount: 1800, active: true, backorder: false },
          { sku: 'HB-NAVY-L', attributes: { colour: 'navy', size: 'L' }, unitAmount: 1800, active: true, backorder: false },
          { sku: 'HB-PINK-M', attributes: { colour: 'pink', size: 'M' }, unitAmount: 1900, active: true, backorder: false },
          { sku: 'HB-GONE', attributes: { colour: 'grey', size: 'S' }, unitAmount: 1500, active: false, backorder: false },
        ],
      },
    ],
  };
}

export async function putCatalog(shop: ShopName, catalog: CatalogUpsertInput = demoCatalog()) {
  const response = await call('/api/admin/catalog', { method: 'PUT', shop, admin: shop, json: catalog });
  if (response.status !== 200) throw new Error(`catalog upsert failed: ${response.status} ${await response.text()}`);
}

export async function setStock(shop: ShopName, sku: string, onHand: number) {
  const response = await call(`/api/admin/inventory/${sku}`, { method: 'PUT', shop, admin: shop, json: { onHand } });
  if (response.status !== 200) throw new Error(`set stock failed: ${response.status} ${await response.text()}`);
  return json(response);
}

/** A browser's cookie jar for one shop: the cart cookie, and the D1 bookmark the cart's writes leave. */
export class Shopper {
  private readonly jar = new Map<string, string>();
  /** The cart cookie as the server last set it (attributes included). */
  lastSetCookie: string | null = null;

  constructor(readonly shop: ShopName = 'cochlearfit') {}

  /** The Cookie header a browser would send; null when the jar is empty. */
  get cookie(): string | null {
    return this.jar.size === 0 ? null : [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Replaces the jar with the cookies of a Cookie header (a forged or borrowed one). */
  set cookie(header: string | null) {
    this.jar.clear();
    for (const pair of header?.split('; ') ?? []) this.jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
  }

  async cart(method = 'GET', body?: unknown, raw?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    const res = await call('/api/cart', { method, shop: this.shop, headers, ...(body !== undefined ? { json: body } : {}), ...(raw !== undefined ? { raw } : {}) });
    for (const setCookie of res.headers.getAll('set-cookie')) {
      const pair = setCookie.split(';')[0]!;
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (name === '__Host-cart') this.lastSetCookie = setCookie;
      if (value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }

  async view(method = 'GET', body?: unknown) {
    const res = await this.cart(method, body);
    if (res.status !== 200) throw new Error(`cart ${method} -> ${res.status} ${await res.text()}`);
    return json(res);
  }
}

/** Gives back every hold still live in this file's storage (DO storage outlives a test; not a file). */
export async function releaseAllHolds(): Promise<void> {
  const { env } = await import('cloudflare:workers');
  const { database } = await import('../../workers/commerce-authority/src/db/client');
  const { releaseReservation } = await import('../../workers/commerce-authority/src/inventory/reservations');
  const live = await env.DB.prepare("SELECT id, shop_id FROM reservations WHERE status IN ('pending', 'active', 'releasing')").all<{ id: string; shop_id: string }>();
  for (const r of live.results) await releaseReservation(env, database(env.DB), r.shop_id, r.id);
  await env.DB.prepare("UPDATE checkouts SET status = 'expired' WHERE status IN ('pending', 'open')").run();
  await env.DB.prepare("UPDATE coupon_redemptions SET status = 'released' WHERE status = 'reserved'").run();
}

/** What a shopper can buy of a variant now, as the admin API reports it. */
export async function availableOf(sku: string, shop: ShopName = 'cochlearfit'): Promise<number> {
  const { items } = await json(await call('/api/admin/inventory', { shop, admin: shop }));
  return items.find((i: { sku: string }) => i.sku === sku).available;
}

/** A reservation's status in D1 (null if there is none): a checkout's holds, or a fence (decision 0020). */
export async function reservationStatus(id: string): Promise<string | null> {
  const { env } = await import('cloudflare:workers');
  return env.DB.prepare('SELECT status FROM reservations WHERE id = ?').bind(id).first<string>('status');
}

/** A number from a `SELECT ... AS n` query. */
export async function countRows(query: string, ...binds: unknown[]): Promise<number> {
  const { env } = await import('cloudflare:workers');
  return (await env.DB.prepare(query).bind(...binds).first<number>('n'))!;
}

/** POST /api/checkout-session as a storefront would (optionally with a cookie, a key, a client address). */
export const postCheckout = (body: unknown, headers: Record<string, string> = {}, shop: ShopName = 'cochlearfit') =>
  call('/api/checkout-session', { method: 'POST', shop, headers, ...(body === undefined ? {} : { json: body }) });
