// /api/cart: the server-side cart behind a signed cookie. Lines hold only sku + quantity; every answer is
// the whole cart hydrated with today's prices and live stock. Adding never takes more than is available,
// but holds nothing: holds happen at checkout. Every refusal happens before anything is written.
import type { Context } from 'hono';
import { ulid } from 'ulid';
import {
  CartAddRequest,
  CartRemoveRequest,
  CartReplaceRequest,
  CartSetRequest,
  CartView,
  type LineRequest,
} from '../../../../shared/contracts';
import { ProblemError } from '../../../../shared/problem';
import { publicChallengeConfig } from '../checkout/challenge';
import { resolveVariants, type CatalogVariant } from '../db/catalog';
import { cartContents, cartWithContents, createCart, findCart, removeLine, replaceLines, writeLine, type CartContents } from '../db/carts';
import { hydrateCart } from '../domain/cart';
import { explainRefusal, type CartRefusal } from '../domain/cart-limits';
import { clearCartCookie, readCartCookie, writeCartCookie } from '../http/cart-cookie';
import { apiRoute, jsonBody, ok, problems, routesApp } from '../http/api-route';
import { keepBookmark } from '../http/read-session';
import type { ShopBindings } from '../http/shop-context';
import { readStock, stockAvailable } from '../inventory/stock';

type CartContext = Context<ShopBindings>;

/** The shopper's cart id, if the cookie is valid and names a cart of this shop. */
async function currentCartId(c: CartContext): Promise<string | null> {
  const cartId = await readCartCookie(c);
  if (!cartId) return null;
  const cart = await findCart(c.var.sessionDb, c.var.shop.id, cartId);
  if (!cart) clearCartCookie(c);
  return cart ? cart.id : null;
}

/** The cookie's cart with its contents, read together (a cart that is gone clears the cookie). */
async function currentCartContents(c: CartContext): Promise<{ cartId: string | null; contents?: CartContents }> {
  const cartId = await readCartCookie(c);
  if (!cartId) return { cartId: null };
  const { exists, ...contents } = await cartWithContents(c.var.sessionDb, c.var.shop.id, cartId);
  if (!exists) clearCartCookie(c);
  return exists ? { cartId, contents } : { cartId: null };
}

async function ensureCart(c: CartContext, cartId: string | null): Promise<string> {
  if (cartId) {
    await writeCartCookie(c, cartId); // slides the cookie's expiry with the cart's
    return cartId;
  }
  const fresh = ulid();
  await createCart(c.var.sessionDb, c.var.shop.id, fresh, Date.now());
  await writeCartCookie(c, fresh);
  return fresh;
}

/** The cart repriced, with live stock; from `contents` when a write just read them in its batch. */
async function cartView(c: CartContext, cartId: string | null, contents?: CartContents): Promise<CartView> {
  const shop = c.var.shop;
  const { lines, variants } = contents ?? (cartId ? await cartContents(c.var.sessionDb, shop.id, cartId) : { lines: [], variants: [] });
  const stock = await readStock(c.env, shop, variants.map((v) => v.variantKey));
  const available = new Map<string, number>();
  for (const [key, snapshot] of stock) available.set(key, stockAvailable(snapshot)!);
  return hydrateCart({
    cartId,
    currency: shop.currency,
    lines,
    variants: new Map(variants.map((v) => [v.sku, v])),
    available,
    maxLineQuantity: shop.maxLineQuantity,
    challenge: publicChallengeConfig(c.env, shop),
  });
}

function refusalProblem(refusal: CartRefusal | null, sku: string): ProblemError {
  if (refusal === null) {
    return new ProblemError({ status: 409, code: 'cart_changed', detail: 'The cart changed at the same time; read it and try again.' });
  }
  if (refusal.kind === 'stock') {
    return new ProblemError({
      status: 409,
      code: 'insufficient_stock',
      detail: `Only ${refusal.available} of ${sku} available.`,
      extensions: { sku, available: refusal.available },
    });
  }
  const detail = {
    maxLineQuantity: `A cart holds at most ${refusal.value} of one item.`,
    maxPerCheckout: `${sku} is limited to ${refusal.value} per order.`,
    maxCartLines: `A cart holds at most ${refusal.value} different items.`,
  }[refusal.name];
  return new ProblemError({
    status: 400,
    code: 'cart_limit',
    detail,
    errors: [{ path: refusal.name === 'maxCartLines' ? 'sku' : 'quantity', message: `${refusal.name} is ${refusal.value}` }],
    extensions: { limit: { name: refusal.name, value: refusal.value } },
  });
}

