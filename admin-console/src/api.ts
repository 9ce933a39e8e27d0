// The console's only door to the shop: the same host's /api/admin/* with the admin token as a bearer token. The
// token lives in sessionStorage (this tab, until it closes): never a cookie, the URL or a log.
import type { z } from 'zod';
import type {
  AdminOrderView,
  AlertsResponse,
  CouponListResponse,
  CouponView,
  MetricsSeriesResponse,
  OrderListResponse,
  StockChangesResponse,
  StockItemView,
  StockListResponse,
  StockView,
} from '../../shared/contracts';
import type { ProblemBody } from '../../shared/problem';

export type Order = AdminOrderView;
export type OrderPage = z.infer<typeof OrderListResponse>;
export type StockItem = StockItemView;
export type StockChanges = z.infer<typeof StockChangesResponse>;
export type Coupon = z.infer<typeof CouponView>;
export type Series = z.infer<typeof MetricsSeriesResponse>;
export type Alerts = z.infer<typeof AlertsResponse>;

const TOKEN_KEY = 'shop-console-token';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A refusal, with the API's own words. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: ProblemBody | null) {
    super(problem?.detail ?? `The shop answered ${status}.`);
  }
  /** What to tell the merchant: the detail, and the fields it names. */
  get explanation(): string {
    const fields = this.problem?.errors?.map((e) => `${e.path}: ${e.message}`) ?? [];
    return fields.length > 0 ? `${this.message} (${fields.join('; ')})` : this.message;
  }
}

async function request(method: string, path: string, body?: unknown, presented = token.get()): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${presented ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/api/admin${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit' });
  if (res.ok) return res;
  const problem = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as ProblemBody) : null;
  throw new ApiError(res.status, problem);
}

const getJson = async <T>(path: string) => (await (await request('GET', path)).json()) as T;
const sendJson = async <T>(method: string, path: string, body?: unknown) => (await (await request(method, path, body)).json()) as T;
const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, String(v));
  return search.size > 0 ? `?${search}` : '';
};

export const api = {
  /** Tries a token with the cheapest admin read: true if the shop takes it, false if it refuses it. */
  async check(candidate: string): Promise<boolean> {
    try {
      await request('GET', '/orders?limit=1', undefined, candidate);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return false;
      throw error;
    }
  },
  orders: (params: { q?: string; status?: string; before?: string }) => getJson<OrderPage>(`/orders${query({ ...params, limit: 25 })}`),
  order: (number: string) => getJson<Order>(`/orders/${encodeURIComponent(number)}`),
  fulfil: (number: string, body: { carrier: string; trackingNumber: string }) =>
    sendJson<Order>('POST', `/orders/${encodeURIComponent(number)}/fulfil`, body),
  exportCsv: async (from: string, to: string) => (await request('GET', `/orders/export${query({ from, to })}`)).blob(),
  stock: () => getJson<z.infer<typeof StockListResponse>>('/inventory'),
  stockChanges: (sku: string) => getJson<StockChanges>(`/inventory/${encodeURIComponent(sku)}/changes?limit=20`),
  setStock: (sku: string, body: { onHand: number; reason?: string }) =>
    sendJson<z.infer<typeof StockView>>('PUT', `/inventory/${encodeURIComponent(sku)}`, body),
  adjustStock: (sku: string, body: { delta: number; reason: string }) =>
    sendJson<z.infer<typeof StockView>>('POST', `/inventory/${encodeURIComponent(sku)}/adjust`, body),
  setLowStock: (sku: string, lowStockThreshold: number | null) =>
    sendJson<StockItem>('PUT', `/inventory/${encodeURIComponent(sku)}/low-stock`, { lowStockThreshold }),
  coupons: () => getJson<z.infer<typeof CouponListResponse>>('/coupons'),
  createCoupon: (body: Record<string, unknown>) => sendJson<Coupon>('POST', '/coupons', body),
  disableCoupon: (code: string) => sendJson<Coupon>('POST', `/coupons/${encodeURIComponent(code)}/disable`),
  series: (window: Series['window']) => getJson<Series>(`/metrics/series${query({ window })}`),
  alerts: () => getJson<Alerts>('/alerts'),
};

let currency: Promise<string> | undefined;
/** The shop's currency (from its public catalog), for entering amounts in coupons. */
export function shopCurrency(): Promise<string> {
  currency ??= fetch('/api/products').then(async (res) => ((await res.json()) as { currency: string }).currency);
  return currency;
}
