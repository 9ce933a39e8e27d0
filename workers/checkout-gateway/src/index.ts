// checkout-gateway: between the front-door and the authority. Shop-scoped routes must carry the shop the
// front-door resolved; everything is handed to the commerce-authority.
import { REQUEST_ID_HEADER, requestIdFrom, SHOP_HEADER } from '../../../shared/headers';
import { problemResponse } from '../../../shared/problem';

export interface GatewayEnv {
  AUTHORITY: Fetcher;
}

const UNSCOPED_PATHS = new Set(['/api/health']);

export default {
  async fetch(request: Request, env: GatewayEnv): Promise<Response> {
    const requestId = requestIdFrom(request.headers.get(REQUEST_ID_HEADER));
    const { pathname } = new URL(request.url);
    if (!UNSCOPED_PATHS.has(pathname) && !request.headers.get(SHOP_HEADER)) {
      return problemResponse(
        { status: 400, code: 'missing_shop', detail: 'No shop context: the request carries no x-shop-id.' },
        requestId,
      );
    }
    return env.AUTHORITY.fetch(request);
  },
} satisfies ExportedHandler<GatewayEnv>;
