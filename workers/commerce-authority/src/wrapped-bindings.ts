// The authority's D1 binding and stock objects with every round trip passed through a hook: the latency model
// delays it, cost accounting counts it (never in production; the bindings are untouched otherwise). One wrapper
// for both, so what one of them sees the other sees too.
import type { AuthorityEnv } from './env';

/** A statement writes unless it is a plain read (production sends writes to the D1 primary). */
export const writes = (query: string) => !/^\s*(SELECT|WITH)\b/i.test(query);

export type D1Route = 'primary' | 'replica';

/**
 * Where a database's calls go. Plain env.DB and 'first-primary' sessions: the primary. A session opened with
 * 'first-unconstrained' (the default) or a bookmark reads from a replica until its first write, then from the
 * primary (which has that write). Writes always go to the primary.
 */
export function d1Routing(constraintOrBookmark: string | null) {
  let replicaReads = constraintOrBookmark !== null && constraintOrBookmark !== 'first-primary';
  return {
    route(write: boolean): D1Route {
      if (write) replicaReads = false;
      return write || !replicaReads ? 'primary' : 'replica';
    },
  };
}

export interface D1Hooks {
  /** Runs one D1 round trip (a statement, or a batch). */
  trip<T>(write: boolean, route: D1Route, call: () => Promise<T>): Promise<T>;
  /** What D1 reported for each statement run. */
  onMeta?(meta: D1Meta | undefined): void;
}

type Database = D1Database | D1DatabaseSession;

/** The binding (and every session opened from it) with each round trip through `hooks`. */
export function wrappedD1(db: D1Database, hooks: D1Hooks): D1Database {
  const inner = new WeakMap<object, D1PreparedStatement>();
  const writing = new WeakMap<object, boolean>();
  const seen = (meta: D1Meta | undefined) => hooks.onMeta?.(meta);

  const database = (target: Database, routing: ReturnType<typeof d1Routing>) => {
    const trip = <T>(write: boolean, call: () => Promise<T>) => hooks.trip(write, routing.route(write), call);
    // `raw()` and `first()` return no meta, so they are answered from `run()` (results and meta), reshaped.
    const statement = (real: D1PreparedStatement, write: boolean): D1PreparedStatement => {
      const run = async () => {
        const result = await trip(write, () => real.run<Record<string, unknown>>());
        seen(result.meta);
        return result;
      };
      const wrapped = {
        bind: (...values: unknown[]) => statement(real.bind(...values), write),
        run,
        all: run,
        first: async (column?: string) => {
          const row = (await run()).results[0] ?? null;
          return column === undefined ? row : (row?.[column] ?? null);
        },
        raw: async (options?: { columnNames?: boolean }) => {
          const { results } = await run();
          const rows = results.map((row) => Object.values(row));
          return options?.columnNames ? [Object.keys(results[0] ?? {}), ...rows] : rows;
        },
      };
      inner.set(wrapped, real);
      writing.set(wrapped, write);
      return wrapped as unknown as D1PreparedStatement;
    };
    return {
      prepare: (query: string) => statement(target.prepare(query), writes(query)),
      batch: async (statements: D1PreparedStatement[]) => {
        const write = statements.some((s) => writing.get(s) ?? true);
        const results = await trip(write, () => target.batch(statements.map((s) => inner.get(s) ?? s)));
        for (const result of results) seen(result.meta);
        return results;
      },
      ...('exec' in target ? { exec: (query: string) => target.exec(query) } : {}),
      ...('withSession' in target
        ? { withSession: (constraint?: string) => database(target.withSession(constraint), d1Routing(constraint ?? 'first-unconstrained')) }
        : { getBookmark: () => target.getBookmark() }),
    };
  };
  return database(db, d1Routing(null)) as unknown as D1Database;
}

/**
 * The stock objects with every RPC call passed through `around` (to delay it, or count it). A proxy, not a list of
 * methods: a method added to InventoryDO is wrapped too, never missing under the model or cost accounting.
 */
export function wrappedStockObjects(namespace: AuthorityEnv['INVENTORY'], around: <T>(call: () => Promise<T>) => Promise<T>) {
  return {
    idFromName: (name: string) => namespace.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = namespace.get(id);
      // Over an empty target: the stub's own properties may be fixed, which a proxy of it could not answer differently.
      return new Proxy({}, {
        get(_, name) {
          // Not a thenable: awaiting the stub must not become an RPC call named `then`.
          if (name === 'then') return undefined;
          const member = Reflect.get(stub, name) as unknown;
          if (typeof member !== 'function') return member;
          const methods = stub as unknown as Record<string | symbol, (...a: unknown[]) => unknown>;
          return (...args: unknown[]) => around(async () => methods[name]!(...args));
        },
      });
    },
  } as unknown as AuthorityEnv['INVENTORY'];
}
