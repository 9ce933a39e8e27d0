// The Stripe provider: Checkout Sessions through the official stripe package (fetch client in workerd).
// Every call carries our idempotency key, so Stripe's own retries and ours never make a second session.
import Stripe from 'stripe';
import { lineLabel, ProviderError, type CreatedSession, type PaymentProvider, type SessionRequest } from './provider';

export interface StripeSettings {
  secretKey: string;
  /** Only for tests: a fake Stripe API at this base URL (http://127.0.0.1:port). */
  apiBase?: string;
  timeoutMs: number;
  /** The fetch the stripe package sends its HTTP calls with (cost accounting counts them); global fetch by default. */
  fetch?: typeof fetch;
}

// One retry on connection errors, 409 and 5xx that Stripe marks retryable; with an 8 s timeout a checkout
// answers within about 17 s in the worst case, while the holds it took are still fresh.
export const STRIPE_DEFAULT_TIMEOUT_MS = 8_000;
const STRIPE_MAX_NETWORK_RETRIES = 1;

function build(settings: StripeSettings): Stripe {
  const base = settings.apiBase ? new URL(settings.apiBase) : null;
  return new Stripe(settings.secretKey, {
    // The global fetch is looked up on each call, never kept from the request that built the client.
    httpClient: Stripe.createFetchHttpClient(settings.fetch ?? ((input, init) => fetch(input, init))),
    maxNetworkRetries: STRIPE_MAX_NETWORK_RETRIES,
    timeout: settings.timeoutMs,
    ...(base ? { host: base.hostname, port: base.port, protocol: base.protocol.replace(':', '') as 'http' | 'https' } : {}),
  });
}

/**
 * Clients kept for the isolate's life, by key and endpoint, as Stripe advises: building one (the package sets up
 * every API resource) took 200 µs of CPU in Node, on every checkout. A client with a fetch of its own (cost
 * accounting's, which counts one request's calls) is built for that request and not kept. At most MAX_CLIENTS
 * (shops with their own keys); the oldest goes first.
 */
const clients = new Map<string, Stripe>();
const MAX_CLIENTS = 32;

function client(settings: StripeSettings): Stripe {
  if (settings.fetch) return build(settings);
  const key = `${settings.secretKey}\n${settings.apiBase ?? ''}\n${settings.timeoutMs}`;
  let kept = clients.get(key);
  if (!kept) {
    if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value!);
    clients.set(key, (kept = build(settings)));
  }
  return kept;
}

function providerError(error: unknown): ProviderError {
  if (error instanceof Stripe.errors.StripeError) {
    // The message and code only: never the request, which carries the key in its headers.
    // Stripe answers 409 (an idempotency_error, which the package reports as an API error) to a call whose
    // idempotency key another call is still using, and saves no result for it.
    const keyInUse = error.statusCode === 409 && error.rawType === 'idempotency_error';
    return new ProviderError(`stripe ${error.type}${error.code ? ` (${error.code})` : ''}: ${error.message}`, error.statusCode ?? null, keyInUse);
  }
  return new ProviderError(`stripe call failed: ${String(error)}`, null);
}

export function sessionParams(request: SessionRequest, couponId: string | null): Stripe.Checkout.SessionCreateParams {
  const metadata = {
    shop_id: request.shopId,
    inventory_reservation_id: request.reservationId,
    checkout_id: request.checkoutId,
  };
  return {
    mode: 'payment',
    ui_mode: request.uiMode,
    line_items: request.lines.map((line) =>
      line.stripePriceId
        ? { price: line.stripePriceId, quantity: line.quantity }
        : {
            quantity: line.quantity,
            price_data: {
              currency: request.currency,
              unit_amount: line.unitAmount,
              product_data: { name: lineLabel(line), metadata: { sku: line.sku } },
            },
          },
    ),
    metadata,
    payment_intent_data: { metadata },
    client_reference_id: request.checkoutId,
    expires_at: Math.floor(request.expiresAt / 1000),
    ...(request.email ? { customer_email: request.email } : {}),
    ...(request.uiMode === 'hosted_page'
      ? { success_url: request.successUrl, cancel_url: request.cancelUrl }
      : { return_url: request.returnUrl }),
    ...(request.shippingCountries.length > 0
      ? {
          shipping_address_collection: {
            allowed_countries: request.shippingCountries as Stripe.Checkout.SessionCreateParams.ShippingAddressCollection.AllowedCountry[],
          },
        }
      : {}),
    ...(request.shippingOptions.length > 0
      ? {
          shipping_options: request.shippingOptions.map((option) => ({
            shipping_rate_data: {
              type: 'fixed_amount' as const,
              display_name: option.name,
              fixed_amount: { amount: option.amount, currency: request.currency },
            },
          })),
        }
      : {}),
    ...(request.automaticTax ? { automatic_tax: { enabled: true } } : {}),
    ...(couponId ? { discounts: [{ coupon: couponId }] } : {}),
  };
}

export function stripeProvider(settings: StripeSettings): PaymentProvider {
  const stripe = client(settings);
  return {
    name: 'stripe',
    async createSession(request, idempotencyKey): Promise<CreatedSession> {
      try {
        // Our coupon rules already decided the discount: Stripe gets exactly that amount, once.
        const coupon =
          request.discount > 0
            ? await stripe.coupons.create(
                {
                  amount_off: request.discount,
                  currency: request.currency,
                  duration: 'once',
                  max_redemptions: 1,
                  name: request.couponCode ?? 'Discount',
                  metadata: { shop_id: request.shopId, checkout_id: request.checkoutId },
                },
                { idempotencyKey: `${idempotencyKey}:coupon` },
              )
            : null;
        const session = await stripe.checkout.sessions.create(sessionParams(request, coupon?.id ?? null), { idempotencyKey });
        return { sessionId: session.id, url: session.url ?? null, clientSecret: session.client_secret ?? null };
      } catch (error) {
        throw providerError(error);
      }
    },
    async expireSession(sessionId) {
      try {
        await stripe.checkout.sessions.expire(sessionId);
      } catch (error) {
        // Already complete or expired: nothing left to end.
        if (error instanceof Stripe.errors.StripeInvalidRequestError) return;
        throw providerError(error);
      }
    },
  };
}
