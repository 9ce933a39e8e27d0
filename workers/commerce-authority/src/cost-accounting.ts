// Cost accounting for benchmarks: with COST_ACCOUNTING=1 (never in production) every answer carries an
// `x-cost` header counting what the request cost here: D1 statements with the rows they read and wrote (from
// D1's own `meta`), Durable Object calls, and the sequential round trips of each (what a shopper waits for when
// every round trip costs tens of milliseconds). Off by default; the bindings are then untouched.
import { roundTrips, type Cost } from '../../../shared/cost';
import type { AuthorityEnv } from './env';

export type RequestCost = Omit<Cost, 'subrequests' | 'd1RoundTrips' | 'd1WriteRoundTrips' | 'durableObjectRoundTrips'>;

/** A statement writes unless it is a plain read (production sends writes to the D1 primary). */
const writes = (query: string) => !/^\s*(SELECT|WITH)\b/i.test(query);

export function costAccountingOn(env: AuthorityEnv): boolean {
  return env.COST_ACCOUNTING === '1' && env.ENVIRONMENT !== 'production';
}

const STOCK_METHODS = ['reserve', 'release', 'commit', 'extend', 'adjust', 'set', 'snapshot', 'hold'] as const;

/** The same bindings, counting. */
export function meteredEnv(env: AuthorityEnv): { env: AuthorityEnv; cost: () => Omit<Cost, 'subrequests'> } {
  const cost: RequestCost = { d1Statements: 0, d1RowsRead: 0, d1RowsWritten: 0, durableObjectCalls: 0 };
  const d1 = roundTrips();
  const d1Writes = roundTrips();
  const stock = roundTrips();
  /** One D1 round trip; a writing one also counts as a write round trip. */
  const trip = <T>(write: boolean, call: () => Promise<T>) => d1.around(() => (write ? d1Writes.around(call) : call()));
  const count = (meta: D1Meta | undefined) => {
    cost.d1Statements += 1;
    cost.d1RowsRead += meta?.rows_read ?? 0;
    cost.d1RowsWritten += meta?.rows_written ?? 0;
  };
  const unwrapped = new WeakMap<object, D1PreparedStatement>();

  const written = new WeakMap<object, boolean>();

  // `raw()` and `first()` return no meta, so they are answered from `run()` (results and meta), reshaped.
  const statement = (real: D1PreparedStatement, write: boolean): D1PreparedStatement => {
    const run = <T>(call: () => Promise<T>) => trip(write, call);
    const metered = {
      bind: (...values: unknown[]) => statement(real.bind(...values), write),
      run: async () => {
        const result = await run(() => real.run());
        count(result.meta);
        return result;
      },
      all: async () => {
        const result = await run(() => real.all());
        count(result.meta);
        return result;
      },
      first: async (column?: string) => {
        const result = await run(() => real.run<Record<string, unknown>>());
        count(result.meta);
        const row = result.results[0] ?? null;
        return column === undefined ? row : (row?.[column] ?? null);
      },
      raw: async (options?: { columnNames?: boolean }) => {
        const result = await run(() => real.run<Record<string, unknown>>());
        count(result.meta);
        const rows = result.results.map((row) => Object.values(row));
        return options?.columnNames ? [Object.keys(result.results[0] ?? {}), ...rows] : rows;
      },
    };
    unwrapped.set(metered, real);
    written.set(metered, write);
    return metered as unknown as D1PreparedStatement;
  };

  /** The binding, or one of its sessions (Sessions API), counting; the same counters for both. */
  const metered = (target: D1Database | D1DatabaseSession) => ({
    prepare: (query: string) => statement(target.prepare(query), writes(query)),
    batch: async (statements: D1PreparedStatement[]) => {
      const write = statements.some((s) => written.get(s) ?? true);
      const results = await trip(write, () => target.batch(statements.map((s) => unwrapped.get(s) ?? s)));
      for (const result of results) count(result.meta);
      return results;
    },
  });
  const db = {
    ...metered(env.DB),
    exec: (query: string) => env.DB.exec(query),
    withSession: (constraint?: string) => {
      const session = env.DB.withSession(constraint);
      return { ...metered(session), getBookmark: () => session.getBookmark() };
    },
  } as unknown as D1Database;

  const inventory = {
    idFromName: (name: string) => env.INVENTORY.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = env.INVENTORY.get(id);
      return Object.fromEntries(
        STOCK_METHODS.map((method) => [
          method,
          (...args: unknown[]) => {
            cost.durableObjectCalls += 1;
            return stock.around(async () => (stub[method] as unknown as (...a: unknown[]) => unknown)(...args));
          },
        ]),
      );
    },
  } as unknown as AuthorityEnv['INVENTORY'];

  const total = () => ({ ...cost, d1RoundTrips: d1.count, d1WriteRoundTrips: d1Writes.count, durableObjectRoundTrips: stock.count });
  return { env: { ...env, DB: db, INVENTORY: inventory }, cost: total };
}
