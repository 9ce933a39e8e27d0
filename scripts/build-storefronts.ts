// Builds the browser client (dist/sdk/commerce.js), every example storefront (examples/<shop>/src) into plain static
// files under dist/storefronts/<shop>/, which the front-door serves on the shop's hosts, and the merchant console
// (admin-console/src) into dist/storefronts/_console/, which it serves at /admin/ on every shop host.
// Each build goes to a folder of its own and is then moved in file by file (each rename replaces one file whole),
// keeping the live folders themselves: workerd holds the assets folder open, so a running dev or test stack keeps
// serving, and another build at the same time (npm test beside npm run dev) never leaves a file half-written.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './lib/paths';

const examples = path.join(ROOT, 'examples');
const out = path.join(ROOT, 'dist');
const common = { bundle: true, format: 'esm' as const, minify: true, target: 'es2022', sourcemap: true, logLevel: 'warning' as const };

/**
 * Pages that start with `<!-- layout: title="..." page="..." -->` are wrapped in the storefront's _layout.html
 * (its {{title}}, {{page}} and {{content}}), so the header and footer are written once.
 */
function applyLayout(source: string, target: string): void {
  const layoutFile = path.join(source, '_layout.html');
  if (!existsSync(layoutFile)) return;
  const layout = readFileSync(layoutFile, 'utf8');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
  for (const file of walk(target).filter((f) => f.endsWith('.html'))) {
    const page = readFileSync(file, 'utf8');
    const header = /^<!-- layout: title="([^"]*)" page="([^"]*)" -->\n/.exec(page);
    if (!header) continue;
    const html = layout
      .replace('{{title}}', header[1]!)
      .replace('{{page}}', header[2]!)
      .replace('{{content}}', page.slice(header[0].length).trimEnd());
    writeFileSync(file, html);
  }
}

export async function buildStorefronts(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const staging = mkdtempSync(path.join(out, '.build-'));
  try {
    const sdkBytes = await buildInto(staging);
    for (const name of ['sdk', 'storefronts']) swapIn(path.join(staging, name), path.join(out, name));
    console.log(`built the browser client: dist/sdk/commerce.js (${(sdkBytes / 1024).toFixed(1)} KB minified)`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function buildInto(dir: string): Promise<number> {
  const sdkEntry = path.join(ROOT, 'client/commerce.ts');
  const sdk = await build({ ...common, entryPoints: [sdkEntry], outfile: path.join(dir, 'sdk/commerce.js'), metafile: true });
  for (const shop of readdirSync(examples).filter((name) => existsSync(path.join(examples, name, 'src/app.ts')))) {
    const source = path.join(examples, shop, 'src');
    const target = path.join(dir, 'storefronts', shop);
    mkdirSync(target, { recursive: true });
    cpSync(source, target, { recursive: true, filter: (file) => statSync(file).isDirectory() || !/(\.ts|\/_layout\.html)$/.test(file) });
    applyLayout(source, target);
    await build({ ...common, entryPoints: [path.join(source, 'app.ts')], outfile: path.join(target, 'assets/app.js') });
    for (const file of ['commerce.js', 'commerce.js.map']) cpSync(path.join(dir, 'sdk', file), path.join(target, file));
    console.log(`built storefront ${shop} -> dist/storefronts/${shop}`);
  }
  const consoleSource = path.join(ROOT, 'admin-console/src');
  const consoleTarget = path.join(dir, 'storefronts', '_console');
  mkdirSync(consoleTarget, { recursive: true });
  cpSync(path.join(consoleSource, 'index.html'), path.join(consoleTarget, 'index.html'));
  // One stylesheet (the CSP allows only the console's own files): uPlot's, then the console's, which may refine it.
  const chartStyles = readFileSync(path.join(ROOT, 'node_modules/uplot/dist/uPlot.min.css'), 'utf8');
  writeFileSync(path.join(consoleTarget, 'styles.css'), `${chartStyles}\n${readFileSync(path.join(consoleSource, 'styles.css'), 'utf8')}`);
  await build({ ...common, entryPoints: [path.join(consoleSource, 'main.ts')], outfile: path.join(consoleTarget, 'console.js') });
  console.log('built the merchant console -> dist/storefronts/_console (served at /admin/)');
  return Object.values(sdk.metafile.outputs).find((o) => o.entryPoint)!.bytes;
}

/** Moves every file of `built` to the same place under `live`, then removes what the new build no longer has. */
function swapIn(built: string, live: string): void {
  const files = (dir: string, base = dir): string[] =>
    existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
          const full = path.join(dir, entry.name);
          return entry.isDirectory() ? files(full, base) : [path.relative(base, full)];
        })
      : [];
  const fresh = new Set(files(built));
  for (const file of fresh) {
    mkdirSync(path.dirname(path.join(live, file)), { recursive: true });
    renameSync(path.join(built, file), path.join(live, file));
  }
  for (const file of files(live)) if (!fresh.has(file)) rmSync(path.join(live, file), { force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildStorefronts();
