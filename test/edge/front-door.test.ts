// The front-door: allowlist, shop from the Host header only, CORS per shop, request ids, body limits.
// Behind it sits a stand-in gateway that answers with the request it received.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/routes';
import { readBodyWithin } from '../../workers/front-door/src/body';

interface Forwarded {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

async function send(path: string, init: RequestInit & { host?: string } = {}) {
  const host = init.host ?? 'localhost:8787';
  const headers = new Headers(init.headers);
  headers.set('host', host);
  return exports.default.fetch(new Request(`http://${host}${path}`, { ...init, headers }));
}

async function forwarded(res: Response): Promise<Forwarded> {
  expect(res.status).toBe(200);
  return (await res.json()) as Forwarded;
}

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.headers.get('x-request-id')).toBeTruthy();
  expect(await res.json()).toMatchObject({ status, code });
}

describe('front-door: shop resolution', () => {
  it('maps the demo hosts to the cochlearfit shop, whatever their case', async () => {
    for (const host of ['localhost:8787', '127.0.0.1:8787', 'LOCALHOST:8787']) {
      expect((await forwarded(await send('/api/products', { host }))).headers['x-shop-id']).toBe('cochlearfit');
    }
  });

  it('drops a forged x-shop-id and x-client-ip', async () => {
    const res = await send('/api/products', { headers: { 'x-shop-id': 'othershop', 'x-client-ip': '6.6.6.6', 'cf-connecting-ip': '203.0.113.9' } });
    const seen = await forwarded(res);
    expect(seen.headers['x-shop-id']).toBe('cochlearfit');
    expect(seen.headers['x-client-ip']).toBe('203.0.113.9');
  });

  it('an unmapped host -> 404 problem+json "unknown shop"', async () => {
    const res = await send('/api/products', { host: 'evil.example' });
    await expectProblem(res, 404, 'unknown_shop');
  });
});

