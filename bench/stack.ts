// The stacks for benchmarks. Mainly bare workerd through Miniflare's API (wrangler dev's proxy would cap every
// route near its own throughput): the three bundled workers (dist/, from `npm run bundle`) with the options
// wrangler derives from their configs, fresh persisted state, the front-door on one port and the authority
// on another (so it can be measured without the edge hops). For comparison, the same under `wrangler dev`.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import type { Readable } from 'node:stream';
import path from 'node:path';
import { Miniflare, type WorkerOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import type { ShopFile } from '../shared/shop-file';
import { CONFIGS, ROOT } from '../scripts/lib/paths';
import { applyMigrations, pushCatalogAndStock, upsertShopRows } from '../scripts/lib/shops';
import { freePort } from '../scripts/lib/wrangler';
import { startStack } from '../test/stack/harness';

export interface BenchStack {
  runtime: string;
  edge: string;
  /** The authority on its own socket; null where it is reachable only through the edge (wrangler dev). */
  authority: string | null;
  stop(): Promise<void>;
}

/** The same stack under `wrangler dev` (one process, three workers), through the whole-stack test harness. */
export async function startWranglerBenchStack(shop: ShopFile): Promise<BenchStack> {
  const stack = await startStack({ STRIPE_WEBHOOK_SECRET_BENCHSHOP: 'whsec_bench' }, [shop]);
  return { runtime: 'wrangler dev 4.86 (its proxy in front of workerd)', edge: stack.urls[shop.shop.id]!, authority: null, stop: stack.stop };
}

const SECRETS = {
  ENVIRONMENT: 'development',
  CART_COOKIE_SECRET: 'bench-cart-cookie-secret-0123456789abcdef',
  STRIPE_WEBHOOK_SECRET_BENCHSHOP: 'whsec_bench',
};

function worker(config: string, bundle: string, extra: Partial<WorkerOptions>): WorkerOptions {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(config);
  return {
    ...(workerOptions as WorkerOptions),
    name: bundle,
    modules: true,
    scriptPath: path.join(ROOT, 'dist', bundle, 'index.js'),
    ...extra,
    bindings: { ...(workerOptions.bindings ?? {}), ...(extra.bindings ?? {}) },
  } as WorkerOptions;
}

export async function startMiniflareBenchStack(shop: ShopFile, token: string, rateLimitPerMinute: number): Promise<BenchStack> {
  const state = mkdtempSync(path.join(os.tmpdir(), 'commerce-bench-'));
  const [port, authorityPort] = [await freePort(), await freePort()];
  applyMigrations(state);
  upsertShopRows(state, [shop], { [shop.shop.adminTokenVariable]: token });

  const limits = String(rateLimitPerMinute);
  const mf = new Miniflare({
    // The workers' JSON log lines would cost the generator's core; the benchmark reads only responses.
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.resume();
      stderr.resume();
    },
    port,
    host: '127.0.0.1',
    d1Persist: path.join(state, 'v3/d1'),
    durableObjectsPersist: path.join(state, 'v3/do'),
    workers: [
      worker(CONFIGS.frontDoor, 'front-door', {
        bindings: {
          COST_ACCOUNTING: '1',
          SHOP_HOSTS: { [`127.0.0.1:${port}`]: shop.shop.id },
          SHOP_ORIGINS: { [shop.shop.id]: [`http://127.0.0.1:${port}`] },
        },
      }),
      worker(CONFIGS.gateway, 'checkout-gateway', {
        bindings: { RATE_LIMIT_CHECKOUT_PER_MINUTE: limits, RATE_LIMIT_VALIDATE_PER_MINUTE: limits, RATE_LIMIT_CART_PER_MINUTE: limits, COST_ACCOUNTING: '1' },
      }),
      worker(CONFIGS.authority, 'commerce-authority', {
        bindings: { ...SECRETS, COST_ACCOUNTING: '1' },
        unsafeDirectSockets: [{ host: '127.0.0.1', port: authorityPort }],
      }),
    ],
  });
  await mf.ready;
  const edge = `http://127.0.0.1:${port}`;
  await pushCatalogAndStock(() => ({ baseUrl: edge, headers: { 'cf-connecting-ip': '10.0.0.1' } }), shop, token);
  return {
    runtime: 'workerd via the Miniflare API (no wrangler dev proxy)',
    edge,
    authority: `http://127.0.0.1:${authorityPort}`,
    stop: async () => {
      await mf.dispose();
      rmSync(state, { recursive: true, force: true });
    },
  };
}
