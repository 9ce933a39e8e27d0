// Builds the browser client (dist/sdk/commerce.js) and every example storefront (examples/<shop>/src) into
// plain static files under dist/storefronts/<shop>/, which the front-door serves on the shop's hosts.
// Each build goes to a folder of its own and is then swapped in: a running dev or test stack serving
// dist/storefronts, or another build at the same time (npm test beside npm run dev), never sees it half-written.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  const sdk = await build({ ...common, entryPoints: [path.join(ROOT, 'client/commerce.ts')], outfile: path.join(dir, 'sdk/commerce.js'), metafile: true });
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
  return Object.values(sdk.metafile.outputs).find((o) => o.entryPoint)!.bytes;
}

/**
 * Two renames: the live folder is gone for microseconds, never half-written. Another build may swap its own in
 * between them (the same files): then that one is moved aside in turn.
 */
function swapIn(built: string, live: string): void {
  for (let attempt = 0; ; attempt++) {
    const aside = `${built}.old${attempt}`;
    if (existsSync(live)) renameSync(live, aside);
    try {
      renameSync(built, live);
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 5 || (code !== 'ENOTEMPTY' && code !== 'EEXIST')) throw error;
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await buildStorefronts();
