// The front-door's log: one console call per request it answers itself, with a plain object, so Workers Logs
// stores its fields (worker, request id, shop, path, status) for filtering rather than one opaque JSON string.
import { exports } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => vi.restoreAllMocks());

describe('front-door: logs', () => {
  it('a request it answers is one log entry, an object with the fields to filter by', async () => {
    const info = vi.spyOn(console, 'log').mockImplementation(() => {});
    const headers = { host: 'localhost:8787', 'x-request-id': 'log-test-0001' };
    const request = new Request('http://localhost:8787/api/secret', { headers });
    const res = await exports.default.fetch(request);
    expect(res.status).toBe(404);
    const entries = info.mock.calls.filter(([entry]) => (entry as { event?: string })?.event === 'request');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toHaveLength(1);
    expect(entries[0]![0]).toEqual({
      level: 'info',
      event: 'request',
      worker: 'front-door',
      requestId: 'log-test-0001',
      shopId: 'cochlearfit',
      method: 'GET',
      path: '/api/secret',
      status: 404,
      ms: expect.any(Number),
    });
  });
});
