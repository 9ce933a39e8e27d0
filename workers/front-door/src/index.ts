// front-door: the only public worker. Only allowlisted method + path pairs (shared/routes.ts) pass to the
// API; the shop comes from the Host header through configuration, never from the client; each request gets
// an id, CORS for the shop's own origins, and a body size limit. Other paths are the shop's static storefront, and
// /admin/ the merchant console.
import { CF_CONNECTING_IP, CLIENT_IP_HEADER, REQUEST_ID_HEADER, requestIdFrom, SHOP_HEADER } from '../../../shared/headers';
import { healthThrough } from '../../../shared/health';
import { addCost } from '../../../shared/cost';
import { guarded, passOn } from '../../../shared/guard';
import { createLogger } from '../../../shared/log';
import { problemResponse, type ProblemInit } from '../../../shared/problem';
import { matchRoute } from '../../../shared/routes';
import { drainRefused, readBodyWithin } from './body';
import { frontDoorConfig, shopForHost } from './config';
import { corsHeaders, preflightHeaders } from './cors';
import { servePage } from './storefront';

export interface FrontDoorEnv {
  GATEWAY: Fetcher;
  ASSETS: Fetcher;
  SHOP_HOSTS: unknown;
  SHOP_ORIGINS: unknown;
  /** "1": add this hop's call to the x-cost header (benchmarks). */
  COST_ACCOUNTING?: string;
}

const log = createLogger('front-door');
const SAFE_METHODS = new Set(['GET', 'HEAD']);
/** Headers only the edge may set; a client's copies are dropped. */
const INTERNAL_HEADERS = [SHOP_HEADER, CLIENT_IP_HEADER];

export default {
  fetch: guarded(log, async (request: Request, env: FrontDoorEnv): Promise<Response> => {
    const requestId = requestIdFrom(request.headers.get(REQUEST_ID_HEADER));
    const url = new URL(request.url);
    const config = frontDoorConfig(env);
    const shopId = shopForHost(config, request.headers.get('host') ?? url.host);
    const origin = request.headers.get('origin');
    const originAllowed = origin !== null && shopId !== undefined && (config.origins.get(shopId)?.has(origin) ?? false);
    const cors = originAllowed ? corsHeaders(origin) : {};
    // Every refusal drains the body it leaves unread first: on a kept-alive connection an unread body would
    // cost the client its connection (reset) or hold up its next request.
    const fail = async (init: ProblemInit) => {
      if (!request.bodyUsed) await drainRefused(request);
      return problemResponse({ ...init, headers: { ...cors, ...init.headers } }, requestId);
    };

    if (!url.pathname.startsWith('/api/')) {
      if (!shopId) return fail({ status: 404, code: 'unknown_shop', detail: 'unknown shop' });
      if (!SAFE_METHODS.has(request.method)) return fail({ status: 405, code: 'method_not_allowed', detail: 'Pages are read-only.', headers: { allow: 'GET, HEAD' } });
      const page = await servePage(env.ASSETS, shopId, request);
      const answer = new Response(page.body, page);
      answer.headers.set(REQUEST_ID_HEADER, requestId);
      return answer;
    }

    const isPreflight = request.method === 'OPTIONS' && request.headers.has('access-control-request-method');
    const requestedMethod = isPreflight ? request.headers.get('access-control-request-method')! : request.method;
    const match = matchRoute(requestedMethod, url.pathname);
    if (match.kind === 'not_found') return fail({ status: 404, code: 'not_found', detail: `Nothing at ${url.pathname}.` });

    if (isPreflight) {
      const methods = match.kind === 'route' ? [match.rule.method] : match.allow;
      if (!originAllowed) return fail({ status: 403, code: 'origin_not_allowed', detail: 'This origin may not call this API.' });
      return new Response(null, { status: 204, headers: { ...preflightHeaders(origin!, methods), [REQUEST_ID_HEADER]: requestId } });
    }
    if (match.kind === 'wrong_method') {
      return fail({
        status: 405,
        code: 'method_not_allowed',
        detail: `${request.method} is not allowed on ${url.pathname}.`,
        headers: { allow: match.allow.join(', ') },
      });
    }
    const { rule } = match;
    if (rule.class === 'health') {
      const next = new Request(url, { headers: { [REQUEST_ID_HEADER]: requestId } });
      return healthThrough('front-door', requestId, () => env.GATEWAY.fetch(next));
    }
    if (!rule.scoped) return passOn(await env.GATEWAY.fetch(new Request(url, { method: request.method, headers: { [REQUEST_ID_HEADER]: requestId } })));

    if (!shopId) {
      log.warn('unknown_host', { requestId, host: request.headers.get('host') });
      return fail({ status: 404, code: 'unknown_shop', detail: 'unknown shop' });
    }
    // A browser on another site may not change state here, CORS or not (Stripe's webhook sends no Origin).
    if (origin !== null && !originAllowed && !SAFE_METHODS.has(request.method)) {
      log.warn('origin_refused', { requestId, shopId, origin });
      return fail({ status: 403, code: 'origin_not_allowed', detail: 'This origin may not call this API.' });
    }

    let body: ArrayBuffer | undefined;
    if (!SAFE_METHODS.has(request.method)) {
      const read = await readBodyWithin(request, rule.maxBody);
      if (read === 'too_large') {
        await drainRefused(request); // the rest of it: reading it up to the limit used the body
        return fail({ status: 413, code: 'body_too_large', detail: `The body is larger than ${rule.maxBody} bytes.` });
      }
      body = read;
    }

    const headers = new Headers(request.headers);
    for (const name of INTERNAL_HEADERS) headers.delete(name);
    headers.set(SHOP_HEADER, shopId);
    headers.set(REQUEST_ID_HEADER, requestId);
    const clientIp = request.headers.get(CF_CONNECTING_IP);
    if (clientIp) headers.set(CLIENT_IP_HEADER, clientIp);

    const response = await env.GATEWAY.fetch(new Request(url, { method: request.method, headers, body }));
    const answer = env.COST_ACCOUNTING === '1' ? addCost(response, { subrequests: 1 }) : new Response(response.body, response);
    answer.headers.set(REQUEST_ID_HEADER, requestId);
    for (const [name, value] of Object.entries(cors)) answer.headers.set(name, value);
    return passOn(answer);
  }, (request, env) => shopForHost(frontDoorConfig(env), request.headers.get('host'))),
} satisfies ExportedHandler<FrontDoorEnv>;
