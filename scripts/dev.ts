// npm run dev: the whole stack on http://localhost:8787 with the demo shop, offline.
// Right after `npm ci`: creates .dev.vars, applies migrations, loads the shop files when the local
// database has no shop yet, then runs front-door, gateway and authority in one wrangler process.
import { ensureDevVars, readDevVars } from './lib/dev-vars';
import { CONFIGS, LOCAL_STATE } from './lib/paths';
import { adminTokenOf, applyMigrations, countShops, frontDoorEndpoint, pushCatalogAndStock, readShopFiles, upsertShopRows } from './lib/shops';
import { startDev, waitUntilReady } from './lib/wrangler';

const PORT = 8787;

async function main() {
  ensureDevVars();
  applyMigrations(LOCAL_STATE);
  const files = readShopFiles();
  const firstRun = countShops(LOCAL_STATE) === 0;
  const tokens = readDevVars();
  if (firstRun) upsertShopRows(LOCAL_STATE, files, tokens);

  const stack = startDev({
    configs: [CONFIGS.frontDoor, CONFIGS.gateway, CONFIGS.authority],
    port: PORT,
    persistTo: LOCAL_STATE,
    inherit: true,
  });
  const stop = () => void stack.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  stack.child.once('exit', (code) => process.exit(code ?? 0));

  await waitUntilReady(stack, `http://127.0.0.1:${PORT}/api/health`, {}, 120_000);
  if (firstRun) {
    for (const file of files) await pushCatalogAndStock(frontDoorEndpoint(files, PORT), file, adminTokenOf(file, tokens));
  }
  console.log(`\nThe stack is up: http://localhost:${PORT}/api/products (Ctrl-C stops it)\n`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
