// A fake Cloudflare Turnstile siteverify for tests: a real HTTP server that checks the form the authority sends
// (secret, response token, remoteip) the way siteverify does. Tokens starting with "pass" succeed once (a
// second use is `timeout-or-duplicate`, as tokens are single use); anything else is `invalid-input-response`.
// With Cloudflare's dummy secret every answer names example.com, as the real one does; with a widget's own
// secret it names the page the token was solved on, written in the token after "@" ("pass-1@shop.example").
// Tests read what it received and make it fail (500, or never answer) through its /__control endpoints.
import { startFakeServer } from './fake-server';

/** Cloudflare's published test secret that always passes; the fake accepts it and nothing else. */
export const TURNSTILE_TEST_SECRET = '1x0000000000000000000000000000000AA';
/** A widget's own secret (the shape of a real one): its answers name the host the token was solved on. */
export const TURNSTILE_WIDGET_SECRET = '0x4AAAAAAAfakeWidgetSecret0123456789';
/** Cloudflare's published test site key for a visible widget that always passes. */
export const TURNSTILE_TEST_SITE_KEY = '1x00000000000000000000AA';

export interface SiteverifyRequest {
  contentType: string | null;
  form: Record<string, string>;
}

export interface FakeTurnstile {
  url: string;
  close(): Promise<void>;
}

type Mode = 'ok' | 'down' | 'hang';

export async function startFakeTurnstile(): Promise<FakeTurnstile> {
  let mode: Mode = 'ok';
  let received: SiteverifyRequest[] = [];
  const spent = new Set<string>();

  const server = await startFakeServer(({ method, path, headers, body }, reply) => {
    if (path === '/__control/requests') return reply(200, received);
    if (path === '/__control/reset') {
      mode = 'ok';
      received = [];
      return reply(200, {});
    }
    if (path === '/__control/mode') {
      mode = (JSON.parse(body) as { mode: Mode }).mode;
      return reply(200, {});
    }
    if (path !== '/turnstile/v0/siteverify' || method !== 'POST') return reply(404, {});

    const form = Object.fromEntries(new URLSearchParams(body));
    received.push({ contentType: headers['content-type'] ?? null, form });
    if (mode === 'hang') return; // never answers; the caller's timeout must end it
    if (mode === 'down') return reply(500, { error: 'internal' });

    const failure = (codes: string[]) => reply(200, { success: false, 'error-codes': codes, messages: [] });
    if (!form.secret) return failure(['missing-input-secret']);
    if (form.secret !== TURNSTILE_TEST_SECRET && form.secret !== TURNSTILE_WIDGET_SECRET) return failure(['invalid-input-secret']);
    if (!form.response) return failure(['missing-input-response']);
    if (!form.response.startsWith('pass')) return failure(['invalid-input-response']);
    if (spent.has(form.response)) return failure(['timeout-or-duplicate']);
    spent.add(form.response);
    return reply(200, {
      success: true,
      challenge_ts: new Date().toISOString(),
      hostname: form.secret === TURNSTILE_WIDGET_SECRET ? (form.response.split('@')[1] ?? 'unknown.invalid') : 'example.com',
      'error-codes': [],
      action: '',
      cdata: '',
      metadata: { ephemeral_id: 'x:fake' },
    });
  });
  return { url: `${server.origin}/turnstile/v0/siteverify`, close: server.close };
}
