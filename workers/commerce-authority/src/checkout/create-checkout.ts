// Creating a checkout: reprice from the catalog, apply the coupon, pass the shop's challenge if it asks for one,
// claim the checkout (within the client's cap on held units, reserving a coupon use), hold the stock, open the
// provider's session. A live checkout is reused only by its own buyer (the same Idempotency-Key, or the same
// cart as it is); any failure after the holds gives them back before answering.
import { clientKeyOf } from '../../../../shared/client-address';
import type { CheckoutRequest, CheckoutResponse, LineRequest } from '../../../../shared/contracts';
import { ProblemError } from '../../../../shared/problem';
import { resolveVariants, type CatalogVariant } from '../db/catalog';
import { cartLinesOf } from '../db/carts';
import {
  claimCheckout,
  clientHoldsFreeAt,
  findLatestCheckout,
  findLiveCheckout,
  markCheckoutEnded,
  markCheckoutOpen,
  openCheckoutsOfCart,
  type ClaimRefusal,
} from '../db/checkouts';
import type { Database } from '../db/client';
import { findCoupon } from '../db/coupons';
import { count } from '../db/metrics';
import type { CheckoutRow, PricedLine } from '../db/schema';
import type { Shop } from '../db/shops';
import { checkoutKey, requestFingerprint } from '../domain/idempotency';
import { evaluateCoupon, priceLines } from '../domain/pricing';
import type { AuthorityEnv } from '../env';
import { reserveAll } from '../inventory/reservations';
import { readStock, stockAvailable } from '../inventory/stock';
import { log } from '../log';
import { ProviderError, type PaymentProvider } from '../payments/provider';
import { challengeRequired, verifyChallenge } from './challenge';
import { endCheckout } from './end-checkout';
import { checkoutView } from './view';

export interface CheckoutContext {
  env: AuthorityEnv;
  db: Database;
  shop: Shop;
  provider: PaymentProvider;
  /** The storefront origin the shopper is on (one of the shop's hosts): return URLs point back there. */
  origin: string;
  /** The cookie's cart, if valid. */
  cartId: string | null;
  /** The client's Idempotency-Key header, if sent. */
  idempotencyKey: string | null;
  /** The client's address as the front-door saw it; null if unknown (internal calls: tests, benchmarks). */
  clientIp: string | null;
  requestId: string;
  /** Work that may finish after the answer (metrics). */
  defer: (work: Promise<unknown>) => void;
}

/** Seconds of slack on top of the hold TTL, so Stripe's 30-minute minimum holds however long we take. */
const EXPIRY_SLACK_MS = 60_000;
/** How long a request waits for an identical request that is creating the same checkout. */
const WAIT_FOR_TWIN_MS = 20_000;
/** A pending checkout older than this was abandoned by a crashed request. */
const STALE_PENDING_MS = 60_000;

interface PricedIntent {
  lines: PricedLine[];
  subtotal: number;
  discount: number;
  couponCode: string | null;
  cartId: string | null;
  /** Some line is a variant the shop flags for a challenge. */
  flagged: boolean;
}

interface RequestedLines {
  lines: LineRequest[];
  cartId: string | null;
  from: 'items' | 'cart';
}

async function requestedLines(ctx: CheckoutContext, request: CheckoutRequest): Promise<RequestedLines> {
  if (request.items) {
    const lines = request.items.map(({ sku, quantity, variantAttributes }) => ({ sku, quantity, variantAttributes }));
    return { lines, cartId: null, from: 'items' };
  }
  const stored = ctx.cartId ? await cartLinesOf(ctx.db, ctx.shop.id, ctx.cartId) : [];
  return { lines: stored.map(({ sku, quantity }) => ({ sku, quantity })), cartId: ctx.cartId, from: 'cart' };
}

