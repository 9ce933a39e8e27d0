// Reads a JSON request body against a contract. Anything that is not exactly the contract is a 4xx
// problem naming the field, raised before any state is touched.
import type { Context } from 'hono';
import type { z } from 'zod';
import { fromZodError } from 'zod-validation-error';
import { ProblemError, type ProblemFieldError } from '../../../../shared/problem';

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return out ? `${out}.${String(part)}` : String(part);
  }, '');
}

export function validationProblem(error: z.ZodError): ProblemError {
  const errors: ProblemFieldError[] = error.issues.flatMap((issue) =>
    // An unknown field is named by its own path, so the client sees exactly what to remove.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown field' }))
      : [{ path: formatPath(issue.path) || '(body)', message: issue.message }],
  );
  return new ProblemError({
    status: 400,
    code: 'validation_failed',
    detail: fromZodError(error, { prefix: 'Invalid request', maxIssuesInMessage: 5 }).message,
    errors,
  });
}

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ProblemError({
      status: 415,
      code: 'unsupported_content_type',
      detail: 'Send the body as JSON with content-type: application/json.',
      errors: [{ path: '(header) content-type', message: `expected application/json, got ${type || 'nothing'}` }],
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new ProblemError({
      status: 400,
      code: 'invalid_json',
      detail: 'The body is not valid JSON.',
      errors: [{ path: '(body)', message: 'not valid JSON' }],
    });
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw validationProblem(parsed.error);
  return parsed.data;
}
