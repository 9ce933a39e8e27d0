// Test projects by level: unit (pure Node), authority (the real worker in workerd with D1 and DOs), edge
// (front-door and gateway in workerd, each with a recording stub behind it), stack (the whole chain from its
// bundles on workerd through Miniflare, driven over HTTP; and the README's own `npm run dev`, end to end).
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig, type Plugin } from 'vitest/config';

// The stripe package ships source maps without sources; Vite would warn about each of them.
const quietMissingSourceMaps: Plugin = {
  name: 'quiet-missing-source-maps',
  configResolved(config) {
    const warnOnce = config.logger.warnOnce.bind(config.logger);
    config.logger.warnOnce = (message, options) => {
      if (!message.includes('points to missing source files')) warnOnce(message, options);
    };
  },
};

/** A stand-in for the next worker in the chain: answers with what it received, so tests see what was forwarded. */
const echoWorker = (name: string) => ({
  name,
  modules: true,
  script: `export default { async fetch(request) {
    return Response.json({ url: request.url, method: request.method, headers: Object.fromEntries(request.headers), body: await request.text() });
  } };`,
});

/** The authority as the gateway sees it: HTTP echoed back, and the shop-lookup RPC over two test shops. */
const authorityStub = {
  name: 'commerce-authority',
  modules: true,
  compatibilityDate: '2026-04-20',
  script: `import { WorkerEntrypoint } from 'cloudflare:workers';
  const limits = { read: 300, validate: 60, cart: 120, checkout: 10, admin: 120 };
  export default class extends WorkerEntrypoint {
    async fetch(request) {
      return Response.json({ url: request.url, method: request.method, headers: Object.fromEntries(request.headers), body: await request.text() });
    }
    async shopEdgeConfig(shopId) {
      return ['cochlearfit', 'othershop'].includes(shopId) ? { shopId, rateLimits: limits } : null;
    }
  }`,
};

// Each workerd test file starts with an empty module cache and fetches every module it imports from Vite, one
// round trip each: stripe, drizzle and zod alone were ~450 of them, about 1.2 s per file. Pre-bundled, they are a
// few dozen chunks (a file's start went from 2.4 s to 1.2 s here). Imported subpaths must be listed one by one.
/**
 * Drops the source maps of those pre-bundled chunks: vitest inlines each module's map into the code it sends,
 * and for stripe and zod that was 4 MB more per test file, escaped and parsed every time. Stack traces into a
 * dependency then point into its chunk; our own modules keep their maps.
 */
const noMapsForPrebundledDependencies: Plugin = {
  name: 'no-maps-for-prebundled-dependencies',
  enforce: 'post',
  transform(code, id) {
    if (id.includes('/node_modules/.vite/') && id.includes('/deps_ssr/')) return { code, map: { mappings: '' } };
  },
};

const prebundledDependencies = {
  optimizer: {
    ssr: {
      enabled: true,
      include: [
        'stripe',
        ...['drizzle-orm', 'drizzle-orm/batch', 'drizzle-orm/d1', 'drizzle-orm/sqlite-core'],
        ...['zod', 'zod-validation-error', '@hono/zod-openapi', 'ulid'],
        ...['hono', 'hono/cookie', 'hono/factory', 'hono/html', 'hono/http-exception'],
      ],
    },
  },
};

export default defineConfig({
  test: {
    // Worker logs are one entry per request; show them only for a failing test.
    silent: 'passed-only',
    // Two test files at a time on the 2-core machines (vitest would pick one): each authority file pays ~2 s to
    // start its runtime, and the other core runs another file meanwhile (201 s -> 121-149 s measured here).
    maxWorkers: 2,
    projects: [
      { plugins: [quietMissingSourceMaps], test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        plugins: [
          quietMissingSourceMaps,
          noMapsForPrebundledDependencies,
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations('./d1-migrations'),
                ENVIRONMENT: 'development',
                CART_COOKIE_SECRET: 'test-cart-cookie-secret-0123456789abcdef',
                STRIPE_API_BASE: inject('fakeStripeUrl'),
                TURNSTILE_VERIFY_URL: inject('fakeTurnstileUrl'),
                STRIPE_TIMEOUT_MS: '1000',
                STRIPE_SECRET_KEY_STRIPESHOP: 'sk_test_stripeshop',
                STRIPE_WEBHOOK_SECRET_STRIPESHOP: 'whsec_test_stripeshop',
                STRIPE_WEBHOOK_SECRET_COCHLEARFIT: 'whsec_test_cochlearfit',
                FUZZ_RUNS: process.env.FUZZ_RUNS ?? '150',
                // Replays a webhook storm (test/authority/webhooks.storm.test.ts) from the seed it reported.
                STORM_SEED: process.env.STORM_SEED ?? '',
              },
            },
          })),
        ],
        test: {
          name: 'authority',
          include: ['test/authority/**/*.test.ts'],
          deps: prebundledDependencies,
          setupFiles: ['test/authority/setup.ts'],
          globalSetup: ['test/support/network-fakes-setup.ts'],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './workers/front-door/wrangler.toml' },
            miniflare: { workers: [echoWorker('checkout-gateway')] },
          }),
        ],
        test: { name: 'front-door', include: ['test/edge/front-door*.test.ts'], deps: prebundledDependencies },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './workers/checkout-gateway/wrangler.toml' },
            // A load-test override: validate is limited to 5 per minute whatever the shop says.
            miniflare: { workers: [authorityStub], bindings: { RATE_LIMIT_VALIDATE_PER_MINUTE: '5' } },
          }),
        ],
        test: { name: 'gateway', include: ['test/edge/gateway*.test.ts'], deps: prebundledDependencies },
      },
      {
        test: {
          name: 'stack',
          include: ['test/stack/**/*.test.ts'],
          environment: 'node',
          // After the other projects: the stack's workerd needs the machine's cores to itself.
          sequence: { groupOrder: 1 },
          globalSetup: ['test/stack/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'dev',
          include: ['test/dev/**/*.test.ts'],
          environment: 'node',
          // Its global setup starts the wrangler stacks at once; they boot while the earlier groups run.
          globalSetup: ['test/dev/global-setup.ts'],
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
