// The front-door's configuration: which host is which shop, and which origins each shop lets call its API.
// Both come from wrangler vars, as TOML tables or as JSON strings (`wrangler dev --var`, dashboard), and
// are validated once per isolate: a malformed map fails every request loudly rather than route wrongly.
import { z } from 'zod';
import { ShopId } from '../../../shared/contracts';

const fromJson = <T extends z.ZodType>(schema: T) =>
  z.union([schema, z.string().transform((text, ctx) => {
    try {
      return schema.parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not valid JSON for this setting' });
      return z.NEVER;
    }
  })]);

const ShopHosts = fromJson(z.record(z.string().min(1), ShopId));
const ShopOrigins = fromJson(z.record(ShopId, z.array(z.url())));

export interface FrontDoorConfig {
  hosts: Map<string, string>;
  origins: Map<string, Set<string>>;
}

let cached: { source: unknown; config: FrontDoorConfig } | undefined;

export function frontDoorConfig(env: { SHOP_HOSTS: unknown; SHOP_ORIGINS: unknown }): FrontDoorConfig {
  if (cached && cached.source === env.SHOP_HOSTS) return cached.config;
  const hosts = ShopHosts.parse(env.SHOP_HOSTS);
  const origins = ShopOrigins.parse(env.SHOP_ORIGINS ?? {});
  const config: FrontDoorConfig = {
    hosts: new Map(Object.entries(hosts).map(([host, shop]) => [host.toLowerCase(), shop])),
    origins: new Map(Object.entries(origins).map(([shop, list]) => [shop, new Set(list.map((o) => new URL(o).origin))])),
  };
  cached = { source: env.SHOP_HOSTS, config };
  return config;
}

export function shopForHost(config: FrontDoorConfig, host: string | null | undefined): string | undefined {
  return host ? config.hosts.get(host.trim().toLowerCase()) : undefined;
}