/** Reprices every line from the catalog and applies the coupon. Refuses before anything is written. */
async function priceIntent(ctx: CheckoutContext, request: CheckoutRequest): Promise<PricedIntent> {
  const { shop } = ctx;
  const { lines, cartId, from } = await requestedLines(ctx, request);
  if (lines.length === 0) {
    throw new ProblemError({ status: 400, code: 'empty_cart', detail: 'There is nothing to check out: the cart is empty.' });
  }
  const pathOf = (i: number) => (from === 'items' ? `items[${i}].sku` : `cart.lines[${i}].sku`);

  const variants = await resolveVariants(ctx.db, shop.id, lines);
  const unknown = lines.flatMap((line, i) => (variants[i] ? [] : [{ path: pathOf(i), message: `unknown sku ${line.sku}` }]));
  if (unknown.length > 0) {
    throw new ProblemError({ status: 400, code: 'unknown_sku', detail: 'Some items are not in this shop.', errors: unknown });
  }
  const notSellable = lines.flatMap((_, i) =>
    variants[i]!.sellable ? [] : [{ path: pathOf(i), message: `${variants[i]!.sku} is not for sale` }],
  );
  if (notSellable.length > 0) {
    const detail = 'Some items are not for sale right now.';
    throw new ProblemError({ status: 409, code: 'not_sellable', detail, errors: notSellable });
  }

  const priced = priceLines(lines.map((line, i) => ({ variant: variants[i]!, quantity: line.quantity })));
  refuseOverLimits(shop, priced, new Map(variants.map((v) => [v!.sku, v!])));

  const subtotal = priced.reduce((sum, l) => sum + l.lineAmount, 0);
  let discount = 0;
  if (request.coupon) {
    const verdict = evaluateCoupon(await findCoupon(ctx.db, shop.id, request.coupon), subtotal, Date.now());
    if (!verdict.ok) throw couponProblem(verdict.reason, verdict.detail);
    discount = verdict.discount;
  }
  const flagged = variants.some((v) => v!.requiresChallenge);
  return { lines: priced, subtotal, discount, couponCode: request.coupon ?? null, cartId, flagged };
}

/** The shop's caps on one checkout: different items, units of one item, and a variant's purchase limit. */
function refuseOverLimits(shop: Shop, lines: readonly PricedLine[], variants: ReadonlyMap<string, CatalogVariant>) {
  const limited = (name: string, value: number, detail: string) =>
    new ProblemError({ status: 400, code: 'cart_limit', detail, extensions: { limit: { name, value } } });
  if (lines.length > shop.maxCartLines) {
    throw limited('maxCartLines', shop.maxCartLines, `A cart holds at most ${shop.maxCartLines} different items.`);
  }
  const tooMany = lines.find((l) => l.quantity > shop.maxLineQuantity);
  if (tooMany) {
    const detail = `A cart holds at most ${shop.maxLineQuantity} of one item (${tooMany.sku}).`;
    throw limited('maxLineQuantity', shop.maxLineQuantity, detail);
  }
  for (const line of lines) {
    const max = variants.get(line.sku)?.maxPerCheckout ?? null;
    if (max !== null && line.quantity > max) {
      throw limited('maxPerCheckout', max, `${line.sku} is limited to ${max} per order.`);
    }
  }
}

async function sleep(ms: number) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function couponProblem(reason: string, detail: string): ProblemError {
  // Used up is a state that can change (a reserved use may come back); the other reasons are the request's.
  const status = reason === 'coupon_exhausted' ? 409 : 400;
  return new ProblemError({ status, code: reason, detail, errors: [{ path: 'coupon', message: detail }] });
}

