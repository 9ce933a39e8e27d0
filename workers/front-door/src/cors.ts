// CORS per shop: only the shop's allowed origins get CORS headers (with credentials, for the cart cookie).
// Every other origin gets none, and cannot make state-changing calls at all (see index.ts).
const ALLOWED_HEADERS = 'content-type, authorization, idempotency-key, x-request-id';
const EXPOSED_HEADERS =
  'x-request-id, retry-after, ratelimit-policy, ratelimit-limit, ratelimit-remaining, ratelimit-reset';
const PREFLIGHT_MAX_AGE = '600';

export function corsHeaders(origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': EXPOSED_HEADERS,
    vary: 'Origin',
  };
}

export function preflightHeaders(origin: string, methods: string[]): Record<string, string> {
  return {
    ...corsHeaders(origin),
    'access-control-allow-methods': methods.join(', '),
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-max-age': PREFLIGHT_MAX_AGE,
  };
}