/** The variant a line names, refused when unknown (400) or not for sale (409). */
async function sellableVariant(c: CartContext, line: Pick<LineRequest, 'sku' | 'variantAttributes'>): Promise<CatalogVariant> {
  const [variant] = await resolveVariants(c.var.sessionDb, c.var.shop.id, [line]);
  if (!variant) {
    throw new ProblemError({ status: 400, code: 'unknown_sku', detail: `No product ${line.sku} in this shop.`, errors: [{ path: 'sku', message: 'unknown sku' }] });
  }
  if (!variant.sellable) {
    throw new ProblemError({ status: 409, code: 'not_sellable', detail: `${variant.sku} is not for sale right now.`, extensions: { sku: variant.sku } });
  }
  return variant;
}

async function availableFor(c: CartContext, variant: CatalogVariant): Promise<number | null> {
  if (variant.backorder) return null;
  const stock = await readStock(c.env, c.var.shop, [variant.variantKey]);
  return stockAvailable(stock.get(variant.variantKey));
}

/** Both at once; a failure is thrown only once both have settled, so neither outlives the request. */
async function together<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'rejected') throw first.reason;
  if (second.status === 'rejected') throw second.reason;
  return [first.value, second.value];
}

/**
 * Adds to or sets one line, within the shop's caps and the stock available now. The variant with its stock and
 * the cookie's cart are read at once; then one batch writes the line (and a new cart) and reads the contents.
 */
async function changeLine(
  c: CartContext,
  line: Pick<LineRequest, 'sku' | 'variantAttributes'>,
  quantity: number,
  mode: 'add' | 'set',
): Promise<{ cartId: string; contents: CartContents }> {
  const shop = c.var.shop;
  const withStock = sellableVariant(c, line).then(async (variant) => ({ variant, available: await availableFor(c, variant) }));
  const [{ variant, available }, existing] = await together(withStock, currentCartId(c));
  const maxQuantity = Math.min(shop.maxLineQuantity, variant.maxPerCheckout ?? Infinity, available ?? Infinity);
  const caps = { maxQuantity, maxLines: shop.maxCartLines };
  const refusalFor = (current: number, lineCount: number) =>
    refusalProblem(
      explainRefusal({
        mode,
        requested: quantity,
        current,
        lineCount,
        maxLineQuantity: shop.maxLineQuantity,
        maxPerCheckout: variant.maxPerCheckout,
        maxCartLines: shop.maxCartLines,
        available,
      }),
      variant.sku,
    );

  if (!existing && quantity > caps.maxQuantity) throw refusalFor(0, 0); // nothing to create a cart for
  const cartId = existing ?? ulid();
  const change = { shopId: shop.id, cartId, sku: variant.sku, quantity, mode, newCart: !existing };
  const { quantity: written, ...contents } = await writeLine(c.var.sessionDb, change, caps, Date.now());
  await writeCartCookie(c, cartId); // a new cart's cookie, or the old one's expiry slid with the cart's
  if (written === null) throw refusalFor(contents.lines.find((l) => l.sku === variant.sku)?.quantity ?? 0, contents.lines.length);
  return { cartId, contents };
}

/** The stored sku a removal names: the resolved variant's, or the raw sku of a line whose variant is gone. */
async function storedSku(c: CartContext, line: Pick<LineRequest, 'sku' | 'variantAttributes'>): Promise<string> {
  const [variant] = await resolveVariants(c.var.sessionDb, c.var.shop.id, [line]);
  return variant?.sku ?? line.sku;
}

async function replaceCart(c: CartContext, items: LineRequest[]) {
  const shop = c.var.shop;
  const resolved = await resolveVariants(c.var.sessionDb, shop.id, items);
  const unknown = items.flatMap((item, i) => (resolved[i] ? [] : [{ path: `items[${i}].sku`, message: `unknown sku ${item.sku}` }]));
  if (unknown.length > 0) throw new ProblemError({ status: 400, code: 'unknown_sku', detail: 'Some items are not in this shop.', errors: unknown });
  const notSellable = items.flatMap((_, i) => (resolved[i]!.sellable ? [] : [{ path: `items[${i}].sku`, message: `${resolved[i]!.sku} is not for sale` }]));
  if (notSellable.length > 0) throw new ProblemError({ status: 409, code: 'not_sellable', detail: 'Some items are not for sale right now.', errors: notSellable });

  const merged = new Map<string, { variant: CatalogVariant; quantity: number; index: number }>();
  items.forEach((item, index) => {
    const variant = resolved[index]!;
    const seen = merged.get(variant.sku);
    merged.set(variant.sku, { variant, quantity: (seen?.quantity ?? 0) + item.quantity, index: seen?.index ?? index });
  });
  const lines = [...merged.values()];
  if (lines.length > shop.maxCartLines) throw refusalProblem({ kind: 'limit', name: 'maxCartLines', value: shop.maxCartLines }, lines[0]!.variant.sku);
  const tooMany = lines.find((l) => l.quantity > shop.maxLineQuantity);
  if (tooMany) throw refusalProblem({ kind: 'limit', name: 'maxLineQuantity', value: shop.maxLineQuantity }, tooMany.variant.sku);
  const overLimit = lines.find((l) => l.variant.maxPerCheckout !== null && l.quantity > l.variant.maxPerCheckout);
  if (overLimit) {
    const value = overLimit.variant.maxPerCheckout!;
    throw refusalProblem({ kind: 'limit', name: 'maxPerCheckout', value }, overLimit.variant.sku);
  }

  const stock = await readStock(c.env, shop, lines.filter((l) => !l.variant.backorder).map((l) => l.variant.variantKey));
  const short = lines.flatMap(({ variant, quantity, index }) => {
    const available = variant.backorder ? null : stockAvailable(stock.get(variant.variantKey));
    return available !== null && quantity > available ? [{ path: `items[${index}].quantity`, message: `only ${available} available`, sku: variant.sku, available }] : [];
  });
  if (short.length > 0) {
    throw new ProblemError({
      status: 409,
      code: 'insufficient_stock',
      detail: 'Some items are not available in the quantity asked.',
      errors: short.map(({ path, message }) => ({ path, message })),
      extensions: { lines: short.map(({ sku, available }) => ({ sku, available })) },
    });
  }

  const cartId = await ensureCart(c, await currentCartId(c));
  await replaceLines(c.var.sessionDb, shop.id, cartId, lines.map((l) => ({ sku: l.variant.sku, quantity: l.quantity })), Date.now());
  return cartId;
}

