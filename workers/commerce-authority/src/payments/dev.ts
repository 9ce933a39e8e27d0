// The dev payment provider: Stripe's shape, offline. Sessions are `cs_dev_...`; the hosted page is our own
// (routes/dev-checkout.ts), whose buttons send Stripe-shaped signed events to /api/stripe-webhook through
// the front-door. Never used in production (select.ts).
import { ulid } from 'ulid';
import type { CreatedSession, PaymentProvider, SessionRequest } from './provider';

export const DEV_SESSION_PREFIX = 'cs_dev_';

async function stableSessionId(idempotencyKey: string): Promise<string> {
  // Same key, same session, as with Stripe's idempotency.
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(idempotencyKey));
  return DEV_SESSION_PREFIX + [...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function devProvider(origin: string): PaymentProvider {
  return {
    name: 'dev',
    async createSession(request: SessionRequest, idempotencyKey: string): Promise<CreatedSession> {
      const sessionId = await stableSessionId(idempotencyKey);
      const page = `${origin}/api/dev-checkout/${sessionId}`;
      return request.uiMode === 'hosted_page'
        ? { sessionId, url: page, clientSecret: null }
        : { sessionId, url: null, clientSecret: `${sessionId}_secret_${ulid()}` };
    },
    async expireSession() {
      // The page reads the checkout's status: once the checkout is ended, its session cannot be paid.
    },
  };
}
