// The browser client for static storefronts: one ESM file, no dependencies. Every call goes to the same
// origin's /api (or `baseUrl`), with the cart cookie; errors come back as typed exceptions built from the
// API's problem+json.
import type {
  CartView,
  CheckoutResponse,
  CheckoutStatusResponse,
  ProductsResponse,
  ValidateResponse,
  VariantAttributes as VariantAttributesSchema,
} from '../shared/contracts';
import type { z } from 'zod';
import type { ProblemBody } from '../shared/problem';

export type VariantAttributes = z.infer<typeof VariantAttributesSchema>;
export type { CartView, CheckoutResponse, CheckoutStatusResponse, ProductsResponse, ValidateResponse };

/** The API's problem+json document (RFC 9457), as every worker writes it. */
export type Problem = ProblemBody;

/** Any refusal of the API: `status`, `code` and the whole problem document. */
export class CommerceError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'CommerceError';
    this.status = problem.status;
    this.code = problem.code;
  }
}

/** 400: the request was wrong; `fieldErrors` names each field. */
export class InvalidRequestError extends CommerceError {
  readonly fieldErrors = this.problem.errors ?? [];
}

/** 409: not enough stock (or not for sale); `available` or `lines` say how much there is. */
export class StockConflictError extends CommerceError {
  readonly available = this.problem.available as number | undefined;
  readonly lines = (this.problem.lines as { sku: string; available: number }[] | undefined) ?? [];
}

/** 429: too many requests from this address; try again after `retryAfterSeconds`. */
export class RateLimitedError extends CommerceError {
  constructor(
    problem: Problem,
    readonly retryAfterSeconds: number,
  ) {
    super(problem);
  }
}

export interface CheckoutOptions {
  /** The lines to buy; without them the server-side cart is checked out. */
  items?: { sku: string; quantity: number; variantAttributes?: VariantAttributes }[];
  coupon?: string;
  email?: string;
  uiMode?: 'hosted_page' | 'embedded_page';
  /** Makes retries of one purchase intent return the same checkout. */
  idempotencyKey?: string;
  /** hosted_page: go to the payment page (default true). */
  redirect?: boolean;
}

export function createCommerce(options: { baseUrl?: string; fetch?: typeof fetch } = {}) {
  const base = options.baseUrl ?? '';
  const send = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await send(`${base}${path}`, {
      method,
      credentials: 'include',
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.ok) return (await res.json()) as T;
    const problem = ((await res.json().catch(() => null)) as Problem | null) ?? {
      type: 'about:blank',
      title: res.statusText,
      status: res.status,
      detail: `HTTP ${res.status}`,
      code: 'http_error',
    };
    if (res.status === 400) throw new InvalidRequestError(problem);
    if (res.status === 409) throw new StockConflictError(problem);
    if (res.status === 429) throw new RateLimitedError(problem, Number(res.headers.get('retry-after') ?? '60'));
    throw new CommerceError(problem);
  }

  return {
    products: () => call<ProductsResponse>('GET', '/api/products'),
    validate: (items: { sku: string; quantity: number; variantAttributes?: VariantAttributes }[]) =>
      call<ValidateResponse>('POST', '/api/inventory/validate', { items }),
    cart: {
      get: () => call<CartView>('GET', '/api/cart'),
      add: (sku: string, quantity = 1, variantAttributes?: VariantAttributes) =>
        call<CartView>('POST', '/api/cart', { sku, quantity, ...(variantAttributes ? { variantAttributes } : {}) }),
      set: (sku: string, quantity: number) => call<CartView>('PATCH', '/api/cart', { sku, quantity }),
      remove: (sku: string) => call<CartView>('DELETE', '/api/cart', { sku }),
      clear: () => call<CartView>('DELETE', '/api/cart'),
      replace: (items: { sku: string; quantity: number }[]) => call<CartView>('PUT', '/api/cart', { items }),
    },
    /** Creates the checkout. hosted_page: sends the browser to the payment page; embedded_page: returns the client secret. */
    async checkout(options: CheckoutOptions = {}): Promise<CheckoutResponse> {
      const { idempotencyKey, redirect = true, ...body } = options;
      const checkout = await call<CheckoutResponse>('POST', '/api/checkout-session', body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
      if (checkout.url && redirect && typeof location !== 'undefined') location.assign(checkout.url);
      return checkout;
    },
    orderStatus: (sessionId: string) => call<CheckoutStatusResponse>('GET', `/api/checkout/session/${encodeURIComponent(sessionId)}`),
  };
}

export type Commerce = ReturnType<typeof createCommerce>;
