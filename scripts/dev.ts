// npm run dev: the whole stack on http://localhost:8787 with the demo shop, offline.
// Right after `npm ci`: creates .dev.vars, builds the storefront, applies migrations, loads the shop files when the
// local database has no shop yet, then runs the edge (front-door + gateway, port 8787) and the authority (port
// 8788) as two wrangler processes joined by a dev registry of their own (in the state folder, so another clone's
// dev or a test's cannot take their workers over), and fires the authority's cron every minute, as Cloudflare
// would (`npm run cron` fires it once more on demand).
// Options, for a second stack beside this one: --port <edge> --authority-port <port> --state <folder>. On another
// port, the shops' :8787 hostnames and origins move to that port.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildStorefronts } from './build-storefronts';
import { ensureDevVars, readDevVars } from './lib/dev-vars';
import { CONFIGS, LOCAL_STATE } from './lib/paths';
import { adminTokenOf, applyMigrations, countShops, frontDoorEndpoint, pushCatalogAndStock, readShopFiles, upsertShopRows } from './lib/shops';
import { AUTHORITY_DEV_PORT, fireCron } from './lib/cron';
import { freePort, startDev, waitUntilReady, type DevProcess } from './lib/wrangler';
import type { ShopFile } from '../shared/shop-file';

const DEFAULT_PORT = 8787;
const CRON_EVERY_MS = 60_000;

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: String(DEFAULT_PORT) },
    'authority-port': { type: 'string', default: String(AUTHORITY_DEV_PORT) },
    state: { type: 'string', default: LOCAL_STATE },
  },
});
const PORT = Number(options.port);
const AUTHORITY_PORT = Number(options['authority-port']);
const STATE = path.resolve(options.state);

/** The shop files with their local hostnames and origins on this stack's port. */
function onPort(files: ShopFile[], port: number): ShopFile[] {
  const move = (text: string) => text.replace(new RegExp(`:${DEFAULT_PORT}$`), `:${port}`);
  return files.map((file) => ({
    ...file,
    shop: { ...file.shop, hostnames: file.shop.hostnames.map(move), allowedOrigins: file.shop.allowedOrigins.map(move) },
  }));
}

/** The front-door's host and origin maps for a stack off the default port (its config lists :8787). */
function frontDoorVars(files: ShopFile[]): Record<string, string> {
  return {
    SHOP_HOSTS: JSON.stringify(
      Object.fromEntries(files.flatMap((f) => f.shop.hostnames.map((host) => [host, f.shop.id]))),
    ),
    SHOP_ORIGINS: JSON.stringify(Object.fromEntries(files.map((f) => [f.shop.id, f.shop.allowedOrigins]))),
  };
}

async function main() {
  ensureDevVars();
  await buildStorefronts();
  applyMigrations(STATE);
  const files = onPort(readShopFiles(), PORT);
  const firstRun = countShops(STATE) === 0;
  const tokens = readDevVars();
  if (firstRun) upsertShopRows(STATE, files, tokens);

  const processes: DevProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(processes.map((p) => p.stop()));
    process.exit(code);
  };
  // `on`, not `once`: Ctrl-C reaches npm, tsx and this process alike, and npm and tsx pass it on again; a
  // second signal with no handler left would end this process before it has stopped its wrangler processes.
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const authority = startDev({
    configs: [CONFIGS.authority],
    port: AUTHORITY_PORT,
    persistTo: STATE,
    inherit: true,
    inspectorPort: await freePort(),
    extraArgs: ['--test-scheduled'],
  });
  processes.push(authority);
  authority.child.once('exit', (code) => void stopAll(code ?? 1));
  await waitUntilReady(authority, `http://127.0.0.1:${AUTHORITY_PORT}/api/health`, {}, 120_000);

  const edge = startDev({
    configs: [CONFIGS.frontDoor, CONFIGS.gateway],
    port: PORT,
    persistTo: STATE,
    inherit: true,
    inspectorPort: await freePort(),
    ...(PORT === DEFAULT_PORT ? {} : { vars: frontDoorVars(files) }),
  });
  processes.push(edge);
  edge.child.once('exit', (code) => void stopAll(code ?? 1));
  await waitUntilReady(edge, `http://127.0.0.1:${PORT}/api/health`, {}, 120_000);

  if (firstRun) {
    for (const file of files) await pushCatalogAndStock(frontDoorEndpoint(files, PORT), file, adminTokenOf(file, tokens));
  }
  const cron = () =>
    fireCron(AUTHORITY_PORT).catch((error) => console.error(`cron: ${error instanceof Error ? error.message : error}`));
  setInterval(() => void cron(), CRON_EVERY_MS).unref();
  console.log(`\nThe stack is up: http://localhost:${PORT}/api/products (Ctrl-C stops it)\n`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
