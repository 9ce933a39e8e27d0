// Creating a checkout: reprice from the catalog, apply the coupon, pass the shop's challenge if it asks for one,
// hold the stock, open the provider's session, then claim the checkout with it (within the client's cap on held
// units, reserving a coupon use, recording the holds). A live checkout is reused only by its own buyer (the same
// Idempotency-Key, or the same cart as it is); a cart has one live checkout; a failure after the holds gives
// them back before answering, unless another request of the same attempt recorded them or D1 cannot say (then
// they lapse at their expiry).
//
// The path a shopper waits on is short by design (decisions 0015 and 0020): one batched D1 read (a replica may
// answer it), one round of holds, the provider, one batched D1 write (the claim, with the session). A sold-out
// answer is the read and the holds, and writes nothing. Nothing is written before the session exists, and the
// shopper gets its address only once the row recording it and its holds has landed.
import { clientKeyOf } from '../../../../shared/client-address';
import type { CheckoutRequest, CheckoutResponse, LineRequest } from '../../../../shared/contracts';
import { ProblemError } from '../../../../shared/problem';
import type { CatalogVariant } from '../db/catalog';
import { readForCheckout, type CheckoutReads, type CheckoutReadsQuery } from '../db/checkout-reads';
import { claimCheckout, clientHolds, findCheckout, type ClaimOutcome, type ClaimRefusal, type NewCheckout } from '../db/checkouts';
import type { Database } from '../db/client';
import { tally } from '../db/metrics';
import type { CheckoutRow, PricedLine } from '../db/schema';
import type { Shop } from '../db/shops';
import { resolveLine } from '../domain/availability';
import { attemptId, checkoutKey, clientCheckoutKey, randomCheckoutId, requestFingerprint } from '../domain/idempotency';
import { evaluateCoupon, priceLines } from '../domain/pricing';
import type { AuthorityEnv } from '../env';
import { holdAll, recordHeldStatement, releaseUnrecorded, reservedLines, type GiveBack, type ShortLine } from '../inventory/reservations';
import { unknownShop } from '../http/shop-context';
import { knownSoldOut } from '../inventory/sold-out';
import { log } from '../log';
import { ProviderError, type CreatedSession, type PaymentProvider, type SessionRequest } from '../payments/provider';
import { challengeRequired, verifyChallenge } from './challenge';
import { endCheckout } from './end-checkout';
import { checkoutView } from './view';

export interface CheckoutContext {
  env: AuthorityEnv;
  /** Reads a replica may answer (a D1 session opened at the shopper's last write). */
  reads: Database;
  /** The primary: the claim and its follow-ups, and the reads after a lost race. */
  db: Database;
  /** The shop the front-door resolved (not yet looked up: the first read does it). */
  shopId: string;
  /** The shop's payment provider; throws the problem to answer when it has none. */
  providerFor: (shop: Shop) => PaymentProvider;
  /** The storefront origin the shopper is on (one of the shop's hosts): return URLs point back there. */
  origin: string;
  /** The cookie's cart, if the cookie is valid. */
  cartId: string | null;
  /** The client's Idempotency-Key header, if sent. */
  idempotencyKey: string | null;
  /** The client's address as the front-door saw it; null if unknown (internal calls: tests, benchmarks). */
  clientIp: string | null;
  requestId: string;
}

/** Seconds of slack on top of the hold TTL, so Stripe's 30-minute minimum holds however long we take. */
const EXPIRY_SLACK_MS = 60_000;
/** How long a request waits for another request of its attempt that is opening the same session. */
const WAIT_FOR_TWIN_MS = 20_000;
/** How many times a request waits for, or starts over after, another request of its attempt before answering 503. */
const MAX_TWIN_WAITS = 40;

interface PricedIntent {
  lines: PricedLine[];
  subtotal: number;
  discount: number;
  couponCode: string | null;
  cartId: string | null;
  /** Some line is a variant the shop flags for a challenge. */
  flagged: boolean;
}

