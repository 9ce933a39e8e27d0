// Picks the payment provider of a shop: Stripe with the shop's own key (named by its config, never global),
// or the dev provider when the shop has no key and this is not production. Production without a key: 503.
import { ProblemError } from '../../../../shared/problem';
import type { Shop } from '../db/shops';
import type { AuthorityEnv } from '../env';
import { devProvider } from './dev';
import type { PaymentProvider, ProviderMeter } from './provider';
import { STRIPE_DEFAULT_TIMEOUT_MS, stripeProvider } from './stripe';

export function secretNamed(env: AuthorityEnv, binding: string | null): string | undefined {
  if (!binding) return undefined;
  const value = (env as unknown as Record<string, unknown>)[binding];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function paymentProviderFor(env: AuthorityEnv, shop: Shop, origin: string): PaymentProvider {
  const production = env.ENVIRONMENT === 'production';
  const secretKey = shop.paymentProvider === 'stripe' ? secretNamed(env, shop.stripeSecretKeyBinding) : undefined;
  const meter = env.PAYMENT_PROVIDER_METER;
  if (secretKey) {
    const timeout = Number(env.STRIPE_TIMEOUT_MS);
    return stripeProvider({
      secretKey,
      apiBase: production ? undefined : env.STRIPE_API_BASE || undefined,
      timeoutMs: Number.isSafeInteger(timeout) && timeout > 0 ? timeout : STRIPE_DEFAULT_TIMEOUT_MS,
      ...(meter ? { fetch: (input, init) => meter.around(() => fetch(input, init)) } : {}),
    });
  }
  if (!production) return meter ? meteredDevProvider(devProvider(origin), meter) : devProvider(origin);
  throw new ProblemError({
    status: 503,
    code: 'payments_unavailable',
    detail: 'This shop cannot take payments right now: it has no payment provider configured.',
  });
}

/** The dev provider makes no network call; each of its calls counts as the one Stripe call it stands in for. */
function meteredDevProvider(provider: PaymentProvider, meter: ProviderMeter): PaymentProvider {
  return {
    name: provider.name,
    createSession: (request, idempotencyKey) => meter.around(() => provider.createSession(request, idempotencyKey)),
    expireSession: (sessionId) => meter.around(() => provider.expireSession(sessionId)),
  };
}
