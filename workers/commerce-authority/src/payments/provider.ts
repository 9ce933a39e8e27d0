// The payment provider interface: the one seam between checkout and whoever takes the money. Two
// implementations: Stripe (stripe.ts) and the offline dev provider (dev.ts); select.ts picks one per shop.
import type { PricedLine } from '../db/schema';

export interface SessionRequest {
  shopId: string;
  checkoutId: string;
  reservationId: string;
  currency: string;
  lines: readonly PricedLine[];
  /** Already computed from our coupon; the provider only carries it. */
  discount: number;
  couponCode: string | null;
  email: string | null;
  uiMode: 'hosted_page' | 'embedded_page';
  /** Epoch ms; equals the stock hold's expiry. */
  expiresAt: number;
  successUrl: string;
  cancelUrl: string;
  returnUrl: string;
  shippingCountries: readonly string[];
  shippingOptions: readonly { name: string; amount: number }[];
  automaticTax: boolean;
}

export interface CreatedSession {
  sessionId: string;
  url: string | null;
  clientSecret: string | null;
}

export interface PaymentProvider {
  readonly name: 'stripe' | 'dev';
  /** Idempotent on `idempotencyKey`: a repeat returns the same session. */
  createSession(request: SessionRequest, idempotencyKey: string): Promise<CreatedSession>;
  /** Ends an open session so it can no longer be paid. Ending an ended session is not an error. */
  expireSession(sessionId: string): Promise<void>;
}

/** Counts calls to the provider at its network edge (cost accounting): each call goes through `around`. */
export interface ProviderMeter {
  around<T>(call: () => Promise<T>): Promise<T>;
}

/** The provider could not be reached or refused: the caller releases holds and answers 502. */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    /** Another call with the same idempotency key was still in progress: it, not this one, decides the outcome. */
    readonly keyInUse = false,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** How a line reads on the payment page: "Classic Cochlear Headband (navy, M)". */
export function lineLabel(line: Pick<PricedLine, 'name' | 'attributes'>): string {
  const values = Object.values(line.attributes);
  return values.length > 0 ? `${line.name} (${values.join(', ')})` : line.name;
}
