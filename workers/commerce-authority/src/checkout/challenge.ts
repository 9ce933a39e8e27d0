// Cloudflare Turnstile for the checkouts a shop marks as worth protecting (a total threshold, flagged variants):
// the token is verified with siteverify, once, with the client's address, before anything is held, and it must
// have been solved on one of the shop's own hostnames (a site key may serve several sites). Fails closed:
// siteverify unreachable is a 503, and in production a shop that asks for a challenge without a real secret
// takes no such checkout.
import type { ChallengeConfig } from '../../../../shared/contracts';
import { ProblemError } from '../../../../shared/problem';
import type { Shop } from '../db/shops';
import type { AuthorityEnv } from '../env';
import { log } from '../log';
import { secretNamed } from '../payments/select';

const SITEVERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';
const SITEVERIFY_TIMEOUT_MS = 5_000;
/**
 * Cloudflare's published dummy secrets (pass, fail, already spent). They answer for any token and name
 * example.com as the host, so they prove nothing about the shopper: accepted outside production only, without
 * the hostname check.
 */
const DUMMY_SECRET = /^[123]x0{31}AA$/;

/** Whether this checkout (its total, its variants) must pass the shop's challenge. */
export function challengeRequired(shop: Shop, checkout: { total: number; flagged: boolean }): boolean {
  if (!shop.turnstileSiteKey) return false;
  return checkout.flagged || (shop.challengeMinTotal !== null && checkout.total >= shop.challengeMinTotal);
}

/** Whether the challenge is enforced here: the secret is set, or this is production (where it must be). */
function enforced(env: AuthorityEnv, shop: Shop): boolean {
  return env.ENVIRONMENT === 'production' || secretNamed(env, shop.turnstileSecretBinding) !== undefined;
}

/** What the storefront needs to show the widget; null when no checkout of this shop will ask for it. */
export function publicChallengeConfig(env: AuthorityEnv, shop: Shop): ChallengeConfig | null {
  if (!shop.turnstileSiteKey || !enforced(env, shop)) return null;
  return { provider: 'turnstile', siteKey: shop.turnstileSiteKey, minTotal: shop.challengeMinTotal };
}

interface SiteverifyAnswer {
  success?: unknown;
  'error-codes'?: unknown;
  /** The hostname of the page the challenge was solved on. */
  hostname?: unknown;
}

/** The host names the shop's pages are served from: its hostnames (Host values, maybe with a port) and origins. */
function hostsOf(shop: Shop): Set<string> {
  const hostOf = (url: string) => {
    try {
      return [new URL(url).hostname.toLowerCase()];
    } catch {
      return [];
    }
  };
  return new Set([...shop.hostnames.flatMap((host) => hostOf(`http://${host}`)), ...shop.allowedOrigins.flatMap(hostOf)]);
}

function solvedOnShop(shop: Shop, hostname: unknown): boolean {
  return typeof hostname === 'string' && hostsOf(shop).has(hostname.toLowerCase());
}

/** Verifies the shopper's token, or throws the problem to answer (403, or 503 when it cannot be checked). */
export async function verifyChallenge(
  ctx: { env: AuthorityEnv; shop: Shop; requestId: string },
  token: string | undefined,
  clientIp: string | null,
): Promise<void> {
  const { env, shop, requestId } = ctx;
  const configured = secretNamed(env, shop.turnstileSecretBinding);
  const dummy = configured !== undefined && DUMMY_SECRET.test(configured);
  const secret = dummy && env.ENVIRONMENT === 'production' ? undefined : configured;
  if (!secret) {
    if (env.ENVIRONMENT !== 'production') {
      log.warn('challenge_skipped', { requestId, shopId: shop.id, reason: 'no Turnstile secret outside production' });
      return;
    }
    log.error('challenge_not_configured', { requestId, shopId: shop.id, binding: shop.turnstileSecretBinding, dummy });
    throw new ProblemError({
      status: 503,
      code: 'challenge_unavailable',
      detail: 'This checkout needs a security check that is not set up yet; nothing was held. Contact the shop.',
    });
  }
  if (!token) {
    throw new ProblemError({
      status: 403,
      code: 'challenge_required',
      detail: 'This checkout needs a quick security check first; complete it and try again.',
      extensions: { challenge: publicChallengeConfig(env, shop) },
    });
  }

  const form = new URLSearchParams({ secret, response: token });
  if (clientIp) form.set('remoteip', clientIp);
  const url = env.ENVIRONMENT !== 'production' && env.TURNSTILE_VERIFY_URL ? env.TURNSTILE_VERIFY_URL : SITEVERIFY_URL;
  let answer: SiteverifyAnswer;
  try {
    const response = await fetch(url, { method: 'POST', body: form, signal: AbortSignal.timeout(SITEVERIFY_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`siteverify answered ${response.status}`);
    answer = (await response.json()) as SiteverifyAnswer;
  } catch (error) {
    log.error('challenge_unreachable', { requestId, shopId: shop.id, error: String(error) });
    throw new ProblemError({
      status: 503,
      code: 'challenge_unavailable',
      detail: 'The security check could not be verified right now; nothing was held. Try again shortly.',
      headers: { 'retry-after': '5' },
    });
  }
  if (answer.success === true && (dummy || solvedOnShop(shop, answer.hostname))) return;
  const errorCodes =
    answer.success === true
      ? ['hostname-mismatch']
      : Array.isArray(answer['error-codes'])
        ? answer['error-codes'].filter((c) => typeof c === 'string')
        : [];
  const hostname = typeof answer.hostname === 'string' ? answer.hostname.slice(0, 253) : null;
  log.warn('challenge_failed', { requestId, shopId: shop.id, errorCodes, hostname });
  throw new ProblemError({
    status: 403,
    code: 'challenge_failed',
    detail: 'The security check did not pass (or was already used); complete it again and retry.',
    extensions: { errorCodes },
  });
}
