// The last line of every edge worker: an unexpected error becomes a 500 problem+json with the request id,
// logged once, never a stack trace to the client.
import { REQUEST_ID_HEADER, requestIdFrom } from './headers';
import type { Logger } from './log';
import { problemResponse } from './problem';

export function guarded<E>(log: Logger, handler: (request: Request, env: E, ctx: ExecutionContext) => Promise<Response>) {
  return async (request: Request, env: E, ctx: ExecutionContext): Promise<Response> => {
    try {
      return await handler(request, env, ctx);
    } catch (error) {
      const requestId = requestIdFrom(request.headers.get(REQUEST_ID_HEADER));
      log.error('unhandled_error', { requestId, path: new URL(request.url).pathname, error: String(error) });
      return problemResponse({ status: 500, code: 'internal_error', detail: 'Something went wrong on our side. Try again.' }, requestId);
    }
  };
}
