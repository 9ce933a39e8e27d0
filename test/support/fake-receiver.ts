// A fake webhook receiver (a Slack incoming webhook, say) for tests: a real HTTP server that records every POST
// it gets (path, content type, JSON body) and answers 200, or 500 in `down` mode. Tests read and reset it through
// its /__control endpoints.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  path: string;
  contentType: string | null;
  body: unknown;
}

export async function startFakeReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  let received: ReceivedPost[] = [];
  let down = false;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const reply = (status: number, answer: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    };
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (path === '/__control/requests') return reply(200, received);
    if (path === '/__control/reset') {
      received = [];
      down = false;
      return reply(200, {});
    }
    if (path === '/__control/down') {
      down = true;
      return reply(200, {});
    }
    if (req.method !== 'POST') return reply(405, {});
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text: the test sees what was sent
    }
    received.push({ path, contentType: req.headers['content-type'] ?? null, body });
    return down ? reply(500, { error: 'down' }) : reply(200, { ok: true });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
