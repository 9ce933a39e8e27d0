// The latency model on the authority's bindings (LATENCY_MODEL, shared/latency-model.ts; never in production):
// the same D1 and stock objects, each round trip delayed as production would delay it. D1 reads in a session
// that may use replicas ('first-unconstrained' or a bookmark) cost the replica delay until the session writes.
import { delayedTrips, type LatencyModel, type ModeledWait } from '../../../shared/latency-model';
import type { AuthorityEnv } from './env';
import { wrappedD1, wrappedStockObjects } from './wrapped-bindings';

/** The bindings, with each D1 and stock object round trip delayed by the model; waits add up in `wait`. */
export function modeledEnv(env: AuthorityEnv, model: LatencyModel, wait: ModeledWait): AuthorityEnv {
  const primary = delayedTrips(wait);
  const replica = delayedTrips(wait);
  const stock = delayedTrips(wait);
  const db = wrappedD1(env.DB, {
    trip: (_write, route, call) => (route === 'replica' ? replica.around(model.d1ReplicaMs, call) : primary.around(model.d1PrimaryMs, call)),
  });
  const inventory = wrappedStockObjects(env.INVENTORY, (call) => stock.around(model.durableObjectMs, call));
  return { ...env, DB: db, INVENTORY: inventory };
}
