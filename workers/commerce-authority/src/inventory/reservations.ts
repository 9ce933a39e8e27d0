// All-or-nothing reservations across InventoryDOs, recorded in D1.
//
// A reservation holds every line or none: if any line is short, the lines already held are released before
// answering. Each line's hold id in its variant's InventoryDO is the reservation id, so re-driving a
// reservation (a retry, a concurrent duplicate) replays the same holds instead of taking new ones.
// A crash part-way leaves a `pending` row whose holds expire on their own; the cron reaper closes it.
// Holds always fail closed: a shop's best-effort flag relaxes reads, never holds.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { CommitResult, ReleaseResult, ReserveResult } from '../../../../durable-objects/inventory-do';
import type { Database } from '../db/client';
import { prebuilt, type Statement } from '../db/statements';
import { checkouts, reservations, type ReservationLine, type ReservationRow } from '../db/schema';
import { tally } from '../db/metrics';
import { mergeDemand, type Demand } from '../domain/lines';
import type { AuthorityEnv } from '../env';
import { log } from '../log';
import { forgetSoldOut, rememberSoldOut } from './sold-out';
import { inventoryUnavailable, stockCall, stockObject } from './stock';

export interface ReservationDemand extends Demand {
  /** Backorder variants are sold beyond stock and take no hold. */
  backorder: boolean;
}

export type ReservedLine = ReservationLine;

export interface ShortLine {
  sku: string;
  variantKey: string;
  requested: number;
  available: number;
  ok: boolean;
}

export type ReservationOutcome =
  | { ok: true; reservationId: string; expiresAt: number; lines: ReservedLine[] }
  | { ok: false; reason: 'insufficient_stock'; lines: ShortLine[] }
  | { ok: false; reason: 'reservation_ended'; status: ReservationRow['status'] };

type EndedStatus = 'released' | 'committed' | 'expired' | 'rejected' | 'failed' | 'releasing';

async function findReservation(db: Database, shopId: string, reservationId: string) {
  const row = await db
    .select()
    .from(reservations)
    .where(and(eq(reservations.id, reservationId), eq(reservations.shopId, shopId)))
    .get();
  return row && { row, lines: row.lines };
}

/** Ends a reservation that is in one of `from`; true when this call ended it. */
async function markEnded(db: Database, shopId: string, reservationId: string, from: ReservationRow['status'][], to: EndedStatus): Promise<boolean> {
  const ended = await db
    .update(reservations)
    .set({ status: to, updatedAt: Date.now() })
    .where(and(eq(reservations.id, reservationId), eq(reservations.shopId, shopId), inArray(reservations.status, from)))
    .returning({ id: reservations.id });
  return ended.length === 1;
}

const heldCount = (lines: readonly ReservedLine[]) => lines.filter((l) => l.held).length;

/** Releases every held line; the number of lines whose stock object could not be reached. */
export async function releaseHolds(env: AuthorityEnv, shopId: string, reservationId: string, lines: readonly ReservedLine[]) {
  const results = await Promise.allSettled(
    lines
      .filter((line) => line.held)
      .map((line) =>
        stockCall<ReleaseResult>('release', () => stockObject(env, shopId, line.variantKey).release(reservationId)),
      ),
  );
  const failed = results.filter((r) => r.status === 'rejected').length;
  if (failed > 0) log.error('reservation_release_incomplete', { shopId, reservationId, failed });
  for (const line of lines) forgetSoldOut(shopId, line.variantKey); // units may be back
  return failed;
}

/** A fence's statuses: given back, or being given back. Either refuses a claim of its id. */
const FENCES: ReservationRow['status'][] = ['released', 'releasing'];

/**
 * Gives back holds this request took but did not record, unless a checkout records them: the holds of a checkout
 * being made are shared by the requests of its attempt (decision 0020). First a `released` reservation is written
 * under their id, which no claim of that id can pass (migrations 0017, 0018); if a record is there already (a
 * twin's claim landed), nothing is given back. A stock object that cannot let go leaves the fence `releasing`, for
 * the reaper to finish within a minute. True when the holds were given back (or are being).
 */
export async function releaseUnrecorded(
  env: AuthorityEnv,
  db: Database,
  input: { shopId: string; holdId: string; lines: readonly ReservedLine[]; expiresAt: number },
): Promise<boolean> {
  const { shopId, holdId, lines, expiresAt } = input;
  const now = Date.now();
  const fenced = await db
    .insert(reservations)
    .values({ id: holdId, shopId, status: 'released', expiresAt, lines: [...lines], createdAt: now, updatedAt: now })
    // An earlier give-back of the same id is no record: giving back again is harmless.
    .onConflictDoUpdate({
      target: reservations.id,
      set: { updatedAt: now },
      setWhere: and(eq(reservations.shopId, shopId), inArray(reservations.status, FENCES)),
    })
    .returning({ id: reservations.id });
  if (fenced.length === 0) return false;
  if (await releaseHolds(env, shopId, holdId, lines)) {
    // If even this fails, the holds lapse at their expiry, as they would have.
    await markEnded(db, shopId, holdId, ['released'], 'releasing').catch(() => false);
  }
  return true;
}

