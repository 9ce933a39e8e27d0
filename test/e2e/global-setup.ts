// The browser tests' stack: the whole stack on workerd (test/stack/harness.ts) with CochlearFit's Turnstile
// secret set to Cloudflare's always-passing test secret, verified by the fake siteverify started here (the
// machine has no internet). The widget's script is served to the browser by the test itself. A POST to the
// `stackCronUrl` it provides fires the authority's cron once (tests run in other processes than this setup).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
  const cron = http.createServer((req, res) => {
    if (req.method !== 'POST') return res.writeHead(405).end();
    stack.runCron().then(
      () => res.writeHead(204).end(),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => cron.listen(0, '127.0.0.1', resolve));
  project.provide('stackCronUrl', `http://127.0.0.1:${(cron.address() as AddressInfo).port}/`);
  return async () => {
    cron.closeAllConnections();
    await new Promise<void>((resolve) => cron.close(() => resolve()));
    await stack.stop();
    await siteverify.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    stackCronUrl: string;
  }
}