export async function createCheckout(ctx: CheckoutContext, request: CheckoutRequest): Promise<CheckoutResponse> {
  const { shop, db } = ctx;
  const intent = await priceIntent(ctx, request);
  const uiMode = request.uiMode ?? shop.checkoutUiMode;
  const email = request.email?.trim().toLowerCase() ?? null;
  const fingerprint = await requestFingerprint({
    shopId: shop.id,
    lines: intent.lines,
    coupon: intent.couponCode,
    currency: shop.currency,
    uiMode,
    email,
  });
  const checkoutId = `chk_${crypto.randomUUID().replaceAll('-', '')}`;
  // Who holds the units, for the cap: an IPv4 address or an IPv6 /64.
  const clientKey = clientKeyOf(ctx.clientIp);
  const key = checkoutKey({ idempotencyKey: ctx.idempotencyKey, cartId: intent.cartId, fingerprint, checkoutId });

  if (ctx.idempotencyKey) {
    const earlier = await findLatestCheckout(db, shop.id, key);
    if (earlier && earlier.requestHash !== fingerprint) {
      throw new ProblemError({
        status: 422,
        code: 'idempotency_key_reused',
        detail: 'This Idempotency-Key was used for a different checkout; use a new key for a new attempt.',
        errors: [{ path: '(header) idempotency-key', message: 'already used with another request' }],
      });
    }
    if (earlier?.status === 'complete') {
      const detail = 'The checkout for this Idempotency-Key is already paid.';
      throw new ProblemError({ status: 409, code: 'checkout_complete', detail });
    }
  }

  let challenged = false;
  const waitUntil = Date.now() + WAIT_FOR_TWIN_MS;
  const reusable = ctx.idempotencyKey !== null || intent.cartId !== null;
  for (;;) {
    const live = reusable ? await findLiveCheckout(db, shop.id, key) : undefined;
    const now = Date.now();
    if (live?.status === 'open' && live.expiresAt > now) return checkoutView(live);
    if (live?.status === 'open' || (live?.status === 'pending' && now - live.updatedAt > STALE_PENDING_MS)) {
      await endCheckout(ctx.env, db, ctx.provider, live, ['open', 'pending'], 'expired');
      continue;
    }
    if (live?.status === 'pending') {
      // A retry of the same attempt is creating this checkout right now: wait for its answer.
      if (now > waitUntil) {
        throw new ProblemError({
          status: 503,
          code: 'checkout_busy',
          detail: 'This checkout is still being created; try again.',
          headers: { 'retry-after': '2' },
        });
      }
      await sleep(50);
      continue;
    }

    await refuseIfShort(ctx, intent.lines);
    const total = intent.subtotal - intent.discount;
    if (!challenged && challengeRequired(shop, { total, flagged: intent.flagged })) {
      await verifyChallenge(ctx, request.challengeToken, ctx.clientIp);
      challenged = true; // a token is single use: a lost race for the key does not spend another
    }
    if (intent.cartId) await supersedeOthers(ctx, intent.cartId, key, checkoutId);
    const expiresAt = Math.floor((now + shop.holdTtlMinutes * 60_000 + EXPIRY_SLACK_MS) / 1000) * 1000;
    const claim = await claimCheckout(
      db,
      {
        id: checkoutId,
        shopId: shop.id,
        idempotencyKey: key,
        requestHash: fingerprint,
        clientKey,
        heldUnits: intent.lines.reduce((units, l) => units + (l.backorder ? 0 : l.quantity), 0),
        cartId: intent.cartId,
        reservationId: checkoutId,
        provider: ctx.provider.name,
        uiMode,
        email,
        couponCode: intent.couponCode,
        lines: intent.lines,
        subtotal: intent.subtotal,
        discount: intent.discount,
        shipping: 0,
        tax: 0,
        total,
        currency: shop.currency,
        expiresAt,
      },
      now,
    );
    if (claim.kind === 'taken') continue; // a retry of the same attempt claimed the key first
    if (claim.kind === 'refused') {
      // A retry of the same attempt may have claimed the key (and counted its units) first: answer with it.
      if (reusable && (await findLiveCheckout(db, shop.id, key))) continue;
      throw await claimRefused(ctx, claim.reason, clientKey, now);
    }
    return openCheckout(ctx, claim.checkout);
  }
}

async function claimRefused(ctx: CheckoutContext, reason: ClaimRefusal, clientKey: string | null, now: number) {
  ctx.defer(count(ctx.db, ctx.shop.id, { checkouts_rejected: 1 }));
  if (reason === 'coupon_exhausted') return couponProblem(reason, 'This coupon has been used up.');
  if (reason === 'coupon_inactive') return couponProblem(reason, 'This coupon is no longer valid.');
  const cap = ctx.shop.maxHeldUnitsPerClient;
  const freeAt = clientKey ? await clientHoldsFreeAt(ctx.db, ctx.shop.id, clientKey, now) : null;
  const retryAfter = Math.max(1, Math.ceil(((freeAt ?? now + 60_000) - now) / 1000));
  log.warn('client_hold_cap', { requestId: ctx.requestId, shopId: ctx.shop.id, clientKey, cap });
  return new ProblemError({
    status: 429,
    code: 'hold_limit',
    detail:
      `Checkouts from this address already hold as many items as one shopper may hold at once (${cap}). ` +
      'Complete or cancel an open checkout, or try again when one expires.',
    headers: { 'retry-after': String(retryAfter) },
    extensions: { limit: { name: 'maxHeldUnitsPerClient', value: cap } },
  });
}

function shortStock(lines: { sku: string; requested: number; available: number | null; ok: boolean }[]): ProblemError {
  return new ProblemError({
    status: 409,
    code: 'insufficient_stock',
    detail: 'Some items are not available in the quantity asked; nothing was held.',
    extensions: { lines: lines.map(({ sku, requested, available, ok }) => ({ sku, requested, available, ok })) },
  });
}

/**
 * Sold out is the common answer in a rush: when a read of the stock already shows a line short, refuse before
 * writing anything. Only a shortcut: the holds themselves decide, so a stale read costs a retry, never a unit.
 */