export type HoldOutcome =
  | { ok: true; lines: ReservedLine[]; expiresAt: number }
  | { ok: false; reason: 'insufficient_stock'; lines: ShortLine[] }
  /** The id's holds were taken and have ended (released or expired): this id cannot hold again. */
  | { ok: false; reason: 'hold_ended' }
  /** Not all could be held, and what was is recorded by a checkout of another request sharing the id. */
  | { ok: false; reason: 'recorded' };

/**
 * How `holdAll` gives back the lines it held when it cannot hold them all. False when it may not: a checkout
 * records them (another request of the same attempt, sharing the hold id, saw every line held and claimed).
 */
export type GiveBack = (held: readonly ReservedLine[]) => Promise<boolean>;

/** The lines of a demand as a reservation records them: one per variant, backorder lines holding nothing. */
export function reservedLines(demand: readonly ReservationDemand[]): ReservedLine[] {
  return mergeDemand(demand).map(({ variantKey, sku, quantity, backorder }) => ({ variantKey, sku, quantity, held: !backorder }));
}

/**
 * Holds every line under `holdId` until `expiresAt`, or nothing: one round of stock calls, all at once, and no
 * D1 write. A line short of stock gives the others back (`giveBack`; by default they are simply released).
 * Idempotent on `holdId`: a repeat (a retry, a concurrent twin of the same attempt) gets the same holds, with the
 * expiry they were taken with. A stock object that cannot answer gives back what was held and is a 503.
 */
export async function holdAll(
  env: AuthorityEnv,
  input: { shopId: string; holdId: string; lines: readonly ReservedLine[]; expiresAt: number },
  giveBack: GiveBack = async (held) => {
    await releaseHolds(env, input.shopId, input.holdId, held);
    return true;
  },
): Promise<HoldOutcome> {
  const { shopId, holdId, lines, expiresAt } = input;
  const attempts = await Promise.allSettled(
    lines.map((line): Promise<ReserveResult | null> =>
      line.held
        ? stockCall<ReserveResult>('reserve', () => stockObject(env, shopId, line.variantKey).reserve(holdId, line.quantity, expiresAt))
        : Promise.resolve(null),
    ),
  );

  const answers = attempts.map((a) => (a.status === 'fulfilled' ? a.value : undefined));
  const kept = lines.filter((_, i) => answers[i]?.ok);
  const reasons = new Set(answers.flatMap((r) => (r && !r.ok ? [r.reason] : [])));

  if (attempts.some((a) => a.status === 'rejected')) {
    log.error('reservation_stock_unreachable', {
      shopId,
      reservationId: holdId,
      errors: attempts.flatMap((a) => (a.status === 'rejected' ? [String(a.reason)] : [])),
    });
    // A call that failed may still have held, so every line goes back. Through `giveBack` only when some line was
    // held for sure: an overloaded stock object's refusals cost no D1 write.
    if (kept.length === 0) await releaseHolds(env, shopId, holdId, lines);
    else if (!(await giveBack(lines))) return { ok: false, reason: 'recorded' };
    throw inventoryUnavailable();
  }

  const results = answers as (ReserveResult | null)[];
  if (results.every((r) => r === null || r.ok)) {
    const expiries = results.flatMap((r) => (r?.ok ? [r.hold.expiresAt] : []));
    return { ok: true, lines: [...lines], expiresAt: expiries.length > 0 ? Math.min(...expiries) : expiresAt };
  }
  if (reasons.has('hold_mismatch')) {
    // Another request holds under this id with other quantities (its key reused for another body, at the same
    // moment): the lines that matched may be its holds, and it may record them.
    if (kept.length > 0 && !(await giveBack(kept))) return { ok: false, reason: 'recorded' };
    return { ok: false, reason: 'hold_ended' };
  }
  if (reasons.has('hold_ended')) {
    // Some of the id's holds have ended (given back, or lapsed), so no live checkout can record it: what was held
    // now is simply released.
    await releaseHolds(env, shopId, holdId, kept);
    return { ok: false, reason: 'hold_ended' };
  }

  // Nothing held (a sold-out single line, a flash sale's usual answer) gives back nothing, and writes nothing.
  if (kept.length > 0 && !(await giveBack(kept))) return { ok: false, reason: 'recorded' };
  lines.forEach((line, i) => {
    const result = results[i];
    if (result && !result.ok && result.available === 0) rememberSoldOut(shopId, line.variantKey);
  });
  return {
    ok: false,
    reason: 'insufficient_stock',
    lines: lines.map((line, i) => {
      const result = results[i];
      const ok = result === null || result === undefined || result.ok;
      return {
        sku: line.sku,
        variantKey: line.variantKey,
        requested: line.quantity,
        // For a line that was held, what is left for others once our own hold is given back.
        available: result ? (result.ok ? result.available + line.quantity : result.available) : line.quantity,
        ok,
      };
    }),
  };
}

