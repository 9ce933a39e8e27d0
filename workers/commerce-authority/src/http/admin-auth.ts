// Admin routes: a bearer token per shop, compared by its SHA-256 in constant time against the hash stored
// with the shop. A token of another shop hashes to another value, so it is simply wrong here.
import { createMiddleware } from 'hono/factory';
import { ProblemError } from '../../../../shared/problem';
import type { ShopBindings } from './shop-context';

export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

const unauthorized = () =>
  new ProblemError({
    status: 401,
    code: 'unauthorized',
    detail: 'A valid admin bearer token for this shop is required.',
    headers: { 'www-authenticate': 'Bearer realm="admin"' },
  });

export const requireAdmin = createMiddleware<ShopBindings>(async (c, next) => {
  const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(c.req.header('authorization') ?? '');
  if (!match) throw unauthorized();
  const presented = hexBytes(await sha256Hex(match[1]!));
  const stored = hexBytes(c.var.shop.adminTokenHash);
  if (stored.length !== presented.length || !crypto.subtle.timingSafeEqual(presented, stored)) throw unauthorized();
  await next();
});
