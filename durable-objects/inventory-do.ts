// InventoryDO: the stock truth for one variant of one shop (named by `inventoryObjectName(shopId, variantKey)`).
//
// Invariants this object protects, for its variant:
// - available = onHand - sum(active, unexpired holds) and is never below 0; onHand is never below 0.
// - Every hold ends exactly once: committed, released or expired. Ended holds never come back.
// - reserve, release, commit, extend, adjust and set are idempotent on their ids: a repeat returns the first result
//   and changes nothing more.
// - No hold counts against stock after its expiresAt: every call, reads too, marks the holds due expired first,
//   and the alarm marks the rest.
// - Storage stays bounded: ended holds and stock changes are deleted RETENTION_MS after they ended (the alarm
//   prunes them); neither counts toward onHand or available, so pruning changes no figure. Ids stay idempotent
//   for that long; the authority's D1 records (kept longer) refuse replays of older ids before they get here.
//
// recentChanges reads the stock_changes log (bounded), for the merchant console.
//
// Every method reads and writes with synchronous SQLite calls and no await in between, so each call is one
// atomic step however many requests arrive at once (the object runs one event at a time).
//
// What is held is kept as running totals (held_totals: the units and count of active holds), moved by every
// reserve, release, commit and expiry, so a reserve costs the same with ten holds or ten thousand: summing the
// holds on each call made every checkout of a popular variant slower than the one before it.
import { DurableObject } from 'cloudflare:workers';

export type HoldStatus = 'active' | 'committed' | 'released' | 'expired';

export interface Hold {
  holdId: string;
  quantity: number;
  expiresAt: number;
  status: HoldStatus;
}

export interface StockSnapshot {
  onHand: number;
  held: number;
  available: number;
  activeHolds: number;
}

export type ReserveResult =
  | { ok: true; hold: Hold; available: number }
  | { ok: false; reason: 'insufficient_stock'; available: number }
  /** A repeat for a hold that has since been released or has expired. */
  | { ok: false; reason: 'hold_ended'; hold: Hold; available: number }
  /** The id was used before with another quantity: a caller bug, never silently merged. */
  | { ok: false; reason: 'hold_mismatch'; hold: Hold; available: number };

export type ReleaseResult = { ok: true; hold: Hold | null } | { ok: false; reason: 'hold_committed'; hold: Hold };

export type CommitResult =
  | { ok: true; hold: Hold }
  | { ok: false; reason: 'hold_not_found' }
  | { ok: false; reason: 'hold_ended'; hold: Hold };

/** A set or adjust as recorded (kept RETENTION_MS). */
export interface StockChange {
  kind: 'set' | 'adjust';
  requested: number;
  reason: string;
  accepted: boolean;
  onHandAfter: number;
  createdAt: number;
}

/** The most stock changes one `recentChanges` call returns. */
export const MAX_RECENT_CHANGES = 100;

export type StockChangeResult =
  | { ok: true; snapshot: StockSnapshot }
  /** The change would leave fewer units on hand than are held for shoppers. */
  | { ok: false; reason: 'below_held'; snapshot: StockSnapshot };

/** The Durable Object name for a variant's stock; JSON keeps the two parts unambiguous. */
export function inventoryObjectName(shopId: string, variantKey: string): string {
  return JSON.stringify([shopId, variantKey]);
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS stock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  on_hand INTEGER NOT NULL CHECK (on_hand >= 0),
  updated_at INTEGER NOT NULL
);
INSERT OR IGNORE INTO stock (id, on_hand, updated_at) VALUES (1, 0, 0);
CREATE TABLE IF NOT EXISTS holds (
  hold_id TEXT PRIMARY KEY,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  expires_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'committed', 'released', 'expired')),
  created_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE INDEX IF NOT EXISTS holds_by_status_expiry ON holds (status, expires_at);
CREATE INDEX IF NOT EXISTS holds_ended ON holds (ended_at) WHERE status != 'active';
CREATE TABLE IF NOT EXISTS stock_changes (
  change_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('set', 'adjust')),
  requested INTEGER NOT NULL,
  reason TEXT NOT NULL,
  accepted INTEGER NOT NULL,
  on_hand_after INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stock_changes_created ON stock_changes (created_at);
