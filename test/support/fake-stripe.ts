// A fake Stripe API for tests: a real HTTP server the real stripe package talks to (through its host/port/
// protocol options). It checks what the code sends the way Stripe would (auth, version, idempotency keys,
// the form-encoded parameters of a Checkout Session) and refuses what Stripe would refuse. Tests read what
// it received and tell it to fail (500, 429, a hang) or to answer the next calls late (/__control/late) through
// its /__control endpoints; it can also answer every call late (`delayMs`, the bench's latency model).
import { startFakeServer } from './fake-server';

type Form = { [key: string]: string | Form | Form[] | string[] };

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  authorized: boolean;
  form: Form;
}

/** Parses Stripe's form encoding (`a[b][0][c]=v`) into nested objects and arrays. */
export function parseStripeForm(body: string): Form {
  const root: Form = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const parts = rawKey.replace(/\]/g, '').split('[');
    let node: any = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(parts[i + 1]!);
      if (last) node[part] = value;
      else node = node[part] ??= nextIsIndex ? [] : {};
    });
  }
  return root;
}

function invalid(message: string, param?: string) {
  return { status: 400, body: { error: { type: 'invalid_request_error', message, ...(param ? { param } : {}) } } };
}

/** The checks Stripe makes on a Checkout Session that matter to us. */
export function checkSessionParams(form: Form, now = Date.now()): string | null {
  if (form.mode !== 'payment') return 'mode must be payment';
  if (!['hosted_page', 'embedded_page'].includes(String(form.ui_mode))) return `Invalid ui_mode: ${String(form.ui_mode)}`;
  const items = form.line_items as Form[] | undefined;
  if (!Array.isArray(items) || items.length === 0) return 'line_items is required';
  for (const item of items) {
    if (!/^\d+$/.test(String(item.quantity)) || Number(item.quantity) < 1) return 'line_items[].quantity must be a positive integer';
    const priceData = item.price_data as Form | undefined;
    if (!item.price && !priceData) return 'line_items[] needs price or price_data';
    if (priceData) {
      if (!/^[a-z]{3}$/.test(String(priceData.currency))) return 'price_data.currency invalid';
      if (!/^\d+$/.test(String(priceData.unit_amount))) return 'price_data.unit_amount must be an integer';
      if (!(priceData.product_data as Form | undefined)?.name) return 'price_data.product_data.name is required';
    }
  }
  const expiresAt = Number(form.expires_at) * 1000;
  if (!(expiresAt >= now + 30 * 60_000 - 5_000) || !(expiresAt <= now + 24 * 60 * 60_000)) {
    return 'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.';
  }
  if (form.ui_mode === 'hosted_page' && (!form.success_url || !form.cancel_url)) return 'success_url and cancel_url are required';
  if (form.ui_mode === 'embedded_page' && (!form.return_url || form.success_url)) return 'embedded_page takes return_url only';
  const metadata = form.metadata as Form | undefined;
  for (const key of ['shop_id', 'inventory_reservation_id', 'checkout_id']) if (!metadata?.[key]) return `metadata.${key} missing`;
  return null;
}

type Failure = { mode: '500' | '429' | 'hang'; remaining: number };

export interface FakeStripe {
  url: string;
  close(): Promise<void>;
}

export interface FakeStripeOptions {
  /**
   * Answer every API call (not /__control) this many ms after it arrived: the latency model's Stripe call (npm run
   * bench). The fake's own work is inside those ms, as Stripe's is inside a real call's.
   */
  delayMs?: number;
}