/** The lines to price: the request's items, or the cart's lines as the read found them. */
function requestedLines(request: CheckoutRequest, reads: CheckoutReads, cartId: string | null) {
  if (request.items) {
    const lines = request.items.map(({ sku, quantity, variantAttributes }): LineRequest => ({ sku, quantity, variantAttributes }));
    return { lines, cartId: null, from: 'items' as const };
  }
  return { lines: reads.cartLines.map(({ sku, quantity }): LineRequest => ({ sku, quantity })), cartId, from: 'cart' as const };
}

/** Reprices every line from the catalog and applies the coupon, from what the read found. Refuses before anything is held. */
function priceIntent(shop: Shop, reads: CheckoutReads, request: CheckoutRequest, cartId: string | null): PricedIntent {
  const { lines, from } = requestedLines(request, reads, cartId);
  if (lines.length === 0) {
    throw new ProblemError({ status: 400, code: 'empty_cart', detail: 'There is nothing to check out: the cart is empty.' });
  }
  const pathOf = (i: number) => (from === 'items' ? `items[${i}].sku` : `cart.lines[${i}].sku`);

  const bySku = new Map(reads.variants.map((v) => [v.sku, v]));
  const byKey = new Map(reads.variants.map((v) => [v.variantKey, v]));
  const variants = lines.map((line) => resolveLine(line, bySku, byKey));
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
    const verdict = evaluateCoupon(reads.coupon, subtotal, Date.now());
    if (!verdict.ok) throw couponProblem(verdict.reason, verdict.detail);
    discount = verdict.discount;
  }
  const flagged = variants.some((v) => v!.requiresChallenge);
  return { lines: priced, subtotal, discount, couponCode: request.coupon ?? null, cartId: from === 'cart' ? cartId : null, flagged };
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

/** The checkouts of this key the read found: its live one, and the one its next checkout follows. */
function ownCheckouts(reads: CheckoutReads, key: string) {
  const live = reads.liveOfKey ?? reads.liveOfCart.find((c) => c.idempotencyKey === key);
  const newest = key.startsWith('client:') ? reads.newestOfKey : reads.newestOfCart;
  return { live, newest };
}

/** The same Idempotency-Key with another request is refused; a paid one is never reopened. */
function refuseReusedKey(newest: CheckoutRow | undefined, fingerprint: string) {
  if (!newest) return;
  if (newest.requestHash !== fingerprint) {
    throw new ProblemError({
      status: 422,
      code: 'idempotency_key_reused',
      detail: 'This Idempotency-Key was used for a different checkout; use a new key for a new attempt.',
      errors: [{ path: '(header) idempotency-key', message: 'already used with another request' }],
    });
  }
  if (newest.status === 'complete') {
    throw new ProblemError({ status: 409, code: 'checkout_complete', detail: 'The checkout for this Idempotency-Key is already paid.' });
  }
}

