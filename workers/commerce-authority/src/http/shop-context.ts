// Every shop-scoped route runs under exactly one shop: the one the front-door resolved from the Host and
// sent as x-shop-id. Nothing else selects a shop. Shop routes see only active shops; the Stripe webhook also
// reaches a deactivated shop, whose customers may still pay sessions it opened before.
import { createMiddleware } from 'hono/factory';
import { ShopId } from '../../../../shared/contracts';
import { SHOP_HEADER } from '../../../../shared/headers';
import { ProblemError } from '../../../../shared/problem';
import { database } from '../db/client';
import { findActiveShop, findShop, type Shop } from '../db/shops';
import type { AuthorityBindings } from '../env';

export type ShopBindings = AuthorityBindings & { Variables: { shop: Shop } };

const shopContext = (find: typeof findShop) =>
  createMiddleware<ShopBindings>(async (c, next) => {
    const shopId = c.req.header(SHOP_HEADER);
    if (!shopId) {
      throw new ProblemError({ status: 400, code: 'missing_shop', detail: 'No shop context: the request carries no x-shop-id.' });
    }
    const shop = ShopId.safeParse(shopId).success ? await find(database(c.env.DB), shopId) : undefined;
    if (!shop) throw new ProblemError({ status: 404, code: 'unknown_shop', detail: 'unknown shop' });
    c.set('shop', shop);
    await next();
  });

export const requireShop = shopContext(findActiveShop);
/** For the Stripe webhook only: active or deactivated. */
export const requireKnownShop = shopContext(findShop);
