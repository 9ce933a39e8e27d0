// The first gate of every webhook: the signature over the raw body with the shop's own webhook secret. (The
// second, whether the event is this shop's at all, is foreignReason in apply-event.ts.)
import Stripe from 'stripe';
import { ProblemError } from '../../../../shared/problem';
import type { Shop } from '../db/shops';
import type { AuthorityEnv } from '../env';
import { secretNamed } from '../payments/select';

/** Stripe's default: an event signed more than 5 minutes ago is refused (replays). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const cryptoProvider = Stripe.createSubtleCryptoProvider();

export async function verifiedEvent(env: AuthorityEnv, shop: Shop, rawBody: string, signature: string | undefined): Promise<Stripe.Event> {
  const secret = secretNamed(env, shop.stripeWebhookSecretBinding);
  if (!secret) {
    // 503, not 400: Stripe keeps retrying, so no event is lost while the secret is being configured.
    throw new ProblemError({ status: 503, code: 'webhook_unconfigured', detail: 'This shop has no webhook secret configured.' });
  }
  if (!signature) throw new ProblemError({ status: 400, code: 'invalid_signature', detail: 'Missing Stripe-Signature header.' });
  try {
    return await Stripe.webhooks.constructEventAsync(rawBody, signature, secret, SIGNATURE_TOLERANCE_SECONDS, cryptoProvider);
  } catch {
    throw new ProblemError({ status: 400, code: 'invalid_signature', detail: 'The signature does not match this payload, or it is too old.' });
  }
}