export async function createCheckout(ctx: CheckoutContext, request: CheckoutRequest): Promise<CheckoutResponse> {
  // Who holds the units, for the cap: an IPv4 address or an IPv6 /64.
  const holder = clientKeyOf(ctx.clientIp);
  const query: CheckoutReadsQuery = {
    shopId: ctx.shopId,
    items: request.items ?? null,
    cartId: request.items ? null : ctx.cartId,
    coupon: request.coupon ?? null,
    clientKey: ctx.idempotencyKey === null ? null : clientCheckoutKey(ctx.idempotencyKey),
    holder,
    now: Date.now(),
  };
  let reads = await readForCheckout(ctx.reads, query);
  const shop = reads.shop;
  if (!shop) throw unknownShop();
  const provider = ctx.providerFor(shop);
  const intent = priceIntent(shop, reads, request, query.cartId);
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
  const key = checkoutKey({ idempotencyKey: ctx.idempotencyKey, cartId: intent.cartId, fingerprint, checkoutId: randomCheckoutId() });
  const lines = reservedLines(intent.lines.map((l) => ({ variantKey: l.variantKey, sku: l.sku, quantity: l.quantity, backorder: l.backorder ?? false })));
  const heldUnits = lines.reduce((units, l) => units + (l.held ? l.quantity : 0), 0);
  const total = intent.subtotal - intent.discount;
  const challenge = challengeRequired(shop, { total, flagged: intent.flagged });

  let waited = 0;
  const waitUntil = Date.now() + WAIT_FOR_TWIN_MS;
  /** After a lost race the answer must be current: read again from the primary. */
  const readAgain = async () => {
    reads = await readForCheckout(ctx.db, { ...query, now: Date.now() });
  };
  /** Another request of this attempt is at work: wait a little longer each time, then give up with a 503. */
  const busy = () =>
    new ProblemError({
      status: 503,
      code: 'checkout_busy',
      detail: 'Another request for this checkout is still opening its payment page; try again.',
      headers: { 'retry-after': '2' },
    });
  const waitForTwin = async () => {
    if (Date.now() > waitUntil || waited >= MAX_TWIN_WAITS) {
      // Its holds stay: the twin's row may record them, and if none does they lapse at their expiry.
      log.warn('checkout_busy', { requestId: ctx.requestId, shopId: ctx.shopId, waited });
      throw busy();
    }
    await sleep(Math.min(50 * 2 ** waited++, 1_000));
    await readAgain();
  };
  /**
   * Gives back holds no checkout of this request records, behind the fence (decision 0020): true when given back,
   * false when a checkout records them (a twin's claim landed), null when D1 could not say (they lapse at expiry).
   */
  const giveBackUnrecorded = (holds: Parameters<typeof releaseUnrecorded>[2]) =>
    releaseUnrecorded(ctx.env, ctx.db, holds).catch(() => null);
  let challenged = false;
  let turns = 0;
  let spent = false;

  for (;;) {
    if (++turns > MAX_TWIN_WAITS) throw busy(); // never loops without bound
    const own = ownCheckouts(reads, key);
    if (ctx.idempotencyKey !== null) refuseReusedKey(own.newest, fingerprint);
    const { live } = own;
    const now = Date.now();
    if (live?.sessionId && live.expiresAt > now) return checkoutView(live);
    // Past its time, or left without a session by a version that claimed before it opened the session (decision
    // 0020): it ends, and this request opens a new one.
    if (live) {
      await endCheckout(ctx.env, ctx.db, provider, live, ['open', 'pending'], live.sessionId ? 'expired' : 'superseded');
      await readAgain();
      continue;
    }
    // A cart has one live checkout (a unique index holds it to that), and the newest request for it wins: the
    // cart's other live checkouts are superseded first.
    const others = reads.liveOfCart.filter((c) => c.idempotencyKey !== key);
    if (others.length > 0) await supersedeOthers(ctx, provider, others);

    // A client at its cap is turned away before anything is held or the provider is called. The read may be a
    // replica's, so the primary confirms; the claim's trigger still decides races.
    if (holder !== null && heldUnits > 0 && reads.heldByClient + heldUnits > shop.maxHeldUnitsPerClient) {
      const held = await heldOnPrimary(ctx, shop.id, holder, intent.cartId, now);
      if (held.units + heldUnits > shop.maxHeldUnitsPerClient) throw holdLimit(ctx, shop, holder, held.freeAt, now);
    }
    // Verified before anything is held, and only when this request is to hold (a retry that finds its checkout
    // spends no token): requests of one attempt share their holds, so one whose token fails (a retry's token is
    // already spent) must not have holds to give back that its twin relies on.
    if (challenge && !challenged) {
      await verifyChallenge({ env: ctx.env, shop, requestId: ctx.requestId }, request.challengeToken, ctx.clientIp);
      challenged = true; // a token is single use: a lost race for the key does not spend another
    }
    const [only] = lines;
    if (lines.length === 1 && only!.held && knownSoldOut(shop.id, only!.variantKey, now)) {
      // A flash sale's usual answer, given without calling the stock object its buyers are queueing at.
      tally(shop.id, { checkouts_rejected: 1 });
      throw shortStock([{ sku: only!.sku, requested: only!.quantity, available: 0, ok: false }]);
    }
    const expiresAt = Math.floor((now + shop.holdTtlMinutes * 60_000 + EXPIRY_SLACK_MS) / 1000) * 1000;
    // Requests of one attempt share this id, and so their holds and their session, only while they agree on what
    // came before it; for a cart, that is the cart's newest checkout whatever its key. A request that lost the cart
    // to another checkout gives its holds back, and a twin that has since seen that checkout holds under another id.
    const previous = intent.cartId !== null ? reads.newestOfCart : own.newest;
    // An id this request fenced is spent: the next turn takes its own, whether or not the stock objects let go.
    let id = spent ? randomCheckoutId() : await attemptId(shop.id, key, previous?.id ?? null, now);
    // Other requests of this attempt hold under a derived id too, and one of them may find every line in stock (its
    // stock read came later) and record them: what this one cannot keep goes back through the fence. Every line,
    // not only those held here, as the twin may hold the others. (If D1 cannot take the fence, they lapse.)
    const shared = !spent && !key.startsWith('once:');
    spent = false;
    const derivedId = id;
    const fenced: GiveBack = async () => (await giveBackUnrecorded({ shopId: shop.id, holdId: derivedId, lines, expiresAt })) !== false;
    let held = await holdAll(ctx.env, { shopId: shop.id, holdId: id, lines, expiresAt }, shared ? fenced : undefined);
    // The id was spent by an earlier request that held and gave its holds back without recording a checkout (refused
    // at its claim), or its holds are left over from one that never recorded them and are too old for a checkout
    // that must stay payable the whole hold: this attempt takes an id of its own.
    const stale = held.ok && held.expiresAt < expiresAt - EXPIRY_SLACK_MS;
    if (stale && held.ok) {
      // Left to lapse if D1 cannot take the fence: this attempt holds under an id of its own either way.
      await giveBackUnrecorded({ shopId: shop.id, holdId: id, lines: held.lines, expiresAt: held.expiresAt });
    }
    if (stale || (!held.ok && held.reason === 'hold_ended')) {
      id = randomCheckoutId();
      held = await holdAll(ctx.env, { shopId: shop.id, holdId: id, lines, expiresAt });
    }
    if (!held.ok && held.reason === 'recorded') {
      // A twin's checkout holds them: the next turn answers it, or 422 if the twin's key came with another body.
      await readAgain();
      continue;
    }
    if (!held.ok) {
      tally(shop.id, { checkouts_rejected: 1 });
      throw shortStock(held.reason === 'insufficient_stock' ? held.lines : []);
    }

    const opened = (recorded: CheckoutRow) => {
      tally(shop.id, { holds_created: held.lines.filter((l) => l.held).length, checkouts_opened: 1 });
      log.info('checkout_opened', { requestId: ctx.requestId, shopId: shop.id, checkoutId: id, provider: provider.name, total });
      return checkoutView(recorded);
    };
    /** These holds, for a give-back while no checkout of this request records them. */
    const unrecorded = { shopId: shop.id, holdId: id, lines: held.lines, expiresAt: held.expiresAt };
    const checkout: Unopened = {
      id,
      shopId: shop.id,
      idempotencyKey: key,
      requestHash: fingerprint,
      clientKey: holder,
      heldUnits,
      cartId: intent.cartId,
      reservationId: id,
      provider: provider.name,
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
      expiresAt: held.expiresAt,
    };
    let session: CreatedSession;
    try {
      // Keyed by the checkout id: requests of one attempt get the one session, and a retry after a crash finds it.
      session = await provider.createSession(sessionRequest(ctx, shop, checkout), `checkout:${id}`);
    } catch (error) {
      if (error instanceof ProviderError && error.keyInUse) {
        // Another request of this attempt is opening this very session: its claim records these holds, so they are
        // waited for, not given back.
        await waitForTwin();
        continue;
      }
      // No session: the holds go back, unless another request of this attempt has recorded them in its checkout
      // (then the next turn answers it, or 422 if that request's key came with another body) or D1 cannot say (then
      // they lapse at their expiry).
      if ((await giveBackUnrecorded(unrecorded)) === false) {
        await readAgain();
        continue;
      }
      tally(shop.id, { checkouts_failed: 1 });
      log.error('checkout_provider_failed', { requestId: ctx.requestId, shopId: shop.id, checkoutId: id, error: String(error) });
      throw error instanceof ProviderError ? providerProblem() : error;
    }

    const claimedAt = Date.now();
    let claim: ClaimOutcome;
    try {
      claim = await claimCheckout(
        ctx.db,
        { ...checkout, sessionId: session.sessionId, sessionUrl: session.url, clientSecret: session.clientSecret },
        claimedAt,
        [recordHeldStatement(ctx.db, { checkoutId: id, lines: held.lines, expiresAt: held.expiresAt, now: claimedAt })],
      );
    } catch (error) {
      // D1 failed (overloaded, unreachable), and the claim may or may not have landed. The give-back's fence
      // decides: it gives back only what no claim records, and from then on no claim can. If D1 cannot even take
      // the fence, the holds and the session lapse at their expiry.
      const gaveBack = await giveBackUnrecorded(unrecorded);
      if (gaveBack) await abandonSession(provider, shop.id, id, session);
      if (gaveBack === false) {
        // The claim landed after all (only its answer was lost), or a twin's did: that checkout is the answer.
        const recorded = await recordedAs(ctx, shop.id, id);
        if (recorded) return recorded.createdAt === claimedAt ? opened(recorded) : checkoutView(recorded);
        await readAgain();
        continue;
      }
      tally(shop.id, { checkouts_failed: 1 });
      throw error;
    }
    if (claim.kind === 'claimed') return opened(claim.checkout);
    // Lost the key to another request of the same attempt (which shares these holds, and this session when the
    // provider answered it the same), or the cart to another request for it (the next turn supersedes it), or
    // refused: by a cap, or because a request of this attempt gave these holds back first (the next turn holds
    // under a new id).
    await readAgain();
    const winner = ownCheckouts(reads, key).live;
    const refusal = claim.kind === 'refused' ? claim.reason : null;
    const fencedOut = refusal === 'hold_released';
    if (winner?.id === id) {
      if (winner.sessionId !== session.sessionId) await abandonSession(provider, shop.id, id, session);
    } else if ((await giveBackUnrecorded(unrecorded)) || fencedOut) {
      // Fenced out too: the request that gave these holds back may have held only some of the lines, and this
      // gives back the ones it held here after, under the fence.
      await abandonSession(provider, shop.id, id, session);
      spent = true;
    }
    if (refusal !== null && refusal !== 'hold_released' && !winner) throw await claimRefused(ctx, shop, refusal, holder, intent.cartId, claimedAt);
  }
}

