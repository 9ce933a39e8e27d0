// Only the front-door is publicly routable: the gateway and the authority have no routes and no
// workers.dev or preview URL, so a request that reaches them came through the chain.
import path from 'node:path';
import { unstable_readConfig } from 'wrangler';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => unstable_readConfig({ config: path.join(root, file) });

describe('worker configs', () => {
  it.each(['wrangler.toml', 'workers/checkout-gateway/wrangler.toml'])('%s has no public way in', (file) => {
    const config = read(file);
    expect(config.workers_dev).toBe(false);
    expect(config.preview_urls).toBe(false);
    expect(config.routes ?? []).toEqual([]);
    expect(config.route).toBeUndefined();
  });

  it('the chain is wired front-door -> gateway -> authority by service bindings', () => {
    expect(read('workers/front-door/wrangler.toml').services).toEqual([{ binding: 'GATEWAY', service: 'checkout-gateway' }]);
    expect(read('workers/checkout-gateway/wrangler.toml').services).toEqual([{ binding: 'AUTHORITY', service: 'commerce-authority' }]);
  });

  it('the authority owns D1, the InventoryDO and the reaper cron', () => {
    const authority = read('wrangler.toml');
    expect(authority.d1_databases[0]).toMatchObject({ binding: 'DB', migrations_dir: 'd1-migrations' });
    expect(authority.durable_objects.bindings).toEqual([{ name: 'INVENTORY', class_name: 'InventoryDO' }]);
    expect(authority.triggers.crons).toEqual(['* * * * *']);
  });

  it('a deploy is production unless local settings say otherwise', () => {
    expect(read('wrangler.toml').vars.ENVIRONMENT).toBe('production');
  });
});
