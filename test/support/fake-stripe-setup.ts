// Before the authority tests: a fake Stripe API on a free port, whose URL the worker gets as STRIPE_API_BASE.
import type { TestProject } from 'vitest/node';
import { startFakeStripe } from './fake-stripe';

declare module 'vitest' {
  export interface ProvidedContext {
    fakeStripeUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const fake = await startFakeStripe();
  project.provide('fakeStripeUrl', fake.url);
  return () => fake.close();
}
