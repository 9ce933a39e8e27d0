// Browser tests: the whole stack on workerd through Miniflare (the same harness as the stack tests, from the
// bundles in dist/) and the CochlearFit storefront in headless Chromium (Debian's, driven by playwright-core).
// Run by `npm run test:e2e`, which bundles first.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
