// RateLimiter: request counters for the client IPs of one shard (the gateway picks the shard from the IP, so
// no object is global or hot for everyone). Each key, (shop, route class, IP), allows at most `limit` hits in any
// sliding window of `windowMs`: a log of accepted hits, so "10 per minute" holds exactly, with no burst
// at a window's edge. Refused hits are not logged, so hammering does not extend the wait.
import { DurableObject } from 'cloudflare:workers';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the oldest counted hit leaves the window (a slot frees up). */
  resetSeconds: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS hits_by_key_time ON hits (key, at);
`;

export class RateLimiter extends DurableObject<unknown> {
  private readonly sql: SqlStorage;
  /** Known to have an alarm pending: saves a storage read on every hit. */
  private alarmSet = false;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
  }

  async hit(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    if (!Number.isSafeInteger(windowMs) || windowMs < 1000) throw new RangeError('windowMs must be at least 1000');
    const now = Date.now();
    const since = now - windowMs;
    this.sql.exec(`DELETE FROM hits WHERE key = ? AND at <= ?`, key, since);
    const { count, oldest } = this.sql
      .exec<{ count: number; oldest: number | null }>(`SELECT COUNT(*) AS count, MIN(at) AS oldest FROM hits WHERE key = ?`, key)
      .one();
    const resetSeconds = (from: number) => Math.max(1, Math.ceil((from + windowMs - now) / 1000));

    if (count >= limit) return { allowed: false, limit, remaining: 0, resetSeconds: resetSeconds(oldest ?? now) };

    this.sql.exec(`INSERT INTO hits (key, at) VALUES (?, ?)`, key, now);
    if (!this.alarmSet) {
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + windowMs);
      this.alarmSet = true;
    }
    return { allowed: true, limit, remaining: limit - count - 1, resetSeconds: resetSeconds(oldest ?? now) };
  }

  /** Forgets hits that left every window, and sleeps when nothing is left to count. */
  override async alarm(): Promise<void> {
    this.alarmSet = false;
    const now = Date.now();
    // No key uses a window longer than an hour.
    this.sql.exec(`DELETE FROM hits WHERE at <= ?`, now - 60 * 60 * 1000);
    const next = this.sql.exec<{ next: number | null }>(`SELECT MIN(at) AS next FROM hits`).one().next;
    if (next !== null) {
      await this.ctx.storage.setAlarm(Math.max(now + 60_000, next + 60 * 60 * 1000));
      this.alarmSet = true;
    }
  }
}
