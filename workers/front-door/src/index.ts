// front-door: the only public worker. It decides which shop a request is for (from the Host header, never
// from the client), stamps the request id, and hands /api requests to the checkout-gateway.
import { createLogger } from '../../../shared/log';
import { REQUEST_ID_HEADER, requestIdFrom, SHOP_HEADER } from '../../../shared/headers';
import { problemResponse } from '../../../shared/problem';
import { shopForHost, type ShopHosts } from './hosts';

export interface FrontDoorEnv {
  GATEWAY: Fetcher;
  SHOP_HOSTS: ShopHosts;
}

const log = createLogger('front-door');

export default {
  async fetch(request: Request, env: FrontDoorEnv): Promise<Response> {
    const requestId = requestIdFrom(request.headers.get(REQUEST_ID_HEADER));
    const url = new URL(request.url);
    if (!url.pathname.startsWith('/api/')) {
      return problemResponse({ status: 404, code: 'not_found', detail: `Nothing at ${url.pathname}.` }, requestId);
    }
    const shopId = shopForHost(env.SHOP_HOSTS, request.headers.get('host') ?? url.host);
    if (!shopId) {
      log.warn('unknown_host', { requestId, host: request.headers.get('host') });
      return problemResponse({ status: 404, code: 'unknown_shop', detail: 'unknown shop' }, requestId);
    }

    const headers = new Headers(request.headers);
    headers.set(SHOP_HEADER, shopId);
    headers.set(REQUEST_ID_HEADER, requestId);
    const response = await env.GATEWAY.fetch(new Request(request, { headers }));
    const answer = new Response(response.body, response);
    answer.headers.set(REQUEST_ID_HEADER, requestId);
    return answer;
  },
} satisfies ExportedHandler<FrontDoorEnv>;
