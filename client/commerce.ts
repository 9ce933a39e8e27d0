// The browser client for static storefronts: one ESM file, no dependencies. Every call goes to the same
// origin's /api (or `baseUrl`), with the cart cookie; errors come back as typed exceptions built from the
// API's problem+json.
import type {
  CartView,
  ChallengeConfig,
  CheckoutResponse,
  CheckoutStatusResponse,
  ProductsResponse,
  ValidateResponse,
  VariantAttributes as VariantAttributesSchema,
} from '../shared/contracts';
import type { z } from 'zod';
import type { ProblemBody } from '../shared/problem';

export type VariantAttributes = z.infer<typeof VariantAttributesSchema>;
export type { CartView, ChallengeConfig, CheckoutResponse, CheckoutStatusResponse, ProductsResponse, ValidateResponse };

/** The API's problem+json document (RFC 9457), as every worker writes it. */
export type Problem = ProblemBody;

/** Any refusal of the API: `status`, `code`, the whole problem document, and Retry-After if the API sent one. */
export class CommerceError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(
    readonly problem: Problem,
    readonly retryAfterSeconds: number | null = null,
  ) {
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

/**
 * 403: this checkout needs the shop's challenge (Cloudflare Turnstile), or its token did not pass. Show the
 * widget with `challenge.siteKey` and send its token as `challengeToken`.
 */
export class ChallengeRequiredError extends CommerceError {
  readonly challenge = (this.problem.challenge as ChallengeConfig | null | undefined) ?? null;
}

/**
 * 429: too many requests from this address (`rate_limited`), or it already holds as many items as one shopper
 * may (`hold_limit`); try again after `retryAfterSeconds`.
 */
export class RateLimitedError extends CommerceError {
  declare readonly retryAfterSeconds: number;
}

export interface CheckoutOptions {
  /** The lines to buy; without them the server-side cart is checked out. */
  items?: { sku: string; quantity: number; variantAttributes?: VariantAttributes }[];
  coupon?: string;
  email?: string;
  uiMode?: 'hosted_page' | 'embedded_page';
  /** The Turnstile widget's token, when the cart (or a 403) says the shop asks for a challenge. */
  challengeToken?: string;
  /** One per checkout attempt (made for you): retries of the attempt reuse it and get the same checkout. */
  idempotencyKey?: string;
  /** hosted_page: go to the payment page (default true). */
  redirect?: boolean;
}

/** How often one checkout attempt is sent again after a lost answer or a 502/503, and the longest wait between. */
const CHECKOUT_RETRIES = 2;
const MAX_RETRY_WAIT_MS = 5_000;

/** A failure worth sending the same attempt again: the answer was lost, or the server asks to come back. */
function retryable(error: unknown): boolean {
  if (!(error instanceof CommerceError)) return error instanceof TypeError; // fetch's network failure
  return error.status === 502 || (error.status === 503 && error.code !== 'payments_unavailable');
}

async function retried<T>(send: () => Promise<T>): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await send();
    } catch (error) {
      if (retry >= CHECKOUT_RETRIES || !retryable(error)) throw error;
      const asked = error instanceof CommerceError ? (error.retryAfterSeconds ?? 0) * 1000 : 0;
      await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_RETRY_WAIT_MS, Math.max(asked, 250 * 2 ** retry))));
    }
  }
}

export function createCommerce(options: { baseUrl?: string; fetch?: typeof fetch } = {}) {
  const base = options.baseUrl ?? '';
  const send = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  /** Checkout attempts under way, by request body: a double click joins the first click's attempt. */
  const attempts = new Map<string, Promise<CheckoutResponse>>();

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
    const retryAfter = res.headers.get('retry-after');
    const wait = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
    if (res.status === 400) throw new InvalidRequestError(problem, wait);
    if (res.status === 403 && problem.code.startsWith('challenge_')) throw new ChallengeRequiredError(problem, wait);
    if (res.status === 409) throw new StockConflictError(problem, wait);
    if (res.status === 429) throw new RateLimitedError(problem, wait ?? 60);
    throw new CommerceError(problem, wait);
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
    /**
     * Creates the checkout. hosted_page: sends the browser to the payment page; embedded_page: returns the client
     * secret. One call is one attempt with its own Idempotency-Key: a lost answer or a busy server is retried with
     * that key (the same checkout comes back, never a second hold), and a second call while one is under way
     * (a double click) joins it.
     */
    checkout(options: CheckoutOptions = {}): Promise<CheckoutResponse> {
      const { idempotencyKey, redirect = true, ...body } = options;
      const attempt = JSON.stringify(body);
      let pending = attempts.get(attempt);
      if (!pending) {
        const headers = { 'idempotency-key': idempotencyKey ?? crypto.randomUUID() };
        pending = retried(() => call<CheckoutResponse>('POST', '/api/checkout-session', body, headers)).finally(() =>
          attempts.delete(attempt),
        );
        attempts.set(attempt, pending);
      }
      return pending.then((checkout) => {
        if (checkout.url && redirect && typeof location !== 'undefined') location.assign(checkout.url);
        return checkout;
      });
    },
    orderStatus: (sessionId: string) => call<CheckoutStatusResponse>('GET', `/api/checkout/session/${encodeURIComponent(sessionId)}`),
  };
}

export type Commerce = ReturnType<typeof createCommerce>;
