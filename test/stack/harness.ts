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
  /** Base URL per shop, e.g. http://127.0.0.1:54321 for cochlearfit. */
  urls: Record<'cochlearfit' | 'othershop', string>;
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

export async function startStack(secrets: Record<string, string> = {}): Promise<Stack> {
  const state = mkdtempSync(path.join(os.tmpdir(), 'commerce-stack-'));
  const port = await freePort();
  const urls = { cochlearfit: `http://127.0.0.1:${port}`, othershop: `http://localhost:${port}` };
  const other = ShopFile.parse(JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures/othershop.json'), 'utf8')));
  const files = [...readShopFiles(), other];

  let dev: DevProcess | undefined;
  try {
    applyMigrations(state);
    upsertShopRows(state, files, TOKENS);
    dev = startDev({
      configs: [CONFIGS.frontDoor, CONFIGS.gateway, authorityConfig(state, { ...STACK_SECRETS, ...secrets })],
      port,
      persistTo: state,
      // --var reaches the first worker of the process: the front-door.
      vars: {
        SHOP_HOSTS: JSON.stringify({ [`127.0.0.1:${port}`]: 'cochlearfit', [`localhost:${port}`]: 'othershop' }),
        SHOP_ORIGINS: JSON.stringify({ cochlearfit: [urls.cochlearfit], othershop: [urls.othershop] }),
      },
    });
    await waitUntilReady(dev, `${urls.cochlearfit}/api/health`);
    for (const file of files) {
      const shopId = file.shop.id as keyof typeof urls;
      await pushCatalogAndStock(() => ({ baseUrl: urls[shopId], headers: { 'cf-connecting-ip': '10.255.0.1' } }), file, adminTokenOf(file, TOKENS));
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
