// checkout-gateway: between the front-door and the authority. It refuses what has no shop or an unknown
// shop, counts requests per client (IPv4 address or IPv6 /64) with RateLimiter objects, and hands the rest to
// the authority.
import { clientKeyOf } from '../../../shared/client-address';
import { CLIENT_IP_HEADER, REQUEST_ID_HEADER, requestIdFrom, SHOP_HEADER } from '../../../shared/headers';
import { healthThrough } from '../../../shared/health';
import { addCost } from '../../../shared/cost';
import { delayedTrips, latencyModelOf } from '../../../shared/latency-model';
import { guarded, passOn } from '../../../shared/guard';
import { createLogger } from '../../../shared/log';
import { problemResponse } from '../../../shared/problem';
import { matchRoute } from '../../../shared/routes';
import type { GatewayEnv } from './env';
import { checkLimit, limitedClass, rateLimitHeaders } from './rate-limit';
import { shopEdgeConfig } from './shops';

export { RateLimiter } from '../../../durable-objects/rate-limiter';

const log = createLogger('checkout-gateway');

export default {
  fetch: guarded(log, async (request: Request, env: GatewayEnv): Promise<Response> => {
    const requestId = requestIdFrom(request.headers.get(REQUEST_ID_HEADER));
    const { pathname } = new URL(request.url);
    const match = matchRoute(request.method, pathname);
    // The front-door only forwards allowlisted routes; anything else here did not come through it.
    if (match.kind !== 'route') {
      return problemResponse({ status: 404, code: 'not_found', detail: `Nothing at ${pathname}.` }, requestId);
    }
    const { rule } = match;
    if (rule.class === 'health') return healthThrough('checkout-gateway', requestId, () => env.AUTHORITY.fetch(request));
    if (!rule.scoped) return passOn(await env.AUTHORITY.fetch(request));

    const shopId = request.headers.get(SHOP_HEADER);
    if (!shopId) {
      return problemResponse({ status: 400, code: 'missing_shop', detail: 'No shop context: the request carries no x-shop-id.' }, requestId);
    }
    // Stripe's webhook skips the active-shop check: a deactivated shop's customers may still pay sessions it
    // opened, and the authority verifies each event with that shop's own secret. It is never limited per IP.
    if (rule.class === 'webhook') return passOn(await env.AUTHORITY.fetch(request));
    let calls = 0; // this hop's subrequests, for cost accounting
    const shop = await shopEdgeConfig(env.AUTHORITY, shopId, Date.now(), () => calls++);
    if (!shop) return problemResponse({ status: 404, code: 'unknown_shop', detail: 'unknown shop' }, requestId);

    const cls = limitedClass(rule.class);
    const model = latencyModelOf(env);
    const modeled = { ms: 0 }; // the latency model's wait in this hop
    let limitHeaders: Record<string, string> = {};
    if (cls) {
      // One client is an IPv4 address or an IPv6 /64 (anyone can pick any address in their /64).
      const client = clientKeyOf(request.headers.get(CLIENT_IP_HEADER)) ?? 'unknown';
      calls++;
      const limiterCall = () => checkLimit(env, client, shop, cls);
      const outcome = model ? await delayedTrips(modeled).around(model.durableObjectMs, limiterCall) : await limiterCall();
      if (outcome.kind === 'limiter_down') {
        log.error('rate_limiter_unavailable', { requestId, shopId, class: cls, failClosed: outcome.failClosed });
        if (outcome.failClosed) {
          return problemResponse(
            { status: 503, code: 'rate_limiter_unavailable', detail: 'Checkout is briefly unavailable; nothing was held or charged. Try again shortly.', headers: { 'retry-after': '5' } },
            requestId,
          );
        }
      } else {
        limitHeaders = rateLimitHeaders(outcome.decision, cls);
        if (!outcome.decision.allowed) {
          log.warn('rate_limited', { requestId, shopId, class: cls });
          return problemResponse(
            {
              status: 429,
              code: 'rate_limited',
              detail: `Too many ${cls} requests from this address; try again in ${outcome.decision.resetSeconds} s.`,
              headers: { ...limitHeaders, 'retry-after': String(outcome.decision.resetSeconds) },
            },
            requestId,
          );
        }
      }
    }

    let response = await env.AUTHORITY.fetch(request);
    if (env.COST_ACCOUNTING === '1') {
      const limiterCalls = cls ? 1 : 0;
      response = addCost(response, {
        durableObjectCalls: limiterCalls,
        durableObjectRoundTrips: limiterCalls,
        limiterRoundTrips: limiterCalls,
        subrequests: calls + 1,
        modeledMs: modeled.ms,
      });
    }
    if (Object.keys(limitHeaders).length === 0) return passOn(response);
    const answer = new Response(response.body, response);
    for (const [name, value] of Object.entries(limitHeaders)) answer.headers.set(name, value);
    return passOn(answer);
  }),
} satisfies ExportedHandler<GatewayEnv>;
