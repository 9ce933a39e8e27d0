// Who "one client" is, for rate limits and the cap on held stock: an IPv4 address, or an IPv6 /64. A home or
// phone connection gets a whole /64 and can pick any address in it, so counting IPv6 per address would give
// one person 2^64 allowances. Pure.

/**
 * The client key of an address: IPv4 as it is (also when written IPv4-mapped, ::ffff:a.b.c.d), IPv6 as its
 * /64 prefix in full lower-case form ("2001:db8:0:1::/64"); null when the text is not an IP address.
 */
export function clientKeyOf(address: string | null | undefined): string | null {
  if (!address) return null;
  const text = address.trim().toLowerCase();
  if (isIpv4(text)) return text;
  const hextets = ipv6Hextets(text);
  if (!hextets) return null;
  const mapped = hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff;
  if (mapped) return [hextets[6]! >> 8, hextets[6]! & 0xff, hextets[7]! >> 8, hextets[7]! & 0xff].join('.');
  return `${hextets.slice(0, 4).map((h) => h.toString(16)).join(':')}::/64`;
}

function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** The eight 16-bit groups of an IPv6 address (with "::" and a trailing dotted IPv4 part), or null. */
function ipv6Hextets(text: string): number[] | null {
  if (!text.includes(':') || text.includes('%')) return null;
  let body = text;
  const tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  const last = body.slice(lastColon + 1);
  if (last.includes('.')) {
    if (!isIpv4(last)) return null;
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    body = body.slice(0, lastColon + 1) + '0'; // placeholder group, dropped below
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  const parsed = (list: string[]) => list.map((g) => parseInt(g, 16));
  let front = parsed(head);
  let back = parsed(rest);
  if (tail.length > 0) {
    if (back.length > 0) back = [...back.slice(0, -1), ...tail];
    else front = [...front.slice(0, -1), ...tail];
  }
  const missing = 8 - front.length - back.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [...front, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...back];
}
