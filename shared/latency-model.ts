// The latency model of the bench and the stack tests (LATENCY_MODEL, never active in production): what a
// round trip costs in production, injected as a wait before each round trip locally, where D1 and Durable
// Objects answer in well under a millisecond. Stripe's share is the fake Stripe's delay, not a wait here.

export interface LatencyModel {
  /** A D1 round trip that writes, or reads from the primary. */
  d1PrimaryMs: number;
  /** A D1 read that a session may send to a replica (Sessions API, before the session's first write). */
  d1ReplicaMs: number;
  /** A Durable Object round trip (stock objects, the gateway's rate limiter). */
  durableObjectMs: number;
  /** A payment provider call: the bench makes the fake Stripe wait this long; workers never wait for it. */
  stripeMs: number;
}

export const LATENCY_PRESETS: Record<string, LatencyModel> = {
  prod: { d1PrimaryMs: 25, d1ReplicaMs: 5, durableObjectMs: 10, stripeMs: 350 },
};

/**
 * The model a worker runs under: LATENCY_MODEL is a preset name ("prod") or the JSON of a LatencyModel
 * (missing fields are 0). None in production, nor when ENVIRONMENT is unset (a deploy defaults to production).
 */
export function latencyModelOf(env: { LATENCY_MODEL?: string; ENVIRONMENT?: string }): LatencyModel | null {
  const raw = env.LATENCY_MODEL?.trim();
  if (!raw || !env.ENVIRONMENT || env.ENVIRONMENT === 'production') return null;
  const preset = LATENCY_PRESETS[raw];
  if (preset) return preset;
  let parsed: Partial<Record<keyof LatencyModel, unknown>>;
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    throw new Error(`LATENCY_MODEL is neither a preset (${Object.keys(LATENCY_PRESETS).join(', ')}) nor JSON`);
  }
  const ms = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);
  return {
    d1PrimaryMs: ms(parsed.d1PrimaryMs),
    d1ReplicaMs: ms(parsed.d1ReplicaMs),
    durableObjectMs: ms(parsed.durableObjectMs),
    stripeMs: ms(parsed.stripeMs),
  };
}

/** What one request waited on injected delays (the x-cost header's modeledMs). */
export interface ModeledWait {
  ms: number;
}

/**
 * Round trips of one kind under the model: a call that starts while none of its kind is in flight begins a
 * round trip and waits `ms` before going out; a call issued while one is in flight waits with it, not after
 * it. The same rule as roundTrips() in cost.ts, so the waits add up to the trips counted there.
 */
export function delayedTrips(wait: ModeledWait) {
  let inFlight = 0;
  let current: Promise<void> = Promise.resolve();
  return {
    async around<T>(ms: number, call: () => Promise<T>): Promise<T> {
      if (inFlight++ === 0) {
        wait.ms += ms;
        current = ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
      }
      try {
        await current;
        return await call();
      } finally {
        inFlight -= 1;
      }
    },
  };
}