/** A checkout's fields before its provider session exists. */
type Unopened = Omit<NewCheckout, 'sessionId' | 'sessionUrl' | 'clientSecret'>;

/** What the provider is asked for: the checkout's lines and amounts, and return addresses on the shopper's storefront. */
function sessionRequest(ctx: CheckoutContext, shop: Shop, checkout: Unopened): SessionRequest {
  const shopUrl = (path: string) => new URL(path, ctx.origin);
  const success = shopUrl(shop.successPath);
  success.searchParams.set('session_id', '{CHECKOUT_SESSION_ID}');
  const cancel = shopUrl(shop.cancelPath);
  cancel.searchParams.set('checkout_id', checkout.id);
  // Stripe substitutes {CHECKOUT_SESSION_ID} itself; the braces must reach it unescaped.
  const returnUrl = success.toString().replace('%7BCHECKOUT_SESSION_ID%7D', '{CHECKOUT_SESSION_ID}');
  return {
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
    successUrl: returnUrl,
    cancelUrl: cancel.toString(),
    returnUrl,
    shippingCountries: shop.shippingCountries,
    shippingOptions: shop.shippingOptions,
    automaticTax: shop.automaticTax,
  };
}

function providerProblem(): ProblemError {
  return new ProblemError({
    status: 502,
    code: 'payment_provider_error',
    detail: 'The payment provider did not answer as expected; nothing was held or charged. Try again.',
  });
}

