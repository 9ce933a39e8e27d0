// The x-cost header of cost accounting (COST_ACCOUNTING=1, benchmarks only): each hop adds what it spent to
// what the hops behind it reported, so the front-door's answer carries the whole request's cost.
export interface Cost {
  d1Statements: number;
  d1RowsRead: number;
  d1RowsWritten: number;
  durableObjectCalls: number;
  /** Calls out of a worker: service binding fetches and RPC, Durable Object calls, fetches. */
  subrequests: number;
}

export const COST_HEADER = 'x-cost';

export function addCost(response: Response, spent: Partial<Cost>): Response {
  let below: Partial<Cost> = {};
  try {
    below = JSON.parse(response.headers.get(COST_HEADER) ?? '{}') as Partial<Cost>;
  } catch {
    below = {};
  }
  const total: Cost = { d1Statements: 0, d1RowsRead: 0, d1RowsWritten: 0, durableObjectCalls: 0, subrequests: 0 };
  for (const key of Object.keys(total) as (keyof Cost)[]) total[key] = (below[key] ?? 0) + (spent[key] ?? 0);
  const answer = new Response(response.body, response);
  answer.headers.set(COST_HEADER, JSON.stringify(total));
  return answer;
}