export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  let requests: RecordedRequest[] = [];
  let failure: Failure | null = null;
  /** The next API calls answer this late (a slow Stripe), set through /__control/late. */
  let late: { ms: number; remaining: number } | null = null;
  const idempotent = new Map<string, { params: string; status: number; body: unknown }>();
  /** Keys whose first call is still being answered. */
  const inProgress = new Set<string>();
  let counter = 0;

  function handleApi(method: string, path: string, form: Form): { status: number; body: unknown } {
    const now = Date.now();
    if (method === 'POST' && path === '/v1/coupons') {
      if (!/^\d+$/.test(String(form.amount_off)) || !form.currency) return invalid('amount_off and currency are required');
      return { status: 200, body: { id: `co_fake_${++counter}`, object: 'coupon', amount_off: Number(form.amount_off) } };
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const problem = checkSessionParams(form, now);
      if (problem) return invalid(problem);
      const id = `cs_test_fake${String(++counter).padStart(6, '0')}`;
      const hosted = form.ui_mode === 'hosted_page';
      return {
        status: 200,
        body: {
          id,
          object: 'checkout.session',
          status: 'open',
          payment_status: 'unpaid',
          ui_mode: form.ui_mode,
          url: hosted ? `https://checkout.stripe.test/c/pay/${id}` : null,
          client_secret: hosted ? null : `${id}_secret_fake`,
          expires_at: Number(form.expires_at),
          metadata: form.metadata,
          client_reference_id: form.client_reference_id ?? null,
        },
      };
    }
    const expire = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(path);
    if (method === 'POST' && expire) return { status: 200, body: { id: expire[1], object: 'checkout.session', status: 'expired' } };
    return { status: 404, body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path})` } } };
  }

  const server = await startFakeServer(({ method, path, headers, body: raw }, reply) => {
    const arrived = performance.now();
    const send = (status: number, body: unknown, extra: Record<string, string> = {}) =>
      reply(status, body, { 'request-id': `req_fake_${counter}`, ...extra });

    if (path === '/__control/requests') return send(200, requests);
    if (path === '/__control/reset') {
      requests = [];
      failure = null;
      late = null;
      idempotent.clear();
      inProgress.clear();
      return send(200, { ok: true });
    }
    if (path === '/__control/late') {
      const { ms, times } = JSON.parse(raw) as { ms: number; times?: number };
      late = { ms, remaining: times ?? 1 };
      return send(200, { ok: true });
    }
    if (path === '/__control/fail') {
      const { mode, times } = JSON.parse(raw) as { mode: Failure['mode']; times?: number };
      failure = { mode, remaining: times ?? 1_000 };
      return send(200, { ok: true });
    }

    const form = parseStripeForm(raw);
    const idempotencyKey = (headers['idempotency-key'] as string | undefined) ?? null;
    requests.push({
      method: method,
      path: path,
      idempotencyKey,
      stripeVersion: (headers['stripe-version'] as string | undefined) ?? null,
      authorized: /^Bearer sk_test_\w+$/.test(String(headers.authorization ?? '')),
      form,
    });
    if (!/^Bearer sk_test_\w+$/.test(String(headers.authorization ?? ''))) {
      return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
    }
    if (method === 'POST' && !idempotencyKey) return send(400, { error: { type: 'invalid_request_error', message: 'this fake requires an Idempotency-Key on every POST' } });

    if (failure && failure.remaining > 0) {
      failure.remaining -= 1;
      if (failure.mode === 'hang') return; // never answers: the client's timeout must fire
      if (failure.mode === '429') return send(429, { error: { type: 'rate_limit_error', message: 'Too many requests' } });
      return send(500, { error: { type: 'api_error', message: 'Something went wrong on our end' } }, { 'stripe-should-retry': 'true' });
    }

    const params = `${method} ${path} ${raw}`;
    if (idempotencyKey && inProgress.has(idempotencyKey)) {
      // What Stripe answers while the first call with a key is still running: nothing saved, try again.
      const message = 'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through). Please try again later.';
      return send(409, { error: { type: 'idempotency_error', message } });
    }
    const seen = idempotencyKey ? idempotent.get(idempotencyKey) : undefined;
    if (seen) {
      if (seen.params !== params) {
        return send(400, { error: { type: 'idempotency_error', message: 'Keys for idempotent requests can only be used with the same parameters they were first used with.' } });
      }
      return send(seen.status, seen.body, { 'idempotent-replayed': 'true' });
    }
    const answer = handleApi(method, path, form);
    if (idempotencyKey && answer.status < 500) idempotent.set(idempotencyKey, { params, ...answer });
    const delayMs = late && late.remaining-- > 0 ? late.ms : options.delayMs;
    if (delayMs) {
      if (idempotencyKey) inProgress.add(idempotencyKey);
      setTimeout(() => {
        if (idempotencyKey) inProgress.delete(idempotencyKey);
        send(answer.status, answer.body);
      }, Math.max(0, delayMs - (performance.now() - arrived)));
    } else send(answer.status, answer.body);
  });
  return { url: server.origin, close: server.close };
}
