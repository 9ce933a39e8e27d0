// Every shop-scoped route runs under exactly one shop: the one the front-door resolved from the Host and
// sent as x-shop-id. Nothing else selects a shop. Shop routes see only active shops; the Stripe webhook also
// reaches a deactivated shop, whose customers may still pay sessions it opened before.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ShopId } from '../../../../shared/contracts';
import { SHOP_HEADER } from '../../../../shared/headers';
import { ProblemError } from '../../../../shared/problem';
import { database, type Database } from '../db/client';
import { findActiveShop, findShop, type Shop } from '../db/shops';
import type { AuthorityBindings } from '../env';
import { readSession } from './read-session';

export type ShopBindings = AuthorityBindings & {
  Variables: {
    shop: Shop;
    /** The storefront's D1 session (reads a replica may answer, from the shopper's last write on; see read-session). */
    session: D1DatabaseSession;
    sessionDb: Database;
  };
};

export const unknownShop = () => new ProblemError({ status: 404, code: 'unknown_shop', detail: 'unknown shop' });

/** The shop id the front-door sent, well formed; not yet looked up. */
export function shopIdOf(c: Context): string {
  const shopId = c.req.header(SHOP_HEADER);
  if (!shopId) {
    throw new ProblemError({ status: 400, code: 'missing_shop', detail: 'No shop context: the request carries no x-shop-id.' });
  }
  if (!ShopId.safeParse(shopId).success) throw unknownShop();
  return shopId;
}

const shopContext = (find: typeof findShop) =>
  createMiddleware<ShopBindings>(async (c, next) => {
    const session = readSession(c);
    const sessionDb = database(session);
    const shop = await find(sessionDb, shopIdOf(c));
    if (!shop) throw unknownShop();
    c.set('shop', shop);
    c.set('session', session);
    c.set('sessionDb', sessionDb);
    await next();
  });

export const requireShop = shopContext(findActiveShop);
/** For the Stripe webhook only: active or deactivated. */
export const requireKnownShop = shopContext(findShop);
