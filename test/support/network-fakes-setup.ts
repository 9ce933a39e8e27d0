// Before the authority tests: the network edge's fakes on free ports, a Stripe API (the worker gets its URL as
// STRIPE_API_BASE), a Turnstile siteverify (TURNSTILE_VERIFY_URL) and a webhook receiver for alerts (tests
// read its URL with inject('fakeReceiverUrl')).
import type { TestProject } from 'vitest/node';
import { startFakeStripe } from './fake-stripe';
import { startFakeReceiver } from './fake-receiver';
import { startFakeTurnstile } from './fake-turnstile';

declare module 'vitest' {
  export interface ProvidedContext {
    fakeStripeUrl: string;
    fakeTurnstileUrl: string;
    fakeReceiverUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const [stripe, turnstile, receiver] = await Promise.all([startFakeStripe(), startFakeTurnstile(), startFakeReceiver()]);
  project.provide('fakeStripeUrl', stripe.url);
  project.provide('fakeTurnstileUrl', turnstile.url);
  project.provide('fakeReceiverUrl', receiver.url);
  return async () => {
    await Promise.all([stripe.close(), turnstile.close(), receiver.close()]);
  };
}
