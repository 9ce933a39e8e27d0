// Cost accounting for benchmarks: with COST_ACCOUNTING=1 (never in production) every answer carries an
// `x-cost` header counting what the request cost here: D1 statements with the rows they read and wrote (from
// D1's own `meta`), and Durable Object calls. Off by default; the bindings are then untouched.
import type { Cost } from '../../../shared/cost';
import type { AuthorityEnv } from './env';

export type RequestCost = Omit<Cost, 'subrequests'>;

export function costAccountingOn(env: AuthorityEnv): boolean {
  return env.COST_ACCOUNTING === '1' && env.ENVIRONMENT !== 'production';
}

const STOCK_METHODS = ['reserve', 'release', 'commit', 'extend', 'adjust', 'set', 'snapshot', 'hold'] as const;

/** The same bindings, counting. */
export function meteredEnv(env: AuthorityEnv): { env: AuthorityEnv; cost: RequestCost } {
  const cost: RequestCost = { d1Statements: 0, d1RowsRead: 0, d1RowsWritten: 0, durableObjectCalls: 0 };
  const count = (meta: D1Meta | undefined) => {
    cost.d1Statements += 1;
    cost.d1RowsRead += meta?.rows_read ?? 0;
    cost.d1RowsWritten += meta?.rows_written ?? 0;
  };
  const unwrapped = new WeakMap<object, D1PreparedStatement>();

  // `raw()` and `first()` return no meta, so they are answered from `run()` (results and meta), reshaped.
  const statement = (real: D1PreparedStatement): D1PreparedStatement => {
    const metered = {
      bind: (...values: unknown[]) => statement(real.bind(...values)),
      run: async () => {
        const result = await real.run();
        count(result.meta);
        return result;
      },
      all: async () => {
        const result = await real.all();
        count(result.meta);
        return result;
      },
      first: async (column?: string) => {
        const result = await real.run<Record<string, unknown>>();
        count(result.meta);
        const row = result.results[0] ?? null;
        return column === undefined ? row : (row?.[column] ?? null);
      },
      raw: async (options?: { columnNames?: boolean }) => {
        const result = await real.run<Record<string, unknown>>();
        count(result.meta);
        const rows = result.results.map((row) => Object.values(row));
        return options?.columnNames ? [Object.keys(result.results[0] ?? {}), ...rows] : rows;
      },
    };
    unwrapped.set(metered, real);
    return metered as unknown as D1PreparedStatement;
  };

  const db = {
    prepare: (query: string) => statement(env.DB.prepare(query)),
    batch: async (statements: D1PreparedStatement[]) => {
      const results = await env.DB.batch(statements.map((s) => unwrapped.get(s) ?? s));
      for (const result of results) count(result.meta);
      return results;
    },
    exec: (query: string) => env.DB.exec(query),
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
            return (stub[method] as unknown as (...a: unknown[]) => unknown)(...args);
          },
        ]),
      );
    },
  } as unknown as AuthorityEnv['INVENTORY'];

  return { env: { ...env, DB: db, INVENTORY: inventory }, cost };
}
