// Sold out, remembered for a moment in this isolate. In a flash sale nearly every request is for a variant with
// nothing left, and each would cost its stock object a call: the one object every real buyer of that variant (and
// every release and restock) waits behind. After a hold finds a variant at 0, a single-line checkout for it is
// refused here for SOLD_OUT_MEMO_MS without calling the object. Only ever a refusal: the holds decide every sale,
// so a stale memo can turn a shopper away for at most that long, never sell a unit twice. Releases and stock
// changes made through this isolate forget it at once; other isolates learn within SOLD_OUT_MEMO_MS.
export const SOLD_OUT_MEMO_MS = 1_000;
const MAX_ENTRIES = 10_000;

const soldOutUntil = new Map<string, number>();
const keyOf = (shopId: string, variantKey: string) => JSON.stringify([shopId, variantKey]);

export function rememberSoldOut(shopId: string, variantKey: string, now = Date.now()): void {
  if (soldOutUntil.size >= MAX_ENTRIES) soldOutUntil.clear();
  soldOutUntil.set(keyOf(shopId, variantKey), now + SOLD_OUT_MEMO_MS);
}

export function knownSoldOut(shopId: string, variantKey: string, now = Date.now()): boolean {
  const until = soldOutUntil.get(keyOf(shopId, variantKey));
  if (until === undefined) return false;
  if (until > now) return true;
  soldOutUntil.delete(keyOf(shopId, variantKey));
  return false;
}

export function forgetSoldOut(shopId: string, variantKey: string): void {
  soldOutUntil.delete(keyOf(shopId, variantKey));
}
