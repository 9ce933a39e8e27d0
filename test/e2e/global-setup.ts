// The browser tests' stack: the whole stack on workerd (test/stack/harness.ts) with CochlearFit's Turnstile
// secret set to Cloudflare's always-passing test secret, verified by the fake siteverify started here (the
// machine has no internet). The widget's script is served to the browser by the test itself.
import type { TestProject } from 'vitest/node';
import type {} from '../stack/global-setup'; // declares the stackUrls this provides
import { startStack } from '../stack/harness';
import { startFakeTurnstile, TURNSTILE_TEST_SECRET } from '../support/fake-turnstile';

export default async function setup(project: TestProject) {
  const siteverify = await startFakeTurnstile();
  const stack = await startStack(undefined, {
    quiet: true,
    bindings: { authority: { TURNSTILE_SECRET_KEY_COCHLEARFIT: TURNSTILE_TEST_SECRET, TURNSTILE_VERIFY_URL: siteverify.url } },
  });
  project.provide('stackUrls', stack.urls as { cochlearfit: string; othershop: string });
  return async () => {
    await stack.stop();
    await siteverify.close();
  };
}
