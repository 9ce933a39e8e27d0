// The benchmark's stack: the whole-stack harness (bare workerd through Miniflare's API, no wrangler dev proxy,
// which would cap every route near its own throughput) with cost accounting on, the rate limits raised, the
// authority also on its own port (so it can be measured without the edge hops), and the workers' log lines
// dropped (they would cost the generator's core; the benchmark reads only responses).
import type { ShopFile } from '../shared/shop-file';
import { startStack } from '../test/stack/harness';

export interface BenchStack {
  runtime: string;
  edge: string;
  /** The authority on its own socket. */
  authority: string;
  stop(): Promise<void>;
}

export async function startBenchStack(shop: ShopFile, rateLimitPerMinute: number): Promise<BenchStack> {
  const limits = String(rateLimitPerMinute);
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
      },
      authority: { COST_ACCOUNTING: '1', STRIPE_WEBHOOK_SECRET_BENCHSHOP: 'whsec_bench' },
    },
  });
  return {
    runtime: 'workerd via the Miniflare API (no wrangler dev proxy)',
    edge: stack.urls[shop.shop.id]!,
    authority: stack.authorityUrl!,
    stop: stack.stop,
  };
}
