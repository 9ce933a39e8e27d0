// Before the authority tests: the network edge's fakes on free ports, a Stripe API (the worker gets its URL as
// STRIPE_API_BASE) and a Turnstile siteverify (TURNSTILE_VERIFY_URL).
import type { TestProject } from 'vitest/node';
import { startFakeStripe } from './fake-stripe';
import { startFakeTurnstile } from './fake-turnstile';

declare module 'vitest' {
  export interface ProvidedContext {
    fakeStripeUrl: string;
    fakeTurnstileUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const [stripe, turnstile] = await Promise.all([startFakeStripe(), startFakeTurnstile()]);
  project.provide('fakeStripeUrl', stripe.url);
  project.provide('fakeTurnstileUrl', turnstile.url);
  return async () => {
    await Promise.all([stripe.close(), turnstile.close()]);
  };
}
