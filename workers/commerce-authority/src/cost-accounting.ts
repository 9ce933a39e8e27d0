// Cost accounting for benchmarks: with COST_ACCOUNTING=1 (never in production) every answer carries an
// `x-cost` header counting what the request cost here: D1 statements with the rows they read and wrote (from
// D1's own `meta`), Durable Object calls, payment provider calls, and the sequential round trips of each (what a
// shopper waits for when every round trip costs tens of milliseconds). Off by default; the bindings are then
// untouched.
import { roundTrips, type Cost } from '../../../shared/cost';
import type { AuthorityEnv } from './env';
import { wrappedD1, wrappedStockObjects } from './wrapped-bindings';

type Counted = 'd1Statements' | 'd1RowsRead' | 'd1RowsWritten' | 'durableObjectCalls' | 'providerCalls';
export type RequestCost = Pick<Cost, Counted>;
type AuthorityCost = Omit<Cost, 'subrequests' | 'modeledMs' | 'limiterRoundTrips'>;

export function costAccountingOn(env: AuthorityEnv): boolean {
  return env.COST_ACCOUNTING === '1' && env.ENVIRONMENT !== 'production';
}

/** The same bindings, counting; payment providers count their calls through `PAYMENT_PROVIDER_METER`. */
export function meteredEnv(env: AuthorityEnv): { env: AuthorityEnv; cost: () => AuthorityCost } {
  const cost: RequestCost = { d1Statements: 0, d1RowsRead: 0, d1RowsWritten: 0, durableObjectCalls: 0, providerCalls: 0 };
  const d1 = roundTrips();
  const d1Writes = roundTrips();
  const d1Replica = roundTrips();
  const stock = roundTrips();
  const provider = roundTrips();
  const db = wrappedD1(env.DB, {
    // One D1 round trip; a writing one also counts as a write round trip, a replica read as a replica one.
    trip: (write, route, call) => d1.around(() => (write ? d1Writes.around(call) : route === 'replica' ? d1Replica.around(call) : call())),
    onMeta: (meta) => {
      cost.d1Statements += 1;
      cost.d1RowsRead += meta?.rows_read ?? 0;
      cost.d1RowsWritten += meta?.rows_written ?? 0;
    },
  });
  const inventory = wrappedStockObjects(env.INVENTORY, (call) => {
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
  return { env: { ...env, DB: db, INVENTORY: inventory, PAYMENT_PROVIDER_METER: providerMeter }, cost: total };
}
