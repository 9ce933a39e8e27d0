// Starts the real stack for whole-stack tests: `wrangler dev` with all three workers, fresh persisted state
// in a temporary directory, a free port, the demo shop and a second test shop loaded. The two shops are
// told apart by host: 127.0.0.1:<port> is cochlearfit, localhost:<port> is othershop.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ShopFile } from '../../shared/shop-file';
import { CONFIGS, ROOT } from '../../scripts/lib/paths';
import { adminTokenOf, applyMigrations, pushCatalogAndStock, readShopFiles, upsertShopRows } from '../../scripts/lib/shops';
import { freePort, startDev, waitUntilReady, type DevProcess } from '../../scripts/lib/wrangler';

export const TOKENS = { ADMIN_TOKEN_COCHLEARFIT: 'stack-admin-cochlearfit', ADMIN_TOKEN_OTHERSHOP: 'stack-admin-othershop' };

export interface Stack {
  /** Base URL per shop id, e.g. http://127.0.0.1:54321 for cochlearfit. */
  urls: Record<string, string>;
  stop(): Promise<void>;
}

/** The authority's secrets in the stack: its own, never the developer's .dev.vars. */
const STACK_SECRETS = {
  ENVIRONMENT: 'development',
  CART_COOKIE_SECRET: 'stack-cart-cookie-secret-0123456789abcdef',
  STRIPE_WEBHOOK_SECRET_COCHLEARFIT: 'whsec_stack_cochlearfit',
};

/**
 * A copy of the authority's config in the stack's own folder, with a .dev.vars beside it: wrangler reads
 * secrets next to the config, and only the first worker of a process takes --var.
 */
function authorityConfig(state: string, secrets: Record<string, string>): string {
  const dir = path.join(state, 'authority');
  mkdirSync(dir, { recursive: true });
  const config = readFileSync(CONFIGS.authority, 'utf8')
    .replace(/^main = "(.+)"$/m, (_, main: string) => `main = ${JSON.stringify(path.join(ROOT, main))}`)
    .replace(/^migrations_dir = "(.+)"$/m, (_, dir: string) => `migrations_dir = ${JSON.stringify(path.join(ROOT, dir))}`);
  writeFileSync(path.join(dir, 'wrangler.toml'), config);
  writeFileSync(path.join(dir, '.dev.vars'), Object.entries(secrets).map(([key, value]) => `${key}="${value}"`).join('\n'));
  return path.join(dir, 'wrangler.toml');
}

const fixtureShops = (): ShopFile[] => [
  ...readShopFiles(),
  ShopFile.parse(JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures/othershop.json'), 'utf8'))),
];

/**
 * The first shop is served on 127.0.0.1:<port>, the second on localhost:<port>. By default the demo shop and
 * the test shop; the benchmark passes its own.
 */
export async function startStack(secrets: Record<string, string> = {}, shops: ShopFile[] = fixtureShops()): Promise<Stack> {
  const state = mkdtempSync(path.join(os.tmpdir(), 'commerce-stack-'));
  const port = await freePort();
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const files = shops.slice(0, hosts.length);
  const urls: Stack['urls'] = Object.fromEntries(files.map((file, i) => [file.shop.id, `http://${hosts[i]}`]));

  const tokens: Record<string, string> = { ...TOKENS, ...Object.fromEntries(files.map((f) => [f.shop.adminTokenVariable, TOKENS[f.shop.adminTokenVariable as keyof typeof TOKENS] ?? 'stack-admin-token-0123456789abcdef'])) };
  let dev: DevProcess | undefined;
  try {
    applyMigrations(state);
    upsertShopRows(state, files, tokens);
    dev = startDev({
      configs: [CONFIGS.frontDoor, CONFIGS.gateway, authorityConfig(state, { ...STACK_SECRETS, ...secrets })],
      port,
      persistTo: state,
      // --var reaches the first worker of the process: the front-door.
      vars: {
        SHOP_HOSTS: JSON.stringify(Object.fromEntries(files.map((file, i) => [hosts[i], file.shop.id]))),
        SHOP_ORIGINS: JSON.stringify(Object.fromEntries(files.map((file, i) => [file.shop.id, [`http://${hosts[i]}`]]))),
      },
    });
    await waitUntilReady(dev, `http://${hosts[0]}/api/health`);
    for (const file of files) {
      await pushCatalogAndStock(() => ({ baseUrl: urls[file.shop.id]!, headers: { 'cf-connecting-ip': '10.255.0.1' } }), file, adminTokenOf(file, tokens));
    }
  } catch (error) {
    await dev?.stop();
    rmSync(state, { recursive: true, force: true });
    throw error;
  }
  const running = dev;
  return {
    urls,
    stop: async () => {
      await running.stop();
      rmSync(state, { recursive: true, force: true });
    },
  };
}
