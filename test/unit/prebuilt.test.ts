// Prebuilt statements (db/statements.ts): built once, bound per call, each value encoded by its column; prebuilt
// reads also map a batch's answer as drizzle's own batch does.
import { eq, getTableColumns, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { describe, expect, it } from 'vitest';
import { placeholders, prebuilt, prebuiltRead } from '../../workers/commerce-authority/src/db/statements';
import { checkouts, type CheckoutRow } from '../../workers/commerce-authority/src/db/schema';

/** A D1 binding that records what it is asked to prepare and bind (nothing runs). */
function recordingD1() {
  const prepared: { sql: string; params: unknown[] }[] = [];
  const binding = {
    prepare(text: string) {
      const statement = { sql: text, params: [] as unknown[] };
      prepared.push(statement);
      return { bind: (...params: unknown[]) => ((statement.params = params), statement) };
    },
  };
  return { db: drizzle(binding as unknown as D1Database), prepared };
}

type Line = Pick<CheckoutRow, 'id' | 'lines' | 'total'>;

describe('prebuilt statements', () => {
  let builds = 0;
  const update = prebuilt<Line>((db) => {
    builds += 1;
    return db
      .update(checkouts)
      .set({ total: sql`${sql.placeholder('total')}` })
      .where(eq(checkouts.id, sql.placeholder('id')));
  });
  // As the claim's: every column a placeholder (an omitted column would get its default once, when built).
  const columns = Object.keys(getTableColumns(checkouts)) as (keyof CheckoutRow)[];
  const insert = prebuilt<CheckoutRow>((db) => db.insert(checkouts).values(placeholders(columns)));

  it('builds the SQL once and binds each call its own values', () => {
    const { db, prepared } = recordingD1();
    update(db, { id: 'chk_a', lines: [], total: 100 });
    update(recordingD1().db, { id: 'chk_b', lines: [], total: 200 });
    update(db, { id: 'chk_c', lines: [], total: 300 });
    expect(builds).toBe(1);
    expect(prepared.map((p) => p.params)).toEqual([
      [100, 'chk_a'],
      [300, 'chk_c'],
    ]);
    expect(prepared[0]!.sql).toBe('update "checkouts" set "total" = ? where "checkouts"."id" = ?');
  });

  it("encodes a value by its column, as drizzle's own statements do (JSON lines as text)", () => {
    const { db, prepared } = recordingD1();
    const lines = [{ sku: 'HB-NAVY-M', variantKey: 'hb|colour=navy;size=m', quantity: 2 }] as unknown as CheckoutRow['lines'];
    const row = Object.fromEntries(columns.map((name) => [name, null])) as unknown as CheckoutRow;
    insert(db, { ...row, id: 'chk_a', lines, total: 3600 });
    const bound = Object.fromEntries(columns.map((name, i) => [name, prepared[0]!.params[i]]));
    expect(bound).toMatchObject({ id: 'chk_a', lines: JSON.stringify(lines), total: 3600, sessionId: null });
  });

  it('refuses a call that leaves a placeholder without a value, before anything reaches D1', () => {
    const { db, prepared } = recordingD1();
    expect(() => update(db, { id: 'chk_a' } as Line)).toThrow(/total/);
    expect(prepared.every((p) => p.params.length === 0)).toBe(true);
  });
});

describe('prebuilt reads', () => {
  let builds = 0;
  const byId = prebuiltRead<{ id: string }, Pick<CheckoutRow, 'id' | 'lines' | 'sessionId'>>((db) => {
    builds += 1;
    return db.select({ id: checkouts.id, lines: checkouts.lines, sessionId: checkouts.sessionId }).from(checkouts).where(eq(checkouts.id, sql.placeholder('id')));
  });

  it("builds once, binds each call, and maps D1's answer to the query's rows (names and JSON decoded)", () => {
    const { db, prepared } = recordingD1();
    byId.statement(db, { id: 'chk_a' });
    byId.statement(recordingD1().db, { id: 'chk_b' });
    expect(builds).toBe(1);
    expect(prepared.at(-1)).toEqual({ sql: 'select "id", "lines", "session_id" from "checkouts" where "checkouts"."id" = ?', params: ['chk_a'] });
    // What D1's batch answers for the statement: rows keyed by column name, JSON as text.
    const answer = { results: [{ id: 'chk_a', lines: '[{"sku":"HB-NAVY-M","quantity":2}]', session_id: 'cs_1' }], success: true, meta: {} };
    expect(byId.rows(answer as unknown as D1Result)).toEqual([{ id: 'chk_a', lines: [{ sku: 'HB-NAVY-M', quantity: 2 }], sessionId: 'cs_1' }]);
  });
});
