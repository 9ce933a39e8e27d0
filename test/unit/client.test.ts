// The browser client's checkout attempts: one Idempotency-Key per attempt, reused when the attempt is retried
// (a lost answer, a busy server) and joined by a double click; typed errors for the refusals a page must handle.
import { describe, expect, it } from 'vitest';
import { ChallengeRequiredError, createCommerce, RateLimitedError, StockConflictError } from '../../client/commerce';

interface Sent {
  key: string | null;
  body: unknown;
}

/** A stand-in for the network: answers in turn; a thrown TypeError is a lost connection, as fetch reports it. */
function network(...answers: (Response | 'lost')[]) {
  const sent: Sent[] = [];
  const fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
    sent.push({ key: new Headers(init?.headers).get('idempotency-key'), body: JSON.parse(String(init?.body)) });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const answer = answers.shift() ?? 'lost';
    if (answer === 'lost') throw new TypeError('Failed to fetch');
    return answer;
  };
  return { sent, commerce: createCommerce({ fetch: fetch as typeof globalThis.fetch }) };
}

const opened = (sessionId: string) => Response.json({ checkoutId: 'chk_1', sessionId, url: 'https://pay.example/x' });
const problem = (status: number, body: object, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: 'about:blank', title: 'x', status, detail: 'refused', ...body }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });

describe('browser client: checkout attempts', () => {
  it('a lost answer is retried with the same Idempotency-Key', async () => {
    const { sent, commerce } = network('lost', opened('cs_1'));
    const checkout = await commerce.checkout({ items: [{ sku: 'A', quantity: 1 }], redirect: false });
    expect(checkout.sessionId).toBe('cs_1');
    expect(sent).toHaveLength(2);
    expect(sent[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]!.key).toBe(sent[0]!.key);
  });

  it('a double click joins the attempt under way: one request, one checkout', async () => {
    const { sent, commerce } = network(opened('cs_2'), opened('cs_other'));
    const [a, b] = await Promise.all([commerce.checkout({ redirect: false }), commerce.checkout({ redirect: false })]);
    expect(a.sessionId).toBe('cs_2');
    expect(b.sessionId).toBe('cs_2');
    expect(sent).toHaveLength(1);
  });

  it('a new attempt after the last one ended gets a new key', async () => {
    const { sent, commerce } = network(opened('cs_3'), opened('cs_4'));
    await commerce.checkout({ redirect: false });
    await commerce.checkout({ redirect: false });
    expect(sent[0]!.key).not.toBe(sent[1]!.key);
  });

  it('502 and 503 are retried (with the key) at most twice; refusals are not retried', async () => {
    const busy = () => problem(503, { code: 'checkout_busy' }, { 'retry-after': '0' });
    const gone = network(busy(), problem(502, { code: 'payment_provider_error' }), busy());
    await expect(gone.commerce.checkout({ redirect: false })).rejects.toMatchObject({ status: 503, code: 'checkout_busy' });
    expect(gone.sent).toHaveLength(3);
    expect(new Set(gone.sent.map((s) => s.key)).size).toBe(1);

    const sold = network(problem(409, { code: 'insufficient_stock', lines: [{ sku: 'A', available: 0 }] }));
    await expect(sold.commerce.checkout({ redirect: false })).rejects.toBeInstanceOf(StockConflictError);
    expect(sold.sent).toHaveLength(1);
  });

  it('typed refusals: a challenge to show, and the hold cap with its Retry-After', async () => {
    const challenge = { provider: 'turnstile', siteKey: '1x00000000000000000000AA', minTotal: 5000 };
    const { commerce } = network(
      problem(403, { code: 'challenge_required', challenge }),
      problem(429, { code: 'hold_limit', limit: { name: 'maxHeldUnitsPerClient', value: 20 } }, { 'retry-after': '1200' }),
    );
    const first = await commerce.checkout({ redirect: false }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ChallengeRequiredError);
    expect((first as ChallengeRequiredError).challenge).toEqual(challenge);
    const second = await commerce.checkout({ challengeToken: 'token', redirect: false }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(RateLimitedError);
    expect(second).toMatchObject({ code: 'hold_limit', retryAfterSeconds: 1200 });
  });
});
