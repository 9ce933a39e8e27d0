// A fake webhook receiver (a Slack incoming webhook, say) for tests: a real HTTP server that records every POST
// it gets (path, content type, JSON body) and answers 200, or 500 in `down` mode. Tests read and reset it through
// its /__control endpoints.
import { startFakeServer } from './fake-server';

export interface ReceivedPost {
  path: string;
  contentType: string | null;
  body: unknown;
}

export async function startFakeReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  let received: ReceivedPost[] = [];
  let down = false;
  const server = await startFakeServer(({ method, path, headers, body: text }, reply) => {
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
    if (method !== 'POST') return reply(405, {});
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text: the test sees what was sent
    }
    received.push({ path, contentType: headers['content-type'] ?? null, body });
    return down ? reply(500, { error: 'down' }) : reply(200, { ok: true });
  });
  return { url: server.origin, close: server.close };
}