/**
 * A session no checkout records (its claim was refused or lost): its address never reached a shopper, and it is
 * expired so that it never can be paid. If expiring fails it still lapses with the hold.
 */
async function abandonSession(provider: PaymentProvider, shopId: string, checkoutId: string, session: CreatedSession) {
  await provider.expireSession(session.sessionId).catch((error: unknown) => {
    log.error('session_expire_failed', { shopId, checkoutId, error: String(error) });
  });
}

/** The live checkout recorded under this id, with its session, as the primary has it. */
async function recordedAs(ctx: CheckoutContext, shopId: string, id: string): Promise<CheckoutRow | undefined> {
  const row = await findCheckout(ctx.db, shopId, id);
  return row && (row.status === 'open' || row.status === 'pending') && row.sessionId !== null ? row : undefined;
}

/** What the client holds in live checkouts, as the primary has it (the checkout's read may be a replica's). */
async function heldOnPrimary(ctx: CheckoutContext, shopId: string, holder: string, cartId: string | null, now: number) {
  const [row] = await clientHolds(ctx.db, shopId, holder, cartId, now);
  return { units: row?.units ?? 0, freeAt: row?.freeAt ?? null };
}

async function claimRefused(ctx: CheckoutContext, shop: Shop, reason: Exclude<ClaimRefusal, 'hold_released'>, holder: string | null, cartId: string | null, now: number) {
  if (reason === 'coupon_exhausted' || reason === 'coupon_inactive') {
    tally(shop.id, { checkouts_rejected: 1 });
    return couponProblem(reason, reason === 'coupon_exhausted' ? 'This coupon has been used up.' : 'This coupon is no longer valid.');
  }
  const freeAt = holder ? (await heldOnPrimary(ctx, shop.id, holder, cartId, now)).freeAt : null;
  return holdLimit(ctx, shop, holder, freeAt, now);
}

