// problem+json titles: every status a worker may answer with has its standard reason phrase (RFC 9110), so a
// client reading `title` sees "Forbidden" for a 403, not a generic "Error".
import { STATUS_CODES } from 'node:http';
import { describe, expect, it } from 'vitest';
import { PROBLEM_TITLES, problemBody, type ProblemStatus } from '../../shared/problem';

/** Where RFC 9110 renamed a phrase that Node still spells the old way. */
const RFC_9110_RENAMES: Record<number, string> = { 413: 'Content Too Large', 422: 'Unprocessable Content' };

describe('problem+json titles', () => {
  it('403 says Forbidden; 415, 422, 429, 502 and 503 say what they are', () => {
    const title = (status: ProblemStatus) => problemBody({ status, code: 'x', detail: 'x' }).title;
    expect(title(403)).toBe('Forbidden');
    expect(title(415)).toBe('Unsupported Media Type');
    expect(title(422)).toBe('Unprocessable Content');
    expect(title(429)).toBe('Too Many Requests');
    expect(title(502)).toBe('Bad Gateway');
    expect(title(503)).toBe('Service Unavailable');
  });

  it('every title is the standard reason phrase of its status', () => {
    for (const [status, title] of Object.entries(PROBLEM_TITLES)) {
      expect(title, `status ${status}`).toBe(RFC_9110_RENAMES[Number(status)] ?? STATUS_CODES[status]);
    }
  });
});
