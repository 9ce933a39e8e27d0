// Builds the storefronts, then bundles every worker exactly as `wrangler deploy` would (--dry-run), into dist/<worker>/. A broken
// config, binding or import fails here, before any test runs. The whole-stack benchmarks reuse the bundles.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { buildStorefronts } from './build-storefronts';
import { CONFIGS, ROOT } from './lib/paths';
import { wrangler } from './lib/wrangler';

// The front-door serves the storefronts as static assets: they must exist before it is bundled.
await buildStorefronts();

const workers = { 'front-door': CONFIGS.frontDoor, 'checkout-gateway': CONFIGS.gateway, 'commerce-authority': CONFIGS.authority };

for (const [name, config] of Object.entries(workers)) {
  const outdir = path.join(ROOT, 'dist', name);
  rmSync(outdir, { recursive: true, force: true });
  const started = Date.now();
  wrangler(['deploy', '--dry-run', '--outdir', outdir, '-c', config], { quiet: true });
  console.log(`bundled ${name} in ${Date.now() - started} ms`);
}
