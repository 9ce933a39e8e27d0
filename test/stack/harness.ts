// Starts the real stack in this process for whole-stack tests, the browser tests and the benchmark: the three
// bundled workers (dist/, from `npm run bundle`) on workerd through Miniflare's multi-worker API, each with
// the options wrangler derives from its own config plus its own test bindings. Fresh persisted state in a
// temporary directory, a free port, no dev proxy and no dev registry: nothing here can reach, or be reached
// by, another stack or a running `npm run dev` on the same machine.
// The first shop is served on 127.0.0.1:<port>, the second on localhost:<port>.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Miniflare, type WorkerOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from 'wrangler';
import { ShopFile } from '../../shared/shop-file';
import { CONFIGS, ROOT } from '../../scripts/lib/paths';
import { adminTokenOf, pushCatalogAndStock, readShopFiles, shopUpsertSql } from '../../scripts/lib/shops';
import { freePort } from '../../scripts/lib/wrangler';

export const TOKENS = { ADMIN_TOKEN_COCHLEARFIT: 'stack-admin-cochlearfit', ADMIN_TOKEN_OTHERSHOP: 'stack-admin-othershop' };
/** The admin token of a shop the stack has no token for (the benchmark's shop). */
export const DEFAULT_ADMIN_TOKEN = 'stack-admin-token-0123456789abcdef';

export interface Stack {
  /** Base URL per shop id, e.g. http://127.0.0.1:54321 for cochlearfit. */
  urls: Record<string, string>;
  /** Fires the authority's cron once, as Cloudflare would every minute. */
  runCron(): Promise<void>;
  /** The authority on its own socket (no edge hops), when asked for. */
  authorityUrl?: string;
  stop(): Promise<void>;
}

type Bindings = Record<string, unknown>;

export interface StackOptions {
  /** Extra bindings per worker, over the stack's own. */
  bindings?: { frontDoor?: Bindings; gateway?: Bindings; authority?: Bindings };
  /** Also serve the authority on its own port (the benchmark measures it without the edge). */
  authoritySocket?: boolean;
  /** Drop the workers' log lines instead of echoing them (a load generator on the same core). */
  quiet?: boolean;
  /** Open workerd's DevTools inspector on this port (bench/profile.ts records CPU profiles through it). */
  inspectorPort?: number;
}

/** The authority's secrets in the stack: its own, never the developer's .dev.vars. */
const STACK_SECRETS = {
  ENVIRONMENT: 'development',
  CART_COOKIE_SECRET: 'stack-cart-cookie-secret-0123456789abcdef',
  STRIPE_WEBHOOK_SECRET_COCHLEARFIT: 'whsec_stack_cochlearfit',
};

/**
 * One worker as wrangler would run it from its config, but from the deploy bundle and with the given bindings.
 * Of the plain bindings only the config's own [vars] are kept: wrangler would add the developer's .dev.vars.
 */
function worker(
  configPath: string,
  bundle: string,
  extra: Partial<WorkerOptions> & { bindings?: Record<string, unknown>; assetsDirectory?: string },
) {
  const config = unstable_readConfig({ config: configPath });
  const { assetsDirectory, ...options } = extra;
  const overrides = assetsDirectory ? { assets: { directory: assetsDirectory } } : undefined;
  const { workerOptions } = unstable_getMiniflareWorkerOptions(config, undefined, { overrides });
  const vars = Object.entries(workerOptions.bindings ?? {}).filter(([name]) => name in config.vars);
  return {
    ...(workerOptions as WorkerOptions),
    name: bundle,
    modules: true,
    scriptPath: path.join(ROOT, 'dist', bundle, 'index.js'),
    ...options,
    bindings: { ...Object.fromEntries(vars), ...options.bindings },
  } as WorkerOptions;
}

