// The HTTP skeleton the network fakes share: a real server on a free local port that hands each request, its body
// read in full, to the fake's handler. `close` drops kept-alive connections so a test run can end.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Answers with a JSON body. Not calling it leaves the request hanging (a fake's "hang" mode). */
export type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

export interface FakeServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  close(): Promise<void>;
}

export async function startFakeServer(handle: (request: FakeRequest, reply: Reply) => void): Promise<FakeServer> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply: Reply = (status, body, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const request: FakeRequest = {
      method: req.method ?? '',
      path: new URL(req.url ?? '/', 'http://fake').pathname,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    handle(request, reply);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
