// Cost accounting for benchmarks: with COST_ACCOUNTING=1 (never in production) every answer carries an
// `x-cost` header counting what the request cost here: D1 statements with the rows they read and wrote (from
// D1's own `meta`), Durable Object calls, payment provider calls, and the sequential round trips of each (what a
// shopper waits for when every round trip costs tens of milliseconds). Off by default; the bindings are then
// untouched.
import { roundTrips, type Cost } from '../../../shared/cost';
import type { AuthorityEnv } from './env';
import { d1Routing, stockObjects, writes } from './latency-model';

type Counted = 'd1Statements' | 'd1RowsRead' | 'd1RowsWritten' | 'durableObjectCalls' | 'providerCalls';
export type RequestCost = Pick<Cost, Counted>;
type AuthorityCost = Omit<Cost, 'subrequests' | 'modeledMs' | 'limiterRoundTrips'>;

export function costAccountingOn(env: AuthorityEnv): boolean {
  return env.COST_ACCOUNTING === '1' && env.ENVIRONMENT !== 'production';
}

type Database = D1Database | D1DatabaseSession;

/** The same bindings, counting; payment providers count their calls through `PAYMENT_PROVIDER_METER`. */
export function meteredEnv(env: AuthorityEnv): { env: AuthorityEnv; cost: () => AuthorityCost } {
  const cost: RequestCost = { d1Statements: 0, d1RowsRead: 0, d1RowsWritten: 0, durableObjectCalls: 0, providerCalls: 0 };
  const d1 = roundTrips();
  const d1Writes = roundTrips();
  const d1Replica = roundTrips();
  const stock = roundTrips();
  const provider = roundTrips();
  const count = (meta: D1Meta | undefined) => {
    cost.d1Statements += 1;
    cost.d1RowsRead += meta?.rows_read ?? 0;
    cost.d1RowsWritten += meta?.rows_written ?? 0;
  };
  const unwrapped = new WeakMap<object, D1PreparedStatement>();
  const written = new WeakMap<object, boolean>();

  const database = (db: Database, routing: ReturnType<typeof d1Routing>) => {
    /** One D1 round trip; a writing one also counts as a write round trip, a replica read as a replica one. */
    const trip = <T>(write: boolean, call: () => Promise<T>) => {
      const replica = routing.route(write) === 'replica';
      return d1.around(() => (write ? d1Writes.around(call) : replica ? d1Replica.around(call) : call()));
    };
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
    return {
      prepare: (query: string) => statement(db.prepare(query), writes(query)),
      batch: async (statements: D1PreparedStatement[]) => {
        const write = statements.some((s) => written.get(s) ?? true);
        const results = await trip(write, () => db.batch(statements.map((s) => unwrapped.get(s) ?? s)));
        for (const result of results) count(result.meta);
        return results;
      },
      ...('exec' in db ? { exec: (query: string) => db.exec(query) } : {}),
      ...('withSession' in db
        ? { withSession: (constraint?: string) => database(db.withSession(constraint), d1Routing(constraint ?? 'first-unconstrained')) }
        : { getBookmark: () => db.getBookmark() }),
    };
  };

  const inventory = stockObjects(env.INVENTORY, (call) => {
    cost.durableObjectCalls += 1;
    return stock.around(call);
  });

  const providerMeter = {
    around<T>(call: () => Promise<T>): Promise<T> {
      cost.providerCalls += 1;
      return provider.around(call);
    },
  };

  const total = () => ({
    ...cost,
    d1RoundTrips: d1.count,
    d1WriteRoundTrips: d1Writes.count,
    d1ReplicaRoundTrips: d1Replica.count,
    durableObjectRoundTrips: stock.count,
    providerRoundTrips: provider.count,
  });
  const db = database(env.DB, d1Routing(null)) as unknown as D1Database;
  return { env: { ...env, DB: db, INVENTORY: inventory, PAYMENT_PROVIDER_METER: providerMeter }, cost: total };
}
