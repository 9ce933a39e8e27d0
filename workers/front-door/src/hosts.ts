// Host -> shop resolution from the SHOP_HOSTS configuration. Host names are case-insensitive; the port
// is part of the key, because local stacks share a hostname and differ by port.
export type ShopHosts = Record<string, string>;

export function shopForHost(hosts: ShopHosts, host: string | null | undefined): string | undefined {
  if (!host) return undefined;
  const key = host.trim().toLowerCase();
  return Object.hasOwn(hosts, key) ? hosts[key] : undefined;
}
