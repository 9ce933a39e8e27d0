// Every answer carries x-request-id, whichever hop gave it: the front-door (pages, health, refusals), the
// gateway (rate limits) or the authority (data and its own errors). A client's well-formed id comes back as
// sent, so a support request can be traced through the three workers' logs; otherwise each answer gets a new one.
import http from 'node:http';
import { describe, expect, inject, it } from 'vitest';

const urls = inject('stackUrls');
const ip = (n: number) => ({ 'cf-connecting-ip': `198.24.0.${n}` });

async function idOf(path: string, init: RequestInit & { sent?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.sent) headers.set('x-request-id', init.sent);
  const res = await fetch(`${urls.cochlearfit}${path}`, { ...init, headers });
  await res.arrayBuffer();
  return { status: res.status, id: res.headers.get('x-request-id') };
}

describe('whole stack: x-request-id', () => {
  it('health answers with the id it was sent, and with a fresh one when none was sent', async () => {
    expect(await idOf('/api/health', { sent: 'health-check-0001' })).toEqual({ status: 200, id: 'health-check-0001' });
    const fresh = await idOf('/api/health');
    expect(fresh.status).toBe(200);
    expect(fresh.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('front-door answers carry it: a page, an unknown path, a wrong method, a refused origin, a big body', async () => {
    expect(await idOf('/', { sent: 'front-door-page-1' })).toEqual({ status: 200, id: 'front-door-page-1' });
    expect(await idOf('/api/secret', { sent: 'front-door-404-1' })).toEqual({ status: 404, id: 'front-door-404-1' });
    expect(await idOf('/api/products', { method: 'DELETE', sent: 'front-door-405-1' }))
      .toEqual({ status: 405, id: 'front-door-405-1' });
    const post = { method: 'POST', headers: { 'content-type': 'application/json', ...ip(1) } };
    const foreign = { ...post.headers, origin: 'https://evil.example' };
    expect(await idOf('/api/cart', { ...post, headers: foreign, body: '{}', sent: 'front-door-403-1' }))
      .toEqual({ status: 403, id: 'front-door-403-1' });
    expect(await idOf('/api/cart', { ...post, body: 'x'.repeat(70 * 1024), sent: 'front-door-413-1' }))
      .toEqual({ status: 413, id: 'front-door-413-1' });
  });

  it('an unknown host gets one too', async () => {
    const { port } = new URL(urls.cochlearfit);
    const id = await new Promise<string | undefined>((resolve, reject) => {
      const headers = { host: 'shop.unknown.example', 'x-request-id': 'front-door-host-1' };
      const req = http.request({ host: '127.0.0.1', port, path: '/api/products', headers }, (res) => {
        res.resume();
        resolve(res.headers['x-request-id'] as string | undefined);
      });
      req.on('error', reject);
      req.end();
    });
    expect(id).toBe('front-door-host-1');
  });

  it('a 429 from the gateway carries it', async () => {
    const init = { method: 'POST', headers: { 'content-type': 'application/json', ...ip(2) }, body: '{}' };
    let last = { status: 0, id: null as string | null };
    for (let i = 0; i < 11 && last.status !== 429; i++) {
      last = await idOf('/api/checkout-session', { ...init, sent: `gateway-429-${i}-x` });
    }
    expect(last.status).toBe(429);
    expect(last.id).toMatch(/^gateway-429-\d+-x$/);
  });

  it('answers from the authority carry it: data, a 404 and a 400', async () => {
    expect(await idOf('/api/products', { headers: ip(3), sent: 'authority-200-1' })).toEqual({ status: 200, id: 'authority-200-1' });
    expect(await idOf('/api/checkout/session/cs_dev_nosuchsession', { headers: ip(3), sent: 'authority-404-1' }))
      .toEqual({ status: 404, id: 'authority-404-1' });
    const bad = { method: 'POST', headers: { 'content-type': 'application/json', ...ip(3) }, body: '{"items":[]}' };
    expect(await idOf('/api/inventory/validate', { ...bad, sent: 'authority-400-1' })).toEqual({ status: 400, id: 'authority-400-1' });
  });
});
