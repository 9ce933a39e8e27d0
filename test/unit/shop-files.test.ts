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

  it('the demo shop protects what it should: a limited run, a hold cap, Turnstile from £100', () => {
    const demo = files.find((f) => f.file.shop.id === 'cochlearfit')!.file;
    expect(demo.shop.maxHeldUnitsPerClient).toBe(20);
    expect(demo.shop.challenge).toMatchObject({ provider: 'turnstile', secretKeyBinding: 'TURNSTILE_SECRET_KEY_COCHLEARFIT', minTotal: 10000 });
    const limited = demo.catalog.products.flatMap((p) => p.variants).filter((v) => v.maxPerCheckout !== undefined);
    expect(limited.map((v) => [v.sku, v.maxPerCheckout])).toEqual([
      ['CF-KIDS-RBW-XS', 2],
      ['CF-KIDS-RBW-S', 2],
    ]);
  });

  it('refuses bad limits and challenge settings, naming the field', () => {
    const demo = JSON.parse(readFileSync(path.join(dir, 'cochlearfit.json'), 'utf8'));
    const withShop = (patch: object) => ({ ...demo, shop: { ...demo.shop, ...patch } });
    const challenge = demo.shop.challenge;
    const bad: [object, string][] = [
      [{ maxHeldUnitsPerClient: 0 }, 'shop.maxHeldUnitsPerClient'],
      [{ maxHeldUnitsPerClient: '20' }, 'shop.maxHeldUnitsPerClient'],
      [{ maxHeldUnitsPerClient: 1.5 }, 'shop.maxHeldUnitsPerClient'],
      [{ challenge: { ...challenge, provider: 'recaptcha' } }, 'shop.challenge.provider'],
      [{ challenge: { ...challenge, siteKey: '' } }, 'shop.challenge.siteKey'],
      [{ challenge: { ...challenge, secretKeyBinding: 'lower_case' } }, 'shop.challenge.secretKeyBinding'],
      [{ challenge: { ...challenge, minTotal: -1 } }, 'shop.challenge.minTotal'],
      [{ challenge: { ...challenge, secret: '1x000' } }, 'shop.challenge'],
    ];
    for (const [patch, field] of bad) {
      const parsed = ShopFile.safeParse(withShop(patch));
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues.map((i) => i.path.join('.'))).toContain(field);
    }
  });
});
