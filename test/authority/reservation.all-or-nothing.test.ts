// Multi-line reservations across InventoryDOs: every line or none, recorded in D1, idempotent on its id.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { database } from '../../workers/commerce-authority/src/db/client';
import { reapExpiredReservations } from '../../workers/commerce-authority/src/inventory/reaper';
import { releaseReservation, reserveAll } from '../../workers/commerce-authority/src/inventory/reservations';
import { call, json, putCatalog, reservationStatus, setStock } from './helpers';

const db = () => database(env.DB);
const NAVY_M = { sku: 'HB-NAVY-M', variantKey: 'hb|colour=navy;size=m', backorder: false };
const NAVY_L = { sku: 'HB-NAVY-L', variantKey: 'hb|colour=navy;size=l', backorder: false };
const PINK_M = { sku: 'HB-PINK-M', variantKey: 'hb|colour=pink;size=m', backorder: false };
const inAnHour = () => Date.now() + 60 * 60 * 1000;

async function available(sku: string): Promise<number> {
  const res = await call('/api/admin/inventory', { admin: 'cochlearfit' });
  const { items } = await json<{ items: { sku: string; available: number }[] }>(res);
  return items.find((i) => i.sku === sku)!.available;
}

describe('reserveAll', () => {
  beforeAll(async () => {
    await putCatalog('cochlearfit');
  });

  it('a two-line reservation whose second line lacks stock leaves the first line untouched', async () => {
    await setStock('cochlearfit', 'HB-NAVY-M', 5);
    await setStock('cochlearfit', 'HB-NAVY-L', 1);
    const outcome = await reserveAll(env, db(), {
      shopId: 'cochlearfit',
      reservationId: 'res-short',
      lines: [
        { ...NAVY_M, quantity: 2 },
        { ...NAVY_L, quantity: 3 },
      ],
      expiresAt: inAnHour(),
    });
    expect(outcome).toEqual({
      ok: false,
      reason: 'insufficient_stock',
      lines: [
        { sku: 'HB-NAVY-M', variantKey: NAVY_M.variantKey, requested: 2, available: 5, ok: true },
        { sku: 'HB-NAVY-L', variantKey: NAVY_L.variantKey, requested: 3, available: 1, ok: false },
      ],
    });
    expect(await available('HB-NAVY-M')).toBe(5);
    expect(await available('HB-NAVY-L')).toBe(1);
    expect(await reservationStatus('res-short')).toBe('rejected');
  });

  it('holds every line, records it, and a repeat holds nothing more', async () => {
    await setStock('cochlearfit', 'HB-NAVY-M', 5);
    await setStock('cochlearfit', 'HB-PINK-M', 5);
    const input = {
      shopId: 'cochlearfit',
      reservationId: 'res-ok',
      // Two lines of one variant are one demand.
      lines: [
        { ...NAVY_M, quantity: 1 },
        { ...PINK_M, quantity: 2 },
        { ...NAVY_M, quantity: 1 },
      ],
      expiresAt: inAnHour(),
    };
    const first = await reserveAll(env, db(), input);
    const again = await reserveAll(env, db(), input);
    expect(first).toMatchObject({ ok: true, reservationId: 'res-ok' });
    expect(again).toEqual(first);
    expect(await available('HB-NAVY-M')).toBe(3);
    expect(await available('HB-PINK-M')).toBe(3);
    expect(await reservationStatus('res-ok')).toBe('active');
    const lines = await env.DB.prepare('SELECT lines FROM reservations WHERE id = ?').bind('res-ok').first<string>('lines');
    expect(JSON.parse(lines!).map(({ sku, quantity }: { sku: string; quantity: number }) => ({ sku, quantity }))).toEqual([
      { sku: 'HB-NAVY-M', quantity: 2 },
      { sku: 'HB-PINK-M', quantity: 2 },
    ]);

    expect(await releaseReservation(env, db(), 'cochlearfit', 'res-ok')).toEqual({ ok: true });
    expect(await releaseReservation(env, db(), 'cochlearfit', 'res-ok')).toEqual({ ok: true });
    expect(await available('HB-NAVY-M')).toBe(5);
    expect(await reservationStatus('res-ok')).toBe('released');
    // A released reservation is never revived by a late retry.
    expect(await reserveAll(env, db(), input)).toEqual({ ok: false, reason: 'reservation_ended', status: 'released' });
    expect(await available('HB-NAVY-M')).toBe(5);
  });

  it('another shop cannot release or see a reservation', async () => {
    await setStock('cochlearfit', 'HB-NAVY-M', 5);
    await reserveAll(env, db(), { shopId: 'cochlearfit', reservationId: 'res-mine', lines: [{ ...NAVY_M, quantity: 1 }], expiresAt: inAnHour() });
    expect(await releaseReservation(env, db(), 'othershop', 'res-mine')).toEqual({ ok: false, reason: 'not_found' });
    expect(await available('HB-NAVY-M')).toBe(4);
    await releaseReservation(env, db(), 'cochlearfit', 'res-mine');
  });

  it('200 concurrent two-line reservations never oversell either line', async () => {
    await setStock('cochlearfit', 'HB-NAVY-M', 30);
    await setStock('cochlearfit', 'HB-PINK-M', 45);
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        reserveAll(env, db(), {
          shopId: 'cochlearfit',
          reservationId: `crowd-${i}`,
          lines: [
            { ...NAVY_M, quantity: 1 },
            { ...PINK_M, quantity: 2 },
          ],
          expiresAt: inAnHour(),
        }),
      ),
    );
    const won = outcomes.filter((o) => o.ok).length;
    // Pink runs out first: 45 / 2 = 22 full reservations.
    expect(won).toBe(22);
    expect(await available('HB-NAVY-M')).toBe(30 - won);
    expect(await available('HB-PINK-M')).toBe(45 - 2 * won);
    const active = await env.DB.prepare(`SELECT COUNT(*) AS n FROM reservations WHERE id LIKE 'crowd-%' AND status = 'active'`).first<number>('n');
    expect(active).toBe(won);
  });

  it('the cron reaper closes reservations past their expiry and gives the stock back', async () => {
    await setStock('cochlearfit', 'HB-NAVY-L', 3);
    const expiresAt = inAnHour();
    await reserveAll(env, db(), { shopId: 'cochlearfit', reservationId: 'res-lapsing', lines: [{ ...NAVY_L, quantity: 2 }], expiresAt });
    expect(await available('HB-NAVY-L')).toBe(1);
    await reapExpiredReservations(env, Date.now()); // not yet due
    expect(await reservationStatus('res-lapsing')).toBe('active');
    // The cron runs once the expiry has passed (its clock is given, so no short expiry races a slow machine).
    const { expired } = await reapExpiredReservations(env, expiresAt + 1);
    expect(expired).toBeGreaterThanOrEqual(1);
    expect(await reservationStatus('res-lapsing')).toBe('expired');
    expect(await available('HB-NAVY-L')).toBe(3);
    expect((await reapExpiredReservations(env, expiresAt + 1)).expired).toBe(0);
  });
});
