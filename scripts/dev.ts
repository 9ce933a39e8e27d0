// npm run dev: the whole stack on http://localhost:8787 with the demo shop, offline.
// Right after `npm ci`: creates .dev.vars, builds the storefront, applies migrations, loads the shop files when the local database
// has no shop yet, then runs the edge (front-door + gateway, port 8787) and the authority (port 8788) as two
// wrangler processes joined by wrangler's dev registry, and fires the authority's cron every minute, as
// Cloudflare would (`npm run cron` fires it once more on demand).
import { buildStorefronts } from './build-storefronts';
import { ensureDevVars, readDevVars } from './lib/dev-vars';
import { CONFIGS, LOCAL_STATE } from './lib/paths';
import { adminTokenOf, applyMigrations, countShops, frontDoorEndpoint, pushCatalogAndStock, readShopFiles, upsertShopRows } from './lib/shops';
import { AUTHORITY_DEV_PORT, fireCron } from './lib/cron';
import { freePort, startDev, waitUntilReady, type DevProcess } from './lib/wrangler';

const PORT = 8787;
const CRON_EVERY_MS = 60_000;

async function main() {
  ensureDevVars();
  await buildStorefronts();
  applyMigrations(LOCAL_STATE);
  const files = readShopFiles();
  const firstRun = countShops(LOCAL_STATE) === 0;
  const tokens = readDevVars();
  if (firstRun) upsertShopRows(LOCAL_STATE, files, tokens);

  const processes: DevProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(processes.map((p) => p.stop()));
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  const authority = startDev({
    configs: [CONFIGS.authority],
    port: AUTHORITY_DEV_PORT,
    persistTo: LOCAL_STATE,
    inherit: true,
    inspectorPort: await freePort(),
    extraArgs: ['--test-scheduled'],
  });
  processes.push(authority);
  authority.child.once('exit', (code) => void stopAll(code ?? 1));
  await waitUntilReady(authority, `http://127.0.0.1:${AUTHORITY_DEV_PORT}/api/health`, {}, 120_000);

  const edge = startDev({ configs: [CONFIGS.frontDoor, CONFIGS.gateway], port: PORT, persistTo: LOCAL_STATE, inherit: true, inspectorPort: await freePort() });
  processes.push(edge);
  edge.child.once('exit', (code) => void stopAll(code ?? 1));
  await waitUntilReady(edge, `http://127.0.0.1:${PORT}/api/health`, {}, 120_000);

  if (firstRun) {
    for (const file of files) await pushCatalogAndStock(frontDoorEndpoint(files, PORT), file, adminTokenOf(file, tokens));
  }
  setInterval(() => void fireCron().catch((error) => console.error(`cron: ${error instanceof Error ? error.message : error}`)), CRON_EVERY_MS).unref();
  console.log(`\nThe stack is up: http://localhost:${PORT}/api/products (Ctrl-C stops it)\n`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