async function refuseIfShort(ctx: CheckoutContext, lines: readonly PricedLine[]) {
  const stocked = lines.filter((l) => !l.backorder);
  const stock = await readStock(ctx.env, ctx.shop, stocked.map((l) => l.variantKey));
  const verdicts = stocked.map((line) => {
    const available = stockAvailable(stock.get(line.variantKey));
    return { sku: line.sku, requested: line.quantity, available, ok: available === null || available >= line.quantity };
  });
  if (verdicts.every((v) => v.ok)) return;
  ctx.defer(count(ctx.db, ctx.shop.id, { checkouts_rejected: 1 }));
  throw shortStock(verdicts);
}

/** Holds the stock and opens the provider session of a freshly claimed checkout. */
async function openCheckout(ctx: CheckoutContext, checkout: CheckoutRow): Promise<CheckoutResponse> {
  const { env, db, shop, provider } = ctx;

  let reservation;
  try {
    reservation = await reserveAll(env, db, {
      shopId: shop.id,
      reservationId: checkout.reservationId,
      lines: checkout.lines.map((l) => ({ variantKey: l.variantKey, sku: l.sku, quantity: l.quantity, backorder: l.backorder ?? false })),
      expiresAt: checkout.expiresAt,
    });
  } catch (error) {
    await markCheckoutEnded(db, checkout.id, ['pending'], 'failed', Date.now());
    await count(db, shop.id, { checkouts_failed: 1 });
    throw error;
  }
  if (!reservation.ok) {
    await markCheckoutEnded(db, checkout.id, ['pending'], 'failed', Date.now());
    await count(db, shop.id, { checkouts_rejected: 1 });
    throw shortStock(reservation.reason === 'insufficient_stock' ? reservation.lines : []);
  }

  const shopUrl = (path: string) => new URL(path, ctx.origin);
  const success = shopUrl(shop.successPath);
  success.searchParams.set('session_id', '{CHECKOUT_SESSION_ID}');
  const cancel = shopUrl(shop.cancelPath);
  cancel.searchParams.set('checkout_id', checkout.id);
  try {
    const session = await provider.createSession(
      {
        shopId: shop.id,
        checkoutId: checkout.id,
        reservationId: checkout.reservationId,
        currency: checkout.currency,
        lines: checkout.lines,
        discount: checkout.discount,
        couponCode: checkout.couponCode,
        email: checkout.email,
        uiMode: checkout.uiMode,
        expiresAt: checkout.expiresAt,
        // Stripe substitutes {CHECKOUT_SESSION_ID} itself; the braces must reach it unescaped.
        successUrl: success.toString().replace('%7BCHECKOUT_SESSION_ID%7D', '{CHECKOUT_SESSION_ID}'),
        cancelUrl: cancel.toString(),
        returnUrl: success.toString().replace('%7BCHECKOUT_SESSION_ID%7D', '{CHECKOUT_SESSION_ID}'),
        shippingCountries: shop.shippingCountries,
        shippingOptions: shop.shippingOptions,
        automaticTax: shop.automaticTax,
      },
      `checkout:${checkout.id}`,
    );
    const opened = await markCheckoutOpen(db, checkout.id, session, Date.now());
    if (!opened) throw new Error(`checkout ${checkout.id} left pending before its session opened`);
    await count(db, shop.id, { checkouts_opened: 1 });
    log.info('checkout_opened', { requestId: ctx.requestId, shopId: shop.id, checkoutId: checkout.id, provider: provider.name, total: checkout.total });
    return checkoutView(opened);
  } catch (error) {
    // No session, no holds: give the stock back before answering.
    await endCheckout(env, db, null, checkout, ['pending', 'open'], 'failed');
    log.error('checkout_provider_failed', { requestId: ctx.requestId, shopId: shop.id, checkoutId: checkout.id, error: String(error) });
    if (error instanceof ProviderError) {
      throw new ProblemError({
        status: 502,
        code: 'payment_provider_error',
        detail: 'The payment provider did not answer as expected; nothing was held or charged. Try again.',
      });
    }
    throw error;
  }
}

/**
 * A cart has one live checkout: a newer one (the cart changed, or a new attempt) ends the others first, freeing
 * their stock and coupon use for it. The old ones priced a cart that no longer exists, so they go even if the
 * new one is then refused.
 */
async function supersedeOthers(ctx: CheckoutContext, cartId: string, key: string, by: string) {
  const others = await openCheckoutsOfCart(ctx.db, ctx.shop.id, cartId, key);
  for (const other of others) {
    await endCheckout(ctx.env, ctx.db, ctx.provider, other, ['open'], 'superseded');
    log.info('checkout_superseded', { requestId: ctx.requestId, shopId: ctx.shop.id, checkoutId: other.id, by });
  }
}
