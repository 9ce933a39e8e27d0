// Request validation for routes declared with createRoute: anything that is not exactly the contract is a 4xx
// problem naming the field, raised before any state is touched. Better than the defaults of @hono/zod-openapi:
// a body not sent as JSON is 415 (never read as an empty object), and zod errors become problem+json.
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { fromZodError } from 'zod-validation-error';
import { ProblemError, type ProblemFieldError } from '../../../../shared/problem';

/** What the route declares: the body, path parameters, query string or headers. */
type Target = 'json' | 'param' | 'query' | 'header' | (string & {});

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return out ? `${out}.${String(part)}` : String(part);
  }, '');
}

/** A header is named as `(header) name`, as the 415 names content-type, so it never reads like a body field. */
function fieldPath(target: Target, path: readonly PropertyKey[]): string {
  const formatted = formatPath(path);
  if (target === 'header') return `(header) ${formatted}`;
  return formatted || '(body)';
}

export function validationProblem(error: z.ZodError, target: Target = 'json'): ProblemError {
  const errors: ProblemFieldError[] = error.issues.flatMap((issue) =>
    // An unknown field is named by its own path, so the client sees exactly what to remove.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: fieldPath(target, [...issue.path, key]), message: 'unknown field' }))
      : [{ path: fieldPath(target, issue.path), message: issue.message }],
  );
  const headers = [...new Set(error.issues.map((issue) => String(issue.path[0] ?? '')))];
  // A bad header has its own code (invalid_idempotency_key): clients branch on it without parsing paths.
  const header = target === 'header' && headers.length === 1 ? headers[0]! : null;
  const code = header ? `invalid_${header.replaceAll('-', '_')}` : 'validation_failed';
  return new ProblemError({
    status: 400,
    code,
    detail: fromZodError(error, { prefix: 'Invalid request', maxIssuesInMessage: 5 }).message,
    errors,
  });
}

/** What @hono/zod-openapi hands a hook after checking one declared part of the request. */
type Checked = { target: Target } & ({ success: true } | { success: false; error: z.ZodError });

/** The defaultHook of every authority app: a failed declaration is a problem, thrown to the app's onError. */
export function problemHook(result: Checked): undefined {
  if (!result.success) throw validationProblem(result.error, result.target);
  return undefined;
}

// application/json, with parameters such as charset=utf-8. Whatever passes here also passes the media-type check
// of @hono/zod-openapi and hono's json validator that run after this gate: they never refuse it without a problem.
const JSON_CONTENT_TYPE = /^application\/json(;\s*[a-z0-9-]+=[^;]+)*$/i;

function unsupportedContentType(type: string): ProblemError {
  return new ProblemError({
    status: 415,
    code: 'unsupported_content_type',
    detail: 'Send the body as JSON with content-type: application/json.',
    errors: [{ path: '(header) content-type', message: `expected application/json, got ${type || 'nothing'}` }],
  });
}

/**
 * Runs before the declared body is validated: 415 for a body not sent as JSON, 400 naming `(body)` for bytes
 * that are not JSON. An optional body that is empty is no body, whatever its content type says: the request
 * goes on without one, so the handler sees `{}` (checkout uses the cart; DELETE /api/cart empties it).
 */
export function jsonGate(required: boolean): MiddlewareHandler {
  return async (c, next) => {
    const text = await c.req.text();
    if (!required && text.length === 0) {
      const headers = new Headers(c.req.raw.headers);
      headers.delete('content-type');
      c.req.raw = new Request(c.req.url, { method: c.req.method, headers });
      return next();
    }
    const type = c.req.header('content-type') ?? '';
    if (!JSON_CONTENT_TYPE.test(type)) throw unsupportedContentType(type);
    try {
      JSON.parse(text);
    } catch {
      throw new ProblemError({
        status: 400,
        code: 'invalid_json',
        detail: 'The body is not valid JSON.',
        errors: [{ path: '(body)', message: 'not valid JSON' }],
      });
    }
    await next();
  };
}
