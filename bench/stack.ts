// The benchmark's stack: the whole-stack harness (bare workerd through Miniflare's API, no wrangler dev proxy,
// which would cap every route near its own throughput) with cost accounting on, the rate limits raised, the
// authority also on its own port (so it can be measured without the edge hops), and the workers' log lines
// dropped (they would cost the generator's core; the benchmark reads only responses). Under a latency model,
// the gateway and the authority delay their round trips (LATENCY_MODEL) and Stripe is the fake Stripe, late.
import type { LatencyModel } from '../shared/latency-model';
import type { ShopFile } from '../shared/shop-file';
import { startFakeStripe } from '../test/support/fake-stripe';
import { startStack } from '../test/stack/harness';

/** The bench shop's Stripe key under a latency model (the fake Stripe accepts any sk_test_ key). */
export const BENCH_STRIPE_KEY_BINDING = 'STRIPE_SECRET_KEY_BENCHSHOP';

export interface BenchStack {
  runtime: string;
  edge: string;
  /** The authority on its own socket. */
  authority: string;
  stop(): Promise<void>;
}

export async function startBenchStack(shop: ShopFile, rateLimitPerMinute: number, model?: { name: string; model: LatencyModel }): Promise<BenchStack> {
  const limits = String(rateLimitPerMinute);
  const stripe = model ? await startFakeStripe({ delayMs: model.model.stripeMs }) : null;
  const modeled = model && stripe
    ? {
        gateway: { ENVIRONMENT: 'development', LATENCY_MODEL: model.name },
        authority: { LATENCY_MODEL: model.name, STRIPE_API_BASE: stripe.url, [BENCH_STRIPE_KEY_BINDING]: 'sk_test_bench' },
      }
    : { gateway: {}, authority: {} };
  const stack = await startStack([shop], {
    authoritySocket: true,
    quiet: true,
    bindings: {
      frontDoor: { COST_ACCOUNTING: '1' },
      gateway: {
        COST_ACCOUNTING: '1',
        RATE_LIMIT_CHECKOUT_PER_MINUTE: limits,
        RATE_LIMIT_VALIDATE_PER_MINUTE: limits,
        RATE_LIMIT_CART_PER_MINUTE: limits,
        ...modeled.gateway,
      },
      authority: { COST_ACCOUNTING: '1', STRIPE_WEBHOOK_SECRET_BENCHSHOP: 'whsec_bench', ...modeled.authority },
    },
  }).catch(async (error: unknown) => {
    await stripe?.close();
    throw error;
  });
  return {
    runtime: 'workerd via the Miniflare API (no wrangler dev proxy)',
    edge: stack.urls[shop.shop.id]!,
    authority: stack.authorityUrl!,
    stop: async () => {
      await stack.stop();
      await stripe?.close();
    },
  };
}
