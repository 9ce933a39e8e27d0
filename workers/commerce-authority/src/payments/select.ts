// Picks the payment provider of a shop: Stripe with the shop's own key (named by its config, never global),
// or the dev provider when the shop has no key and this is not production. Production without a key: 503.
import { ProblemError } from '../../../../shared/problem';
import type { Shop } from '../db/shops';
import type { AuthorityEnv } from '../env';
import { devProvider } from './dev';
import type { PaymentProvider } from './provider';
import { STRIPE_DEFAULT_TIMEOUT_MS, stripeProvider } from './stripe';

export function secretNamed(env: AuthorityEnv, binding: string | null): string | undefined {
  if (!binding) return undefined;
  const value = (env as unknown as Record<string, unknown>)[binding];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function paymentProviderFor(env: AuthorityEnv, shop: Shop, origin: string): PaymentProvider {
  const production = env.ENVIRONMENT === 'production';
  const secretKey = shop.paymentProvider === 'stripe' ? secretNamed(env, shop.stripeSecretKeyBinding) : undefined;
  if (secretKey) {
    const timeout = Number(env.STRIPE_TIMEOUT_MS);
    return stripeProvider({
      secretKey,
      apiBase: production ? undefined : env.STRIPE_API_BASE || undefined,
      timeoutMs: Number.isSafeInteger(timeout) && timeout > 0 ? timeout : STRIPE_DEFAULT_TIMEOUT_MS,
    });
  }
  if (!production) return devProvider(origin);
  throw new ProblemError({
    status: 503,
    code: 'payments_unavailable',
    detail: 'This shop cannot take payments right now: it has no payment provider configured.',
  });
}
