// Headers the three workers agree on. Only the front-door may set SHOP and REQUEST_ID from what it resolved;
// whatever a client sends under these names is dropped at the front-door.
export const SHOP_HEADER = 'x-shop-id';
export const REQUEST_ID_HEADER = 'x-request-id';
/** The client address as the front-door saw it (from CF-Connecting-IP); clients cannot set it. */
export const CLIENT_IP_HEADER = 'x-client-ip';
export const CF_CONNECTING_IP = 'cf-connecting-ip';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** A client's request id is kept only when it is a sane token; otherwise a fresh one is made. */
export function requestIdFrom(given: string | null | undefined): string {
  return given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}