CREATE TABLE IF NOT EXISTS held_totals (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  units INTEGER NOT NULL CHECK (units >= 0),
  holds INTEGER NOT NULL CHECK (holds >= 0)
);
-- Counted once from the holds, when the object first has the table (an object from before it keeps its holds);
-- on every later start the row is there and the holds are not read.
INSERT OR IGNORE INTO held_totals (id, units, holds)
  SELECT 1, COALESCE(SUM(quantity), 0), COUNT(*) FROM holds
   WHERE status = 'active' AND NOT EXISTS (SELECT 1 FROM held_totals);
`;

/** How long ended holds and stock changes are kept (their ids stay idempotent that long). */
export const RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
const PRUNE_BATCH = 1_000;

export interface PruneResult {
  holds: number;
  stockChanges: number;
}

interface HoldRow extends Record<string, SqlStorageValue> {
  hold_id: string;
  quantity: number;
  expires_at: number;
  status: HoldStatus;
}

interface StockChangeRow extends Record<string, SqlStorageValue> {
  kind: string;
  requested: number;
  accepted: number;
}

function assertPositiveInt(name: string, value: number, min = 1): void {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}`);
}

function assertId(name: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
    throw new RangeError(`${name} must be a non-empty string of at most 255 characters`);
  }
}

export class InventoryDO extends DurableObject<unknown> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
  }

  /** Holds `quantity` units until `expiresAt` (epoch ms) under `holdId`, if that many are available. */
  async reserve(holdId: string, quantity: number, expiresAt: number): Promise<ReserveResult> {
    assertId('holdId', holdId);
    assertPositiveInt('quantity', quantity);
    assertPositiveInt('expiresAt', expiresAt);
    const now = Date.now();
    this.expireDue(now);

    const existing = this.findHold(holdId);
    if (existing) {
      const available = this.stock().available;
      if (existing.quantity !== quantity) return { ok: false, reason: 'hold_mismatch', hold: existing, available };
      if (existing.status === 'released' || existing.status === 'expired') {
        return { ok: false, reason: 'hold_ended', hold: existing, available };
      }
      return { ok: true, hold: existing, available };
    }

    const { available } = this.stock();
    if (expiresAt <= now || quantity > available) return { ok: false, reason: 'insufficient_stock', available };

    this.sql.exec(
      `INSERT INTO holds (hold_id, quantity, expires_at, status, created_at) VALUES (?, ?, ?, 'active', ?)`,
      holdId,
      quantity,
      expiresAt,
      now,
    );
    this.moveHeld(quantity, 1);
    await this.scheduleAlarm(expiresAt);
    return { ok: true, hold: { holdId, quantity, expiresAt, status: 'active' }, available: available - quantity };
  }

  /** Gives the held units back. Releasing an ended or unknown hold is a no-op; a committed one is refused. */
  async release(holdId: string): Promise<ReleaseResult> {
    assertId('holdId', holdId);
    const now = Date.now();
    this.expireDue(now);
    const hold = this.findHold(holdId);
    if (!hold) return { ok: true, hold: null };
    if (hold.status === 'committed') return { ok: false, reason: 'hold_committed', hold };
    if (hold.status === 'active') {
      this.sql.exec(`UPDATE holds SET status = 'released', ended_at = ? WHERE hold_id = ?`, now, holdId);
      this.moveHeld(-hold.quantity, -1);
      return { ok: true, hold: { ...hold, status: 'released' } };
    }
    return { ok: true, hold };
  }

  /** Turns a live hold into a sale: the units leave onHand. A repeat is a no-op; an ended hold is refused. */
  async commit(holdId: string): Promise<CommitResult> {
    assertId('holdId', holdId);
    const now = Date.now();
    this.expireDue(now);
    const hold = this.findHold(holdId);
    if (!hold) return { ok: false, reason: 'hold_not_found' };
    if (hold.status === 'committed') return { ok: true, hold };
    if (hold.status !== 'active') return { ok: false, reason: 'hold_ended', hold };
    this.sql.exec(`UPDATE holds SET status = 'committed', ended_at = ? WHERE hold_id = ?`, now, holdId);
    this.moveHeld(-hold.quantity, -1);
    this.sql.exec(`UPDATE stock SET on_hand = on_hand - ?, updated_at = ? WHERE id = 1`, hold.quantity, now);
    return { ok: true, hold: { ...hold, status: 'committed' } };
  }

  /** Keeps a live hold longer (a payment that settles later); never shortens it. An ended hold is refused. */
  async extend(holdId: string, expiresAt: number): Promise<CommitResult> {
    assertId('holdId', holdId);
    assertPositiveInt('expiresAt', expiresAt);
    this.expireDue(Date.now());
    const hold = this.findHold(holdId);
    if (!hold) return { ok: false, reason: 'hold_not_found' };
    if (hold.status === 'committed') return { ok: true, hold };
    if (hold.status !== 'active') return { ok: false, reason: 'hold_ended', hold };
    if (expiresAt <= hold.expiresAt) return { ok: true, hold };
    this.sql.exec(`UPDATE holds SET expires_at = ? WHERE hold_id = ?`, expiresAt, holdId);
    return { ok: true, hold: { ...hold, expiresAt } };
  }

  /** Adds `delta` (negative removes) to onHand, once per `changeId`. Never below what is held. */
  async adjust(changeId: string, delta: number, reason: string): Promise<StockChangeResult> {
    assertId('changeId', changeId);
    if (!Number.isSafeInteger(delta) || delta === 0) throw new RangeError('delta must be a non-zero integer');
    const result = this.changeStock(changeId, 'adjust', delta, reason, (onHand) => onHand + delta);
    await this.scheduleAlarm(Date.now() + RETENTION_MS); // to prune this change in time
    return result;
  }

  /** Sets onHand to a counted figure, once per `changeId`. Never below what is held. */
  async set(changeId: string, onHand: number, reason: string): Promise<StockChangeResult> {
    assertId('changeId', changeId);
    assertPositiveInt('onHand', onHand, 0);
    const result = this.changeStock(changeId, 'set', onHand, reason, () => onHand);
    await this.scheduleAlarm(Date.now() + RETENTION_MS); // to prune this change in time
    return result;
  }

  async snapshot(): Promise<StockSnapshot> {
    const now = Date.now();
    this.expireDue(now);
    return this.stock();
  }

  /** The latest set and adjust calls, newest first, at most MAX_RECENT_CHANGES (refused ones too). */
  async recentChanges(limit: number): Promise<StockChange[]> {
    assertPositiveInt('limit', limit);
    return this.sql
      .exec<{ kind: 'set' | 'adjust'; requested: number; reason: string; accepted: number; on_hand_after: number; created_at: number }>(
        `SELECT kind, requested, reason, accepted, on_hand_after, created_at FROM stock_changes
          ORDER BY created_at DESC, rowid DESC LIMIT ?`,
        Math.min(limit, MAX_RECENT_CHANGES),
      )
      .toArray()
      .map((row) => ({
        kind: row.kind,
        requested: row.requested,
        reason: row.reason,
        accepted: row.accepted === 1,
        onHandAfter: row.on_hand_after,
        createdAt: row.created_at,
      }));
  }

  async hold(holdId: string): Promise<Hold | null> {
    const hold = this.findHold(holdId);
    if (hold && hold.status === 'active' && hold.expiresAt <= Date.now()) return { ...hold, status: 'expired' };
    return hold;
  }

  /** Deletes ended holds and stock changes older than `retentionMs`, in bounded batches. Figures are unchanged. */
  async prune(retentionMs: number = RETENTION_MS): Promise<PruneResult> {
    assertPositiveInt('retentionMs', retentionMs, 0);
    const now = Date.now();
    this.expireDue(now);
    const cutoff = now - retentionMs;
    const deleteBatches = (statement: string) => {
      let deleted = 0;
      for (let round = 0; round < 20; round++) {
        const rows = this.sql.exec(statement, cutoff, PRUNE_BATCH).toArray().length;
        deleted += rows;
        if (rows < PRUNE_BATCH) break;
      }
      return deleted;
    };
    return {
      holds: deleteBatches(
        `DELETE FROM holds WHERE hold_id IN
           (SELECT hold_id FROM holds WHERE status != 'active' AND ended_at <= ? LIMIT ?) RETURNING hold_id`,
      ),
      stockChanges: deleteBatches(
        `DELETE FROM stock_changes WHERE change_id IN (SELECT change_id FROM stock_changes WHERE created_at <= ? LIMIT ?)
         RETURNING change_id`,
      ),
    };
  }

  /** Rows this object stores (holds and stock changes): what pruning keeps bounded. */
  async storedRows(): Promise<number> {
    return this.sql
      .exec<{ n: number }>(`SELECT (SELECT COUNT(*) FROM holds) + (SELECT COUNT(*) FROM stock_changes) AS n`)
      .one().n;
  }

  /** Marks every hold past its expiry as expired and prunes old rows, then wakes at the next expiry or prune. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.expireDue(now);
    await this.prune();
    const { expiry, ended, changed } = this.sql
      .exec<{ expiry: number | null; ended: number | null; changed: number | null }>(
        `SELECT (SELECT MIN(expires_at) FROM holds WHERE status = 'active') AS expiry,
                (SELECT MIN(ended_at) FROM holds WHERE status != 'active') AS ended,
                (SELECT MIN(created_at) FROM stock_changes) AS changed`,
      )
      .one();
    const prunes = [ended, changed].filter((t): t is number => t !== null).map((t) => t + RETENTION_MS);
    const next = [expiry, ...prunes].filter((t): t is number => t !== null);
    if (next.length > 0) await this.ctx.storage.setAlarm(Math.max(now + 1_000, Math.min(...next)));
  }

  private changeStock(
    changeId: string,
    kind: 'set' | 'adjust',
    requested: number,
    reason: string,
    target: (onHand: number) => number,
  ): StockChangeResult {
    const now = Date.now();
    this.expireDue(now);
    const previous = this.sql
      .exec<StockChangeRow>(`SELECT kind, requested, accepted FROM stock_changes WHERE change_id = ?`, changeId)
      .toArray()[0];
    if (previous) {
      const snapshot = this.stock();
      return previous.accepted ? { ok: true, snapshot } : { ok: false, reason: 'below_held', snapshot };
    }

    const before = this.stock();
    const onHand = target(before.onHand);
    const accepted = onHand >= before.held && onHand >= 0;
    if (accepted) this.sql.exec(`UPDATE stock SET on_hand = ?, updated_at = ? WHERE id = 1`, onHand, now);
    this.sql.exec(
      `INSERT INTO stock_changes (change_id, kind, requested, reason, accepted, on_hand_after, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      changeId,
      kind,
      requested,
      reason,
      accepted ? 1 : 0,
      accepted ? onHand : before.onHand,
      now,
    );
    const snapshot = this.stock();
    return accepted ? { ok: true, snapshot } : { ok: false, reason: 'below_held', snapshot };
  }

  private expireDue(now: number): void {
    const expired = this.sql
      .exec<{ quantity: number }>(
        `UPDATE holds SET status = 'expired', ended_at = expires_at WHERE status = 'active' AND expires_at <= ?
         RETURNING quantity`,
        now,
      )
      .toArray();
    if (expired.length > 0) this.moveHeld(-expired.reduce((units, hold) => units + hold.quantity, 0), -expired.length);
  }

  /** Active holds (units and count) come and go only through here: the totals a snapshot reads. */
  private moveHeld(units: number, holds: number): void {
    this.sql.exec(`UPDATE held_totals SET units = units + ?, holds = holds + ? WHERE id = 1`, units, holds);
  }

  /** Stock from the running totals: every caller has marked the holds due by now expired first. */
  private stock(): StockSnapshot {
    const { onHand, held, activeHolds } = this.sql
      .exec<{ onHand: number; held: number; activeHolds: number }>(
        `SELECT stock.on_hand AS onHand, held_totals.units AS held, held_totals.holds AS activeHolds
           FROM stock, held_totals WHERE stock.id = 1 AND held_totals.id = 1`,
      )
      .one();
    return { onHand, held, available: onHand - held, activeHolds };
  }

  private findHold(holdId: string): Hold | null {
    const row = this.sql
      .exec<HoldRow>(`SELECT hold_id, quantity, expires_at, status FROM holds WHERE hold_id = ?`, holdId)
      .toArray()[0];
    return row ? { holdId: row.hold_id, quantity: row.quantity, expiresAt: row.expires_at, status: row.status } : null;
  }

  /** Wakes the object at `at` unless it already wakes earlier. */
  private async scheduleAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || at < current) await this.ctx.storage.setAlarm(at);
  }
}
