// The README's own `npm run dev`, end to end (two wrangler dev processes, the seeded demo shop), and proof that
// stacks on one machine keep to themselves: with dev up, a Miniflare stack and another wrangler dev start and
// stop beside it, and dev still answers. Both wrangler stacks are started by ./global-setup.ts.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { startStack } from '../stack/harness';
import { closed } from './global-setup';

const { dev, other } = inject('devStacks');

async function productCount(url: string): Promise<number> {
  const res = await fetch(`${url}/api/products`, { headers: { 'cf-connecting-ip': '198.23.0.1' } });
  return res.ok ? ((await res.json()) as { products: unknown[] }).products.length : 0;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

async function until(what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) {
      throw new Error(`${what} not ready after ${timeoutMs} ms:\n${readFileSync(dev.log, 'utf8').slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Resolves once no process of the group `pgid` is left. */
async function gone(pgid: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) throw new Error(`process group ${pgid} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One request on the given kept-alive connection pool; node:http, so the body can be sent chunked. */
function send(agent: http.Agent, method: string, route: string, chunks: string[] = []) {
  const { port } = new URL(dev.url);
  const started = Date.now();
  return new Promise<{ status: number; ms: number; reused: boolean }>((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'cf-connecting-ip': '198.23.0.2' };
    const req = http.request({ host: '127.0.0.1', port, path: route, method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, ms: Date.now() - started, reused: req.reusedSocket }));
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${route} had no answer after 15 s`)));
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

beforeAll(async () => {
  // dev says so once the shop files are loaded; the other stack is up once its authority answers.
  await until('npm run dev', async () => readFileSync(dev.log, 'utf8').includes('The stack is up'), 180_000);
  await until('the other wrangler dev', () => answers(`${other.url}/api/health`), 60_000);
}, 240_000);

describe('npm run dev', () => {
  it('serves the demo shop: health through every hop with a request id, the catalog, the storefront', async () => {
    const health = await fetch(`${dev.url}/api/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-request-id')).toBeTruthy();
    const report = (await health.json()) as { hops: { hop: string }[] };
    expect(report.hops.map((h) => h.hop)).toEqual(['front-door', 'checkout-gateway', 'commerce-authority', 'd1']);
    expect(await productCount(dev.url)).toBe(3);
    const page = await fetch(`${dev.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>CochlearFit');
  });

  it('a refused body does not hold up the next request on the same connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // Chunked, so the front-door cannot refuse it by Content-Length and stops reading at 64 KB.
      const chunks = Array.from({ length: 10 }, () => 'x'.repeat(20 * 1024));
      const refused = await send(agent, 'POST', '/api/inventory/validate', ['{"pad":"', ...chunks, '"}']);
      expect(refused.status).toBe(413);
      const next = await send(agent, 'GET', '/api/products');
      expect(next).toMatchObject({ status: 200, reused: true });
      expect(next.ms).toBeLessThan(3_000);
    } finally {
      agent.destroy();
    }
  });

  it('keeps answering while a Miniflare stack and another wrangler dev start and stop on the same machine', async () => {
    const stack = await startStack(undefined, { quiet: true });
    try {
      expect((await fetch(`${stack.urls.cochlearfit}/api/health`)).status).toBe(200);
    } finally {
      await stack.stop();
    }
    // The other stack's authority has the same worker name as dev's; with one registry for the machine, it
    // would have taken over dev's service binding, and its exit would unregister it (dev's health: 503).
    process.kill(-other.pid, 'SIGTERM');
    await closed(other.port);
    await gone(other.pid); // wrangler unregisters its workers on its way out, after workerd has stopped
    // dev notices a registry change within about 100 ms: ask for two seconds.
    for (let i = 0; i < 8; i++) {
      expect((await fetch(`${dev.url}/api/health`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await productCount(dev.url)).toBe(3);
  });
});
