// The outer layer of every edge worker: one structured log line per request the worker answers itself
// (request id, shop, route, status, latency; what it passes on is logged by the worker that answers it, under
// the same request id), and any unexpected error turned into a 500 problem+json, logged once, never a stack
// trace to the client.
import { REQUEST_ID_HEADER, requestIdFrom, SHOP_HEADER } from './headers';
import type { Logger } from './log';
import { problemResponse } from './problem';

const passedOn = new WeakSet<Response>();

/** Marks an answer that came from the next worker: that worker logged it. */
export function passOn(response: Response): Response {
  passedOn.add(response);
  return response;
}

export function guarded<E>(
  log: Logger,
  handler: (request: Request, env: E, ctx: ExecutionContext) => Promise<Response>,
  /** The request's shop, for the log line; behind the front-door it is the x-shop-id it set. */
  shopOf: (request: Request, env: E) => string | undefined = (request) => request.headers.get(SHOP_HEADER) ?? undefined,
) {
  return async (request: Request, env: E, ctx: ExecutionContext): Promise<Response> => {
    const started = Date.now();
    const path = new URL(request.url).pathname;
    let response: Response;
    try {
      response = await handler(request, env, ctx);
    } catch (error) {
      const requestId = requestIdFrom(request.headers.get(REQUEST_ID_HEADER));
      log.error('unhandled_error', { requestId, path, error: String(error) });
      response = problemResponse({ status: 500, code: 'internal_error', detail: 'Something went wrong on our side. Try again.' }, requestId);
    }
    if (passedOn.has(response)) return response;
    log.info('request', {
      requestId: response.headers.get(REQUEST_ID_HEADER) ?? request.headers.get(REQUEST_ID_HEADER),
      shopId: shopOf(request, env),
      method: request.method,
      path,
      status: response.status,
      ms: Date.now() - started,
    });
    return response;
  };
}
