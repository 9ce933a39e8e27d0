// Which checkouts are "the same": identity decides, never matching content. A live checkout is reused only
// for the same client Idempotency-Key, or for the same cart with the same content; two strangers whose carts
// are identical get two checkouts. The request fingerprint tells whether a reused key still asks for the same
// thing (if not: 422, as Stripe and the IETF Idempotency-Key draft answer). Pure (Web Crypto only).

export interface CheckoutIntent {
  shopId: string;
  lines: readonly { variantKey: string; quantity: number }[];
  coupon: string | null;
  currency: string;
  uiMode: string;
  email: string | null;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The normalized request: the same lines, coupon, currency, UI mode and email give the same fingerprint. */
export async function requestFingerprint(intent: CheckoutIntent): Promise<string> {
  const quantities = new Map<string, number>();
  for (const line of intent.lines) quantities.set(line.variantKey, (quantities.get(line.variantKey) ?? 0) + line.quantity);
  const canonical = JSON.stringify([
    intent.shopId,
    [...quantities.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    intent.coupon?.toUpperCase() ?? null,
    intent.currency,
    intent.uiMode,
    intent.email?.trim().toLowerCase() ?? null,
  ]);
  return sha256Hex(canonical);
}

/**
 * The checkout's idempotency key, namespaced by who owns it:
 * - `client:<header>`: the buyer's own Idempotency-Key (one per checkout attempt);
 * - `cart:<cart id>:<fingerprint>`: the cookie's cart as it is now (a changed cart is a new checkout);
 * - `once:<checkout id>`: neither, so nothing may ever share it.
 */
export function checkoutKey(owner: { idempotencyKey: string | null; cartId: string | null; fingerprint: string; checkoutId: string }) {
  if (owner.idempotencyKey !== null) return clientCheckoutKey(owner.idempotencyKey);
  if (owner.cartId !== null) return `cart:${owner.cartId}:${owner.fingerprint}`;
  return `once:${owner.checkoutId}`;
}

export const clientCheckoutKey = (idempotencyKey: string) => `client:${idempotencyKey}`;

/** Requests of one attempt share an id within this window (so ids never repeat, even once old rows are purged). */
const ATTEMPT_WINDOW_MS = 10 * 60_000;

/**
 * The id of a key's next checkout, which is also the hold id in every stock object: derived from the key, the
 * checkout that came before it (the key's newest; for a cart, the cart's newest) and the ten minutes it starts in,
 * so two requests of one attempt racing each other take the same holds instead of twice the stock, and the claim
 * lets one of them through. (Two that straddle a window boundary hold separately; the claim still lets one
 * through and the other gives its holds back.) A key of its own (`once:`) already names its checkout.
 */
export async function attemptId(shopId: string, key: string, previousId: string | null, now: number): Promise<string> {
  if (key.startsWith('once:')) return key.slice('once:'.length);
  const window = Math.floor(now / ATTEMPT_WINDOW_MS);
  return `chk_${(await sha256Hex(JSON.stringify([shopId, key, previousId, window]))).slice(0, 32)}`;
}

export function randomCheckoutId(): string {
  return `chk_${crypto.randomUUID().replaceAll('-', '')}`;
}
