// RateLimiter: request counters for the clients of one shard (the gateway picks the shard from the client key, so
// no object is global or hot for everyone). Each key, (shop, route class, client), allows at most `limit` hits in
// any sliding window of `windowMs`: a log of accepted hits, so "10 per minute" holds exactly, with no burst at a
// window's edge. Refused hits are not logged, so hammering does not extend the wait.
//
// The log lives in the object's memory, not in its storage: a hit costs no write. It is exact for the life of
// the object; if the object is evicted (idle) or restarted (a deploy, a machine move), it forgets the hits of
// the last window, so a client may get up to one extra window's allowance once. Holds, coupons and stock are
// capped elsewhere and durably; this is only the door's pace.
import { DurableObject } from 'cloudflare:workers';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the oldest counted hit leaves the window (a slot frees up). */
  resetSeconds: number;
}

/** No key uses a window longer than this; keys idle for longer are swept from memory. */
const LONGEST_WINDOW_MS = 60 * 60 * 1000;
/** A sweep of idle keys every this many hits keeps memory bounded by the clients of the last hour. */
const SWEEP_EVERY = 1_000;

export class RateLimiter extends DurableObject<unknown> {
  /** Accepted hits per key, oldest first. */
  private readonly hits = new Map<string, number[]>();
  private hitsSinceSweep = 0;

  hit(key: string, limit: number, windowMs: number): RateDecision {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    if (!Number.isSafeInteger(windowMs) || windowMs < 1000 || windowMs > LONGEST_WINDOW_MS) {
      throw new RangeError('windowMs must be between 1 second and 1 hour');
    }
    const now = Date.now();
    const log = this.hits.get(key) ?? [];
    const expired = log.findIndex((at) => at > now - windowMs);
    if (expired !== 0) log.splice(0, expired === -1 ? log.length : expired);
    const resetSeconds = Math.max(1, Math.ceil(((log[0] ?? now) + windowMs - now) / 1000));

    if (log.length >= limit) return { allowed: false, limit, remaining: 0, resetSeconds };
    log.push(now);
    this.hits.set(key, log);
    if (++this.hitsSinceSweep >= SWEEP_EVERY) this.sweep(now);
    return { allowed: true, limit, remaining: limit - log.length, resetSeconds };
  }

  private sweep(now: number) {
    this.hitsSinceSweep = 0;
    for (const [key, log] of this.hits) {
      if ((log.at(-1) ?? 0) <= now - LONGEST_WINDOW_MS) this.hits.delete(key);
    }
  }
}
