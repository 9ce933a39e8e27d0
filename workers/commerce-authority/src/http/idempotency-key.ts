import type { Context } from 'hono';
import { ProblemError } from '../../../../shared/problem';

/** The client's Idempotency-Key header: absent, or 1 to 200 visible ASCII characters (else 400). */
export function idempotencyKeyHeader(c: Context): string | null {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return null;
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new ProblemError({
      status: 400,
      code: 'invalid_idempotency_key',
      detail: 'Idempotency-Key must be 1 to 200 visible ASCII characters.',
      errors: [{ path: '(header) idempotency-key', message: 'invalid' }],
    });
  }
  return key;
}