/**
 * The D1 record of holds already taken for a checkout (status active), as a statement for the checkout's own
 * claim batch: written only if that batch inserts the checkout, so a request that loses the claim records nothing.
 */
const insertHeld = prebuilt<{ checkoutId: string; now: number; expiresAt: number; lines: string }>((db) =>
  db
    .insert(reservations)
    .select(
      db
        .select({
          id: checkouts.id,
          shopId: checkouts.shopId,
          status: sql<'active'>`'active'`.as('status'),
          expiresAt: sql<number>`${sql.placeholder('expiresAt')}`.as('expires_at'),
          lines: sql<string>`${sql.placeholder('lines')}`.as('lines'),
          createdAt: checkouts.createdAt,
          updatedAt: checkouts.updatedAt,
        })
        .from(checkouts)
        // Inserted by this request's claim: the checkout with this id created at `now`.
        .where(and(eq(checkouts.id, sql.placeholder('checkoutId')), eq(checkouts.createdAt, sql.placeholder('now')))),
    )
    .onConflictDoNothing(),
);

export function recordHeldStatement(
  db: Database,
  input: { checkoutId: string; lines: readonly ReservedLine[]; expiresAt: number; now: number },
): Statement {
  return insertHeld(db, { ...input, lines: JSON.stringify(input.lines) });
}

/**
 * Records a reservation, then holds every line until `expiresAt`, or nothing. Idempotent on `reservationId`: an
 * active reservation is returned as it is; an ended one is reported as ended, never revived. (A checkout holds
 * first and records in its claim instead: see create-checkout.)
 */
export async function reserveAll(
  env: AuthorityEnv,
  db: Database,
  input: { shopId: string; reservationId: string; lines: readonly ReservationDemand[]; expiresAt: number },
): Promise<ReservationOutcome> {
  const { shopId, reservationId, expiresAt } = input;
  const existing = await findReservation(db, shopId, reservationId);
  if (existing) {
    if (existing.row.status === 'active') {
      return { ok: true, reservationId, expiresAt: existing.row.expiresAt, lines: existing.lines };
    }
    if (existing.row.status !== 'pending') return { ok: false, reason: 'reservation_ended', status: existing.row.status };
  }

  const lines: ReservedLine[] = existing?.lines ?? reservedLines(input.lines);
  const holdUntil = existing?.row.expiresAt ?? expiresAt;
  if (!existing) {
    const now = Date.now();
    await db
      .insert(reservations)
      .values({ id: reservationId, shopId, status: 'pending', expiresAt: holdUntil, lines, createdAt: now, updatedAt: now })
      .onConflictDoNothing();
  }

  let held: HoldOutcome;
  try {
    held = await holdAll(env, { shopId, holdId: reservationId, lines, expiresAt: holdUntil });
  } catch (error) {
    await markEnded(db, shopId, reservationId, ['pending'], 'failed');
    throw error;
  }
  if (held.ok) {
    const activated = await db
      .update(reservations)
      .set({ status: 'active', updatedAt: Date.now() })
      .where(and(eq(reservations.id, reservationId), eq(reservations.shopId, shopId), eq(reservations.status, 'pending')))
      .returning({ id: reservations.id });
    if (activated.length === 1) tally(shopId, { holds_created: heldCount(lines) });
    return { ok: true, reservationId, expiresAt: holdUntil, lines };
  }
  await markEnded(db, shopId, reservationId, ['pending'], 'rejected');
  // (Its holds are given back by release, never found 'recorded': a reservation's id is its own.)
  if (held.reason === 'insufficient_stock') return { ok: false, reason: 'insufficient_stock', lines: held.lines };
  return { ok: false, reason: 'reservation_ended', status: 'rejected' };
}

/**
 * Gives back every hold of a live reservation (and of its late one). Idempotent; a committed one is left as it is.
 * If a stock object cannot be reached, the reservation is left `releasing` and the reaper retries until released
 * (a hold extended for a delayed payment would otherwise stay out of stock for days).
 */
