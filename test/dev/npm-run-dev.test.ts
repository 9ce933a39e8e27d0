// The README's own `npm run dev`, end to end (two wrangler dev processes, the seeded demo shop), and proof that
// stacks on one machine keep to themselves: with one dev up, a second dev and a Miniflare stack start and stop
// beside it, and the first still answers. Each dev here runs on free ports with its own state folder.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcessGroup, waitUntilReady, type DevProcess } from '../../scripts/lib/wrangler';
import { startStack } from '../stack/harness';

interface Dev {
  url: string;
  ports: number[];
  process: DevProcess;
  stop(): Promise<void>;
}

async function startNpmDev(): Promise<Dev> {
  const state = mkdtempSync(path.join(os.tmpdir(), 'commerce-dev-'));
  const ports = [await freePort(), await freePort()];
  const args = ['run', 'dev', '--', '--port', String(ports[0]), '--authority-port', String(ports[1]), '--state', state];
  const url = `http://127.0.0.1:${ports[0]}`;
  const dev = startProcessGroup('npm', args, { url });
  const stop = async () => {
    await dev.stop();
    // npm may exit before dev has stopped its wrangler processes: wait until nothing listens any more.
    await Promise.all(ports.map((port) => closed(port)));
    rmSync(state, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(dev, `${url}/api/health`, {}, 150_000);
    // dev says so once the shop files are loaded.
    const deadline = Date.now() + 60_000;
    while (!dev.output().includes('The stack is up')) {
      if (Date.now() > deadline || dev.child.exitCode !== null) throw new Error('the shop files were not loaded');
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    await stop();
    throw new Error(`npm run dev did not come up: ${error}\n${dev.output().slice(-4000)}`);
  }
  return { url, ports, process: dev, stop };
}

async function productCount(url: string): Promise<number> {
  const res = await fetch(`${url}/api/products`, { headers: { 'cf-connecting-ip': '198.23.0.1' } });
  return res.ok ? ((await res.json()) as { products: unknown[] }).products.length : 0;
}

async function closed(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const listening = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (!listening) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`port ${port} still listening ${timeoutMs} ms after npm run dev was stopped`);
}

/** One request on the given kept-alive connection pool; node:http, so the body can be sent chunked. */
function send(agent: http.Agent, url: string, method: string, route: string, chunks: string[] = []) {
  const { port } = new URL(url);
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

let first: Dev;
let second: Dev;

beforeAll(async () => {
  const started = await Promise.allSettled([startNpmDev(), startNpmDev()]);
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.stop() : undefined)));
    throw failed.reason;
  }
  [first, second] = started.map((outcome) => (outcome as PromiseFulfilledResult<Dev>).value) as [Dev, Dev];
}, 240_000);

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
}, 60_000);

describe('npm run dev', () => {
  it('serves the demo shop: health through every hop with a request id, the catalog, the storefront', async () => {
    const health = await fetch(`${second.url}/api/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-request-id')).toBeTruthy();
    const report = (await health.json()) as { hops: { hop: string }[] };
    expect(report.hops.map((h) => h.hop)).toEqual(['front-door', 'checkout-gateway', 'commerce-authority', 'd1']);
    expect(await productCount(second.url)).toBe(3);
    const page = await fetch(`${second.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>CochlearFit');
  });

  it('a refused body does not hold up the next request on the same connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // Chunked, so the front-door cannot refuse it by Content-Length and stops reading at 64 KB.
      const chunks = Array.from({ length: 10 }, () => 'x'.repeat(20 * 1024));
      const refused = await send(agent, second.url, 'POST', '/api/inventory/validate', ['{"pad":"', ...chunks, '"}']);
      expect(refused.status).toBe(413);
      const next = await send(agent, second.url, 'GET', '/api/products');
      expect(next).toMatchObject({ status: 200, reused: true });
      expect(next.ms).toBeLessThan(3_000);
    } finally {
      agent.destroy();
    }
  });

  it('keeps answering while another dev and a Miniflare stack start and stop on the same machine', async () => {
    const stack = await startStack(undefined, { quiet: true });
    try {
      expect((await fetch(`${stack.urls.cochlearfit}/api/health`)).status).toBe(200);
    } finally {
      await stack.stop();
    }
    await second.stop();
    const health = await fetch(`${first.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await productCount(first.url)).toBe(3);
  });
});