describe('front-door: allowlist', () => {
  it('forwards every allowlisted route', async () => {
    for (const route of ROUTES.filter((r) => r.class !== 'health')) {
      const path = route.path.replace(/:[a-z]+/g, 'x1');
      const init: RequestInit = { method: route.method };
      if (route.method !== 'GET') Object.assign(init, { body: '{}', headers: { 'content-type': 'application/json' } });
      const seen = await forwarded(await send(path, init));
      expect(seen.method).toBe(route.method);
      expect(new URL(seen.url).pathname).toBe(path);
    }
  });

  it('routes both checkout session paths', async () => {
    for (const path of ['/api/checkout-session', '/api/checkout/session']) {
      const res = await send(path, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(new URL((await forwarded(res)).url).pathname).toBe(path);
    }
  });

  it('an unknown path -> 404, also outside /api and with a path trick', async () => {
    for (const path of ['/api/nope', '/api/', '/api/admin/shops', '/api/products%2F..%2Fadmin%2Finventory', '/api/products/', '/api//products']) {
      await expectProblem(await send(path), 404, 'not_found');
    }
  });

  it('a known path with the wrong method -> 405 with Allow', async () => {
    const res = await send('/api/products', { method: 'DELETE' });
    await expectProblem(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('GET');
    const cart = await send('/api/cart', { method: 'OPTIONS' });
    expect(cart.status).toBe(405);
    expect(cart.headers.get('allow')).toBe('GET, POST, PATCH, PUT, DELETE');
  });
});

describe('front-door: request ids', () => {
  it('stamps an id on every answer and passes it down, keeping a sane one from the client', async () => {
    const fresh = await send('/api/products');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await send('/api/products', { headers: { 'x-request-id': 'client-req-12345' } });
    expect(kept.headers.get('x-request-id')).toBe('client-req-12345');
    expect((await forwarded(kept)).headers['x-request-id']).toBe('client-req-12345');
    const replaced = await send('/api/products', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(replaced.headers.get('x-request-id')).not.toBe('bad id with spaces');
    expect((await send('/api/nope')).headers.get('x-request-id')).toBeTruthy();
  });
});

describe('front-door: body size', () => {
  const json = { 'content-type': 'application/json' };

  it('a body over 64 KB -> 413', async () => {
    const big = 'x'.repeat(64 * 1024 + 1);
    await expectProblem(await send('/api/inventory/validate', { method: 'POST', body: big, headers: json }), 413, 'body_too_large');
  });

  it('a streamed body without Content-Length is cut off as soon as it passes the limit', async () => {
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1024;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const request = new Request('http://localhost:8787/api/cart', { method: 'POST', body: endless });
    expect(await readBodyWithin(request, 64 * 1024)).toBe('too_large');
    expect(sent).toBeLessThan(80 * 1024);
    const small = new Request('http://localhost:8787/api/cart', { method: 'POST', body: '{"a":1}' });
    expect(new TextDecoder().decode((await readBodyWithin(small, 64 * 1024)) as ArrayBuffer)).toBe('{"a":1}');
  });

  it('exactly 64 KB passes; the webhook accepts larger events', async () => {
    const limit = 'z'.repeat(64 * 1024);
    const seen = await forwarded(await send('/api/inventory/validate', { method: 'POST', body: limit, headers: json }));
    expect(seen.body.length).toBe(64 * 1024);
    const event = 'e'.repeat(200 * 1024);
    expect((await forwarded(await send('/api/stripe-webhook', { method: 'POST', body: event, headers: json }))).body.length).toBe(200 * 1024);
    await expectProblem(await send('/api/stripe-webhook', { method: 'POST', body: 'e'.repeat(513 * 1024), headers: json }), 413, 'body_too_large');
  });
});

describe('front-door: CORS', () => {
  const allowed = 'http://localhost:8787';

  it('answers a preflight from an allowed origin with credentials and the route methods', async () => {
    const res = await send('/api/cart', { method: 'OPTIONS', headers: { origin: allowed, 'access-control-request-method': 'PATCH' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toBe('PATCH');
    expect(res.headers.get('access-control-allow-headers')).toContain('content-type');
  });

  it('adds CORS headers to answers for an allowed origin, including errors', async () => {
    const ok = await send('/api/products', { headers: { origin: allowed } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-expose-headers')).toContain('retry-after');
    const notFound = await send('/api/nope', { headers: { origin: allowed } });
    expect(notFound.headers.get('access-control-allow-origin')).toBe(allowed);
  });

  it('another origin gets no CORS headers, and cannot change state', async () => {
    const evil = 'https://evil.example';
    const preflight = await send('/api/cart', { method: 'OPTIONS', headers: { origin: evil, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const read = await send('/api/products', { headers: { origin: evil } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    const write = await send('/api/cart', { method: 'POST', body: '{}', headers: { origin: evil, 'content-type': 'text/plain' } });
    await expectProblem(write, 403, 'origin_not_allowed');
  });

  it("one shop's origin is not another shop's", async () => {
    const res = await send('/api/products', { host: 'localhost:8787', headers: { origin: 'https://othershop.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('front-door: storefront', () => {
  it("serves the shop's static pages on its host", async () => {
    const home = await send('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toContain('text/html');
    expect(await home.text()).toContain('CochlearFit');
    const script = await send('/assets/app.js');
    expect(script.headers.get('content-type')).toContain('javascript');
  });

  it('redirects a folder without its slash to the shop path, not the assets path', async () => {
    const res = await send('/cart', { redirect: 'manual' });
    expect(res.status).toBeGreaterThanOrEqual(300);
    expect(res.status).toBeLessThan(400);
    expect(res.headers.get('location')).toBe('/cart/');
  });

  it('serves the merchant console at /admin/ with a strict CSP (no inline script or style), only on shop hosts', async () => {
    const page = await send('/admin/');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/admin/console.js"></script>');
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son[a-z]+=/); // nothing inline for the CSP to block
    const script = await send('/admin/console.js');
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(script.headers.get('content-security-policy')).toBe(csp);
    const bare = await send('/admin', { redirect: 'manual' });
    expect(bare.headers.get('location')).toBe('/admin/');
    expect((await send('/admin/', { host: 'evil.example' })).status).toBe(404);
  });

  it("an unknown page is the shop's 404 page; an unknown host gets no storefront", async () => {
    const missing = await send('/no-such-page/');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Page not found');
    const stranger = await send('/', { host: 'evil.example' });
    expect(stranger.status).toBe(404);
    expect(stranger.headers.get('content-type')).toBe('application/problem+json');
    expect((await send('/', { method: 'POST', body: 'x' })).status).toBe(405);
  });
});