export async function releaseReservation(env: AuthorityEnv, db: Database, shopId: string, reservationId: string) {
  const existing = await findReservation(db, shopId, reservationId);
  if (!existing) return { ok: false as const, reason: 'not_found' as const };
  if (existing.row.status === 'committed') return { ok: false as const, reason: 'committed' as const };
  if (await releaseHolds(env, shopId, reservationId, existing.lines)) {
    await markEnded(db, shopId, reservationId, ['active', 'pending'], 'releasing');
  } else {
    const released = await markEnded(db, shopId, reservationId, ['active', 'releasing'], 'released');
    if (released) tally(shopId, { holds_released: heldCount(existing.lines) });
    await markEnded(db, shopId, reservationId, ['pending'], 'released');
  }
  if (!reservationId.endsWith('.late')) await releaseReservation(env, db, shopId, lateReservationId(reservationId));
  return { ok: true as const };
}

/** A late hold's reservation id: taken when a payment lands after its original holds lapsed. */
export const lateReservationId = (reservationId: string) => `${reservationId}.late`;

export interface SettleOutcome {
  /** Every line is sold from stock. */
  complete: boolean;
  /** Lines whose units left stock (mode 'commit'): what a refund may put back. */
  committed: ReservedLine[];
  /** Lines whose holds had lapsed and could not be taken again: sold without stock. */
  oversold: ReservedLine[];
}

/**
 * Turns a reservation's holds into a sale (mode 'commit'), or keeps them until `until` for a payment that
 * settles later (mode 'extend'). Lines whose hold lapsed are held again under the late reservation if the
 * stock is still there; what cannot be held again is reported as oversold. Idempotent.
 */
export async function settleReservation(
  env: AuthorityEnv,
  db: Database,
  input: { shopId: string; reservationId: string; mode: 'commit' | 'extend'; until?: number },
): Promise<SettleOutcome> {
  const { shopId, reservationId, mode } = input;
  const existing = await findReservation(db, shopId, reservationId);
  if (!existing) return { complete: false, committed: [], oversold: [] };
  const held = existing.lines.filter((l) => l.held);
  const act = (id: string, line: ReservedLine) =>
    stockCall<CommitResult>(mode, () => {
      const stock = stockObject(env, shopId, line.variantKey);
      return mode === 'commit' ? stock.commit(id) : stock.extend(id, input.until!);
    });

  const results = await Promise.all(held.map((line) => act(reservationId, line)));
  let lapsed = held.filter((_, i) => !results[i]!.ok);
  const committedLate: ReservedLine[] = [];
  if (lapsed.length > 0) {
    const lateId = lateReservationId(reservationId);
    const late = await reserveAll(env, db, {
      shopId,
      reservationId: lateId,
      lines: lapsed.map((l) => ({ ...l, backorder: false })),
      expiresAt: input.until ?? Date.now() + 10 * 60_000,
    });
    if (late.ok) {
      if (mode === 'commit') {
        // The late hold may itself have lapsed (taken for a delayed payment days ago): then those lines are oversold.
        const lateResults = await Promise.all(lapsed.map((line) => act(lateId, line)));
        const taken = lapsed.filter((_, i) => lateResults[i]!.ok);
        tally(shopId, { holds_committed: taken.length });
        committedLate.push(...taken);
        lapsed = lapsed.filter((_, i) => !lateResults[i]!.ok);
      } else {
        lapsed = [];
      }
      await setStatus(db, shopId, lateId, mode === 'commit' ? 'committed' : 'active');
    }
  }
  if (mode === 'extend') {
    await db
      .update(reservations)
      .set({ expiresAt: input.until!, updatedAt: Date.now() })
      .where(and(eq(reservations.id, reservationId), eq(reservations.shopId, shopId)));
  } else {
    const committed = results.filter((r) => r.ok && r.hold.status === 'committed').length;
    if (await markEnded(db, shopId, reservationId, ['pending', 'active', 'released', 'expired'], 'committed')) {
      tally(shopId, { holds_committed: committed });
    }
  }
  const committed = mode === 'commit' ? [...held.filter((_, i) => results[i]!.ok), ...committedLate] : [];
  return { complete: lapsed.length === 0, committed, oversold: lapsed };
}

async function setStatus(db: Database, shopId: string, reservationId: string, status: ReservationRow['status']) {
  await db
    .update(reservations)
    .set({ status, updatedAt: Date.now() })
    .where(and(eq(reservations.id, reservationId), eq(reservations.shopId, shopId)));
}
