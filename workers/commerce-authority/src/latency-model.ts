// The latency model on the authority's bindings (LATENCY_MODEL, shared/latency-model.ts; never in production):
// the same D1 and stock objects, each round trip delayed as production would delay it. D1 reads in a session
// that may use replicas ('first-unconstrained' or a bookmark) cost the replica delay until the session writes.
// Cost accounting (cost-accounting.ts) wraps these bindings and classifies calls with the same helpers.
import { delayedTrips, type LatencyModel, type ModeledWait } from '../../../shared/latency-model';
import type { AuthorityEnv } from './env';

/** A statement writes unless it is a plain read (production sends writes to the D1 primary). */
export const writes = (query: string) => !/^\s*(SELECT|WITH)\b/i.test(query);

/**
 * The stock objects with every RPC call passed through `around` (to delay it, or count it). A proxy, not a list of
 * methods: a method added to InventoryDO is wrapped too, never missing under the model or cost accounting.
 */
export function stockObjects(namespace: AuthorityEnv['INVENTORY'], around: <T>(call: () => Promise<T>) => Promise<T>) {
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

type Database = D1Database | D1DatabaseSession;

/** The bindings, with each D1 and stock object round trip delayed by the model; waits add up in `wait`. */
export function modeledEnv(env: AuthorityEnv, model: LatencyModel, wait: ModeledWait): AuthorityEnv {
  const primary = delayedTrips(wait);
  const replica = delayedTrips(wait);
  const stock = delayedTrips(wait);
  const real = new WeakMap<object, D1PreparedStatement>();
  const writing = new WeakMap<object, boolean>();

  const database = (db: Database, routing: ReturnType<typeof d1Routing>) => {
    const trip = <T>(write: boolean, call: () => Promise<T>) =>
      routing.route(write) === 'replica' ? replica.around(model.d1ReplicaMs, call) : primary.around(model.d1PrimaryMs, call);
    const statement = (inner: D1PreparedStatement, write: boolean): D1PreparedStatement => {
      const delayed = {
        bind: (...values: unknown[]) => statement(inner.bind(...values), write),
        run: () => trip(write, () => inner.run()),
        all: () => trip(write, () => inner.all()),
        first: (column?: string) => trip(write, () => (column === undefined ? inner.first() : inner.first(column))),
        raw: (options?: { columnNames?: boolean }) => trip(write, () => inner.raw(options as { columnNames?: false })),
      } as unknown as D1PreparedStatement;
      real.set(delayed, inner);
      writing.set(delayed, write);
      return delayed;
    };
    return {
      prepare: (query: string) => statement(db.prepare(query), writes(query)),
      batch: (statements: D1PreparedStatement[]) => {
        const write = statements.some((s) => writing.get(s) ?? true);
        return trip(write, () => db.batch(statements.map((s) => real.get(s) ?? s)));
      },
      ...('exec' in db ? { exec: (query: string) => db.exec(query) } : {}),
      ...('withSession' in db
        ? { withSession: (constraint?: string) => database(db.withSession(constraint), d1Routing(constraint ?? 'first-unconstrained')) }
        : { getBookmark: () => db.getBookmark() }),
    };
  };

  const inventory = stockObjects(env.INVENTORY, (call) => stock.around(model.durableObjectMs, call));

  return { ...env, DB: database(env.DB, d1Routing(null)) as unknown as D1Database, INVENTORY: inventory };
}
