// The x-cost header of cost accounting (COST_ACCOUNTING=1, benchmarks only): each hop adds what it spent to
// what the hops behind it reported, so the front-door's answer carries the whole request's cost.
export interface Cost {
  d1Statements: number;
  d1RowsRead: number;
  d1RowsWritten: number;
  /** Sequential D1 round trips: calls issued while another D1 call is in flight count once (a batch is one). */
  d1RoundTrips: number;
  /** Of those, the ones that write (a statement other than SELECT): production sends them to the primary. */
  d1WriteRoundTrips: number;
  /** Of those, D1 reads a session may send to a replica (Sessions API, before the session writes). */
  d1ReplicaRoundTrips: number;
  durableObjectCalls: number;
  /** Sequential Durable Object round trips, counted like D1's: the stock objects' and the rate limiter's. */
  durableObjectRoundTrips: number;
  /** Of those, the gateway's rate limiter's. */
  limiterRoundTrips: number;
  /** Calls to the payment provider (Stripe's HTTP calls; the dev provider's stand-in counts as one). */
  providerCalls: number;
  /** Sequential payment provider round trips, counted like D1's. */
  providerRoundTrips: number;
  /** Calls out of a worker: service binding fetches and RPC, Durable Object calls, fetches. */
  subrequests: number;
  /** Under a latency model (LATENCY_MODEL, never in production): the injected waits on the request's path, ms. */
  modeledMs: number;
}

/** Counts round trips of one kind: a call that starts while none of its kind is in flight begins a new one. */
export function roundTrips() {
  let inFlight = 0;
  let trips = 0;
  return {
    async around<T>(call: () => Promise<T>): Promise<T> {
      if (inFlight++ === 0) trips += 1;
      try {
        return await call();
      } finally {
        inFlight -= 1;
      }
    },
    get count() {
      return trips;
    },
  };
}

export const COST_HEADER = 'x-cost';

export function addCost(response: Response, spent: Partial<Cost>): Response {
  let below: Partial<Cost> = {};
  try {
    below = JSON.parse(response.headers.get(COST_HEADER) ?? '{}') as Partial<Cost>;
  } catch {
    below = {};
  }
  const total: Cost = {
    d1Statements: 0,
    d1RowsRead: 0,
    d1RowsWritten: 0,
    d1RoundTrips: 0,
    d1WriteRoundTrips: 0,
    d1ReplicaRoundTrips: 0,
    durableObjectCalls: 0,
    durableObjectRoundTrips: 0,
    limiterRoundTrips: 0,
    providerCalls: 0,
    providerRoundTrips: 0,
    subrequests: 0,
    modeledMs: 0,
  };
  for (const key of Object.keys(total) as (keyof Cost)[]) total[key] = (below[key] ?? 0) + (spent[key] ?? 0);
  const answer = new Response(response.body, response);
  answer.headers.set(COST_HEADER, JSON.stringify(total));
  return answer;
}