const fixtureShops = (): ShopFile[] => [
  ...readShopFiles(),
  ShopFile.parse(JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures/othershop.json'), 'utf8'))),
];

/**
 * Where a stack keeps its D1 and Durable Object files: a RAM disk where there is one. A stack lives for one run
 * and its durability is nothing we test, while on a VM's disk each write's fsync holds up workerd's one thread
 * (every isolate runs on it) for up to a second, which every request in flight then waits out.
 */
function stateRoot(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
}

/** By default the demo shop and the test shop; the benchmark passes its own. */
export async function startStack(shops: ShopFile[] = fixtureShops(), options: StackOptions = {}): Promise<Stack> {
  const state = mkdtempSync(path.join(stateRoot(), 'commerce-stack-'));
  const port = await freePort();
  const authorityPort = options.authoritySocket ? await freePort() : undefined;
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const files = shops.slice(0, hosts.length);
  const urls: Stack['urls'] = Object.fromEntries(files.map((file, i) => [file.shop.id, `http://${hosts[i]}`]));
  const tokens: Record<string, string> = Object.fromEntries(
    files.map(({ shop: { adminTokenVariable: name } }) => [name, TOKENS[name as keyof typeof TOKENS] ?? DEFAULT_ADMIN_TOKEN]),
  );

  let mf: Miniflare | undefined;
  try {
    // workerd holds the assets folder open: a rebuild of dist/storefronts (npm run dev, npm run bundle beside
    // this stack) would pull it away. The stack serves its own copy.
    const storefronts = path.join(state, 'storefronts');
    cpSync(path.join(ROOT, 'dist/storefronts'), storefronts, { recursive: true });
    mf = new Miniflare({
      ...(options.quiet ? { handleRuntimeStdio: drain } : {}),
      ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
      port,
      host: '127.0.0.1',
      // The layout of `wrangler --persist-to <state>`, so wrangler's d1 commands can inspect a kept state.
      d1Persist: path.join(state, 'v3/d1'),
      durableObjectsPersist: path.join(state, 'v3/do'),
      workers: [
        worker(CONFIGS.frontDoor, 'front-door', {
          assetsDirectory: storefronts,
          bindings: {
            SHOP_HOSTS: Object.fromEntries(files.map((file, i) => [hosts[i], file.shop.id])),
            SHOP_ORIGINS: Object.fromEntries(files.map((file, i) => [file.shop.id, [`http://${hosts[i]}`]])),
            ...options.bindings?.frontDoor,
          },
        }),
        worker(CONFIGS.gateway, 'checkout-gateway', { bindings: { ...options.bindings?.gateway } }),
        worker(CONFIGS.authority, 'commerce-authority', {
          bindings: { ...STACK_SECRETS, ...options.bindings?.authority },
          ...(authorityPort ? { unsafeDirectSockets: [{ host: '127.0.0.1', port: authorityPort }] } : {}),
        }),
      ],
    });
    await mf.ready;
    await loadDatabase(await mf.getD1Database('DB', 'commerce-authority'), files, tokens);
    for (const file of files) {
      const endpoint = () => ({ baseUrl: urls[file.shop.id]!, headers: { 'cf-connecting-ip': '10.255.0.1' } });
      await pushCatalogAndStock(endpoint, file, adminTokenOf(file, tokens));
    }
  } catch (error) {
    await mf?.dispose();
    rmSync(state, { recursive: true, force: true });
    throw error;
  }
  const running = mf;
  return {
    urls,
    runCron: async () => {
      await (await running.getWorker('commerce-authority')).scheduled({ cron: '* * * * *' });
    },
    ...(authorityPort ? { authorityUrl: `http://127.0.0.1:${authorityPort}` } : {}),
    stop: async () => {
      await running.dispose();
      rmSync(state, { recursive: true, force: true });
    },
  };
}

/**
 * The migrations (as drizzle-kit wrote them, one statement per breakpoint) and the shop rows, straight into the
 * stack's D1: the same SQL `npm run dev` applies through wrangler, without starting wrangler twice per stack.
 */
type StackDatabase = Awaited<ReturnType<Miniflare['getD1Database']>>;

async function loadDatabase(db: StackDatabase, files: ShopFile[], tokens: Record<string, string>): Promise<void> {
  const dir = path.join(ROOT, 'd1-migrations');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.sql')).sort()) {
    const sql = readFileSync(path.join(dir, name), 'utf8');
    const statements = sql.split('--> statement-breakpoint').map((statement) => statement.trim());
    await db.batch(statements.filter(Boolean).map((statement) => db.prepare(statement)));
  }
  await db.batch(files.map((file) => db.prepare(shopUpsertSql(file, adminTokenOf(file, tokens)))));
}

function drain(stdout: Readable, stderr: Readable) {
  stdout.resume();
  stderr.resume();
}