/** 429: the client already holds as many units as the shop lets one client hold; Retry-After says when some come back. */
function holdLimit(ctx: CheckoutContext, shop: Shop, holder: string | null, freeAt: number | null, now: number): ProblemError {
  tally(shop.id, { checkouts_rejected: 1 });
  const cap = shop.maxHeldUnitsPerClient;
  const retryAfter = Math.max(1, Math.ceil(((freeAt ?? now + 60_000) - now) / 1000));
  log.warn('client_hold_cap', { requestId: ctx.requestId, shopId: shop.id, clientKey: holder, cap });
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

function shortStock(lines: readonly Pick<ShortLine, 'sku' | 'requested' | 'available' | 'ok'>[]): ProblemError {
  return new ProblemError({
    status: 409,
    code: 'insufficient_stock',
    detail: 'Some items are not available in the quantity asked; nothing was held.',
    extensions: { lines: lines.map(({ sku, requested, available, ok }) => ({ sku, requested, available, ok })) },
  });
}

/**
 * Ends the cart's other live checkouts before a newer one (the cart changed, another tab, a new attempt) is
 * claimed, freeing their stock and coupon use for it. They priced a cart that is no longer the one being paid,
 * so they go even if the new one is then refused.
 */
async function supersedeOthers(ctx: CheckoutContext, provider: PaymentProvider, others: readonly CheckoutRow[]) {
  for (const other of others) {
    await endCheckout(ctx.env, ctx.db, provider, other, ['open', 'pending'], 'superseded');
    log.info('checkout_superseded', { requestId: ctx.requestId, shopId: other.shopId, checkoutId: other.id });
  }
}