const onCart = { path: '/', tags: ['Storefront'] };

const readCart = apiRoute({
  method: 'get',
  ...onCart,
  summary: 'The cart of the cookie, repriced and with live stock',
  responses: { 200: ok(CartView), ...problems(429) },
});
const addLine = apiRoute({
  method: 'post',
  ...onCart,
  summary: 'Add to a line (creates the cart and its cookie)',
  request: { body: jsonBody(CartAddRequest) },
  responses: { 200: ok(CartView), ...problems(400, 409, 415, 429) },
});
const setLine = apiRoute({
  method: 'patch',
  ...onCart,
  summary: 'Set a line quantity (0 removes it)',
  request: { body: jsonBody(CartSetRequest) },
  responses: { 200: ok(CartView), ...problems(400, 409, 415, 429) },
});
const replaceAll = apiRoute({
  method: 'put',
  ...onCart,
  summary: 'Replace the whole cart',
  request: { body: jsonBody(CartReplaceRequest) },
  responses: { 200: ok(CartView), ...problems(400, 409, 415, 429) },
});
const removeOrEmpty = apiRoute({
  method: 'delete',
  ...onCart,
  summary: 'Remove a line ({ sku }) or, without a body, empty the cart',
  request: { body: jsonBody(CartRemoveRequest, { required: false }) },
  responses: { 200: ok(CartView), ...problems(400, 415, 429) },
});

const app = routesApp<ShopBindings>();
app.use(async (c, next) => {
  await next();
  c.header('cache-control', 'no-store');
  // The cart's reads and writes go through the shopper's D1 session: its next reads start after these writes.
  if (c.req.method !== 'GET' && c.res.ok) keepBookmark(c, c.var.session);
});

export const cartRoutes = app
  .openapi(readCart, async (c) => {
    const { cartId, contents } = await currentCartContents(c);
    return c.json(await cartView(c, cartId, contents), 200);
  })
  .openapi(addLine, async (c) => {
    const { quantity, ...line } = c.req.valid('json');
    const { cartId, contents } = await changeLine(c, line, quantity, 'add');
    return c.json(await cartView(c, cartId, contents), 200);
  })
  .openapi(setLine, async (c) => {
    const { quantity, ...line } = c.req.valid('json');
    if (quantity > 0) {
      const { cartId, contents } = await changeLine(c, line, quantity, 'set');
      return c.json(await cartView(c, cartId, contents), 200);
    }
    const cartId = await currentCartId(c);
    if (cartId) await removeLine(c.var.sessionDb, c.var.shop.id, cartId, await storedSku(c, line), Date.now());
    return c.json(await cartView(c, cartId), 200);
  })
  .openapi(removeOrEmpty, async (c) => {
    // Without a body (the gate lets an empty one through as none), the whole cart is emptied.
    const removal = (await c.req.text()).length > 0 ? c.req.valid('json') : null;
    const cartId = await currentCartId(c);
    if (cartId) {
      const db = c.var.sessionDb;
      if (removal) await removeLine(db, c.var.shop.id, cartId, await storedSku(c, removal), Date.now());
      else await replaceLines(db, c.var.shop.id, cartId, [], Date.now());
    }
    return c.json(await cartView(c, cartId), 200);
  })
  .openapi(replaceAll, async (c) => {
    const { items } = c.req.valid('json');
    const cartId = items.length === 0 && !(await currentCartId(c)) ? null : await replaceCart(c, items);
    return c.json(await cartView(c, cartId), 200);
  });
