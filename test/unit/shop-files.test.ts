// The shop files in catalog/ are data that `npm run dev` and `npm run seed` load: they must be valid,
// consistent with the front-door's host map, and the demo shop must look like the shop the brief describes.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { unstable_readConfig } from 'wrangler';
import { describe, expect, it } from 'vitest';
import { ShopFile } from '../../shared/shop-file';

const dir = path.resolve(import.meta.dirname, '../../catalog');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ name: f, file: ShopFile.parse(JSON.parse(readFileSync(path.join(dir, f), 'utf8'))) }));
const frontDoor = unstable_readConfig({ config: path.resolve(import.meta.dirname, '../../workers/front-door/wrangler.toml') });
const shopHosts = frontDoor.vars.SHOP_HOSTS as Record<string, string>;
const shopOrigins = frontDoor.vars.SHOP_ORIGINS as Record<string, string[]>;

describe('shop files', () => {
  it.each(files)('$name: every stock entry names a variant, every variant has stock', ({ file }) => {
    const skus = file.catalog.products.flatMap((p) => p.variants.map((v) => v.sku));
    expect(Object.keys(file.stock).sort()).toEqual([...skus].sort());
  });

  it.each(files)('$name: its hostnames are mapped to it by the front-door', ({ file }) => {
    for (const host of file.shop.hostnames) expect(shopHosts[host]).toBe(file.shop.id);
  });

  it.each(files)('$name: the front-door allows exactly its origins', ({ file }) => {
    expect(shopOrigins[file.shop.id]).toEqual(file.shop.allowedOrigins);
  });

  it('the demo shop sells headbands in sizes and colours, priced in pence, with small and uneven stock', () => {
    const demo = files.find((f) => f.file.shop.id === 'cochlearfit')!.file;
    expect(demo.shop.currency).toBe('gbp');
    const variants = demo.catalog.products.flatMap((p) => p.variants);
    expect(variants.every((v) => Number.isInteger(v.unitAmount) && v.unitAmount > 0)).toBe(true);
    expect(new Set(variants.map((v) => v.attributes.size)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(variants.map((v) => v.attributes.colour)).size).toBeGreaterThanOrEqual(3);
    const stock = Object.values(demo.stock);
    expect(Math.min(...stock)).toBe(0);
    expect(Math.max(...stock)).toBeLessThanOrEqual(25);
    expect(stock.filter((n) => n > 0 && n <= 3).length).toBeGreaterThanOrEqual(3);
  });
});
