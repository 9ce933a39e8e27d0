// npm run seed: loads every shop file in catalog/ into the local stack. Idempotent: running it twice leaves
// the same shops, catalog and stock as running it once. If `npm run dev` is up it goes through the
// front-door; otherwise it starts the authority on its own for the duration.
import { ensureDevVars, readDevVars } from './lib/dev-vars';
import { CONFIGS, LOCAL_STATE } from './lib/paths';
import {
  adminTokenOf,
  applyMigrations,
  frontDoorEndpoint,
  pushCatalogAndStock,
  readShopFiles,
  upsertShopRows,
  type ShopEndpoint,
} from './lib/shops';
import { freePort, startDev, waitUntilReady } from './lib/wrangler';

const DEV_URL = 'http://127.0.0.1:8787';

async function devStackIsUp(): Promise<boolean> {
  try {
    const res = await fetch(`${DEV_URL}/api/health`, { signal: AbortSignal.timeout(1_000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function main() {
  ensureDevVars();
  const tokens = readDevVars();
  const files = readShopFiles();
  applyMigrations(LOCAL_STATE);
  upsertShopRows(LOCAL_STATE, files, tokens);

  if (await devStackIsUp()) {
    const viaFrontDoor = frontDoorEndpoint(files);
    for (const file of files) await pushCatalogAndStock(viaFrontDoor, file, adminTokenOf(file, tokens));
    return;
  }

  const port = await freePort();
  const authority = startDev({ configs: [CONFIGS.authority], port, persistTo: LOCAL_STATE });
  try {
    await waitUntilReady(authority, `${authority.url}/api/health`);
    const direct: ShopEndpoint = (shopId) => ({ baseUrl: authority.url, headers: { 'x-shop-id': shopId } });
    for (const file of files) await pushCatalogAndStock(direct, file, adminTokenOf(file, tokens));
  } finally {
    await authority.stop();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
