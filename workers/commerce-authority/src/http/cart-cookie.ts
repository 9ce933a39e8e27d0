// The cart cookie carries only the cart id, HMAC-signed (hono's signed cookies), host-only (`__Host-`),
// HttpOnly, Secure, SameSite=Lax. A cookie that fails its signature is treated as no cookie at all.
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { ProblemError } from '../../../../shared/problem';
import { CART_IDLE_DAYS } from '../db/carts';
import type { AuthorityBindings } from '../env';
import type { ShopBindings } from './shop-context';

const NAME = 'cart';
const MIN_SECRET_LENGTH = 32;

function secretOf<E extends AuthorityBindings>(c: Context<E>): string {
  const secret = c.env.CART_COOKIE_SECRET;
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    throw new ProblemError({ status: 503, code: 'cart_unavailable', detail: 'The cart is not configured on this deployment.' });
  }
  return secret;
}

/** The cart id from a valid cookie; null when there is none or it was tampered with. */
export async function readCartCookie<E extends AuthorityBindings>(c: Context<E>): Promise<string | null> {
  const value = await getSignedCookie(c, secretOf(c), NAME, 'host');
  return typeof value === 'string' && value.length > 0 ? value : null;
}

export async function writeCartCookie(c: Context<ShopBindings>, cartId: string): Promise<void> {
  await setSignedCookie(c, NAME, cartId, secretOf(c), {
    prefix: 'host',
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'Lax',
    maxAge: CART_IDLE_DAYS * 24 * 60 * 60,
  });
}

export function clearCartCookie(c: Context<ShopBindings>): void {
  deleteCookie(c, NAME, { prefix: 'host', path: '/', secure: true });
}
