// The idempotency key of a checkout: the same shop, lines, coupon, currency, UI mode and email give the same
// key, however the request spelled them; or the client's own Idempotency-Key. Pure (Web Crypto only).

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

export async function derivedCheckoutKey(intent: CheckoutIntent): Promise<string> {
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
  return `auto:${await sha256Hex(canonical)}`;
}

/** A client key is namespaced so it can never collide with a derived one. */
export function clientCheckoutKey(header: string): string {
  return `client:${header}`;
}

/** The provider's idempotency key for one attempt of a checkout (Stripe allows 255 characters). */
export async function providerIdempotencyKey(shopId: string, checkoutKey: string, attempt: number): Promise<string> {
  return `checkout:${await sha256Hex(`${shopId}\n${checkoutKey}`)}:${attempt}`;
}
