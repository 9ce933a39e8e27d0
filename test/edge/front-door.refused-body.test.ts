// A body the front-door refuses is drained before the 413, so the connection is free for the next request, but
// only up to a bound: an upload that never ends still gets its 413 (the rest is cancelled), and none is buffered.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DRAIN_LIMIT } from '../../workers/front-door/src/body';

function upload(total: number, path = '/api/cart', headers: Record<string, string> = {}) {
  const state = { sent: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.sent >= total) return controller.close();
      state.sent += 64 * 1024;
      controller.enqueue(new Uint8Array(64 * 1024));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  const request = new Request(`http://localhost:8787${path}`, {
    method: 'POST',
    headers: { host: 'localhost:8787', 'content-type': 'application/json', ...headers },
    body,
  });
  return { state, request };
}

describe('front-door: a refused body', () => {
  it('is read to its end before the 413, not left on the connection', async () => {
    const { state, request } = upload(512 * 1024);
    const res = await exports.default.fetch(request);
    expect(res.status).toBe(413);
    expect(state).toEqual({ sent: 512 * 1024, cancelled: false });
  });

  it('that never ends is read only up to the drain bound, and still answered 413', async () => {
    const { state, request } = upload(Number.POSITIVE_INFINITY);
    const res = await exports.default.fetch(request);
    expect(res.status).toBe(413);
    expect(state.sent).toBeGreaterThan(DRAIN_LIMIT);
    expect(state.sent).toBeLessThan(DRAIN_LIMIT + 1024 * 1024);
  });

  it.each([
    ['an unknown API path (404)', '/api/nothing-here', {}, 404],
    ['a method the path does not take (405)', '/api/products', {}, 405],
    ['a page (405)', '/index.html', {}, 405],
    ['another site (403)', '/api/cart', { origin: 'https://elsewhere.example' }, 403],
  ])('refused before it is read, for %s, is drained too', async (_, path, headers, status) => {
    const { state, request } = upload(256 * 1024, path, headers);
    const res = await exports.default.fetch(request);
    expect(res.status).toBe(status);
    expect(state).toEqual({ sent: 256 * 1024, cancelled: false });
  });
});
