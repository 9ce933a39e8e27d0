// npm run bench: the stock and checkout paths under load, as ratios against floors measured in the same run.
// Starts its own stack (bare workerd through Miniflare, rate limits raised), prints a table, and writes
// bench/results/<time>.json. Options: --buyers 2000 --concurrency 64 --variants 200; --model prod runs under the
// latency model (shared/latency-model.ts: D1, Durable Object and Stripe round trips delayed as in production).
// Throughput is driven by autocannon, whose own ceiling (a front-door-only answer) is measured in the same run;
// latency runs (a few at a time) use Node fetch, to pair each answer's time with its x-cost.
// All load goes to 127.0.0.1 and is bounded in count; the generator and the stack share this machine's cores,
// so compare the ratios, not the absolute figures.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { LATENCY_PRESETS, type LatencyModel } from '../shared/latency-model';
import { ShopFile } from '../shared/shop-file';
import { ROOT } from '../scripts/lib/paths';
import { DEFAULT_ADMIN_TOKEN } from '../test/stack/harness';
import { BENCH_STRIPE_KEY_BINDING, startBenchStack, type BenchStack } from './stack';

const { values: args } = parseArgs({
  options: {
    buyers: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    variants: { type: 'string', default: '200' },
    calls: { type: 'string', default: '2000' },
    checkouts: { type: 'string' },
    model: { type: 'string' },
  },
});
const MODEL_NAME = args.model;
if (MODEL_NAME !== undefined && !LATENCY_PRESETS[MODEL_NAME]) {
  throw new Error(`--model: one of ${Object.keys(LATENCY_PRESETS).join(', ')}`);
}
const MODEL: LatencyModel | null = MODEL_NAME ? LATENCY_PRESETS[MODEL_NAME]! : null;
/** Under the model every round trip waits: fewer requests (a fifth of the load, 40 latency samples). */
const SCALE = MODEL ? 0.2 : 1;
const BUYERS = Math.round(Number(args.buyers) * SCALE);
const CONCURRENCY = Number(args.concurrency);
const VARIANTS = Number(args.variants);
const CALLS = Math.round(Number(args.calls) * SCALE);
const CHECKOUTS = Number(args.checkouts ?? (MODEL ? 40 : 200));
/** A path only the front-door answers (an unknown API path: 404 before any hop): the generator's ceiling. */
const CEILING_PATH = '/api/__bench_ceiling';
const CEILING_WARNING = 0.8;
const FLASH_UNITS = 100;
const LATENCY_CONCURRENCY = 4;
const TOKEN = DEFAULT_ADMIN_TOKEN; // the harness gives the bench shop this one

function benchShop(): ShopFile {
  const spread = Array.from({ length: VARIANTS }, (_, i) => ({ sku: `B-SPREAD-${i}`, attributes: { n: String(i) }, unitAmount: 1000 }));
  return ShopFile.parse({
    shop: {
      id: 'benchshop',
      name: 'Bench',
      hostnames: ['bench.invalid'],
      currency: 'gbp',
      // Under the latency model the shop pays through the fake Stripe (late by the model's Stripe call).
      paymentProvider: MODEL ? 'stripe' : 'dev',
      ...(MODEL ? { stripeSecretKeyBinding: BENCH_STRIPE_KEY_BINDING } : {}),
      stripeWebhookSecretBinding: 'STRIPE_WEBHOOK_SECRET_BENCHSHOP',
      adminTokenVariable: 'BENCH_ADMIN_TOKEN',
      maxLineQuantity: 1000,
      // Raised in the shop itself (the gateway's env overrides raise only validate, cart and checkout).
      rateLimits: { admin: 10_000_000, read: 10_000_000, validate: 10_000_000, cart: 10_000_000, checkout: 10_000_000 },
    },
    catalog: {
      products: [
        { sku: 'B-FLASH', name: 'Flash', variants: [{ sku: 'B-FLASH-1', attributes: {}, unitAmount: 1500 }] },
        // At most 100 variants a product: the spread is cut into products of 100.
        ...Array.from({ length: Math.ceil(VARIANTS / 100) }, (_, p) => ({ sku: `B-SPREAD-P${p}`, name: `Spread ${p}`, variants: spread.slice(p * 100, p * 100 + 100) })),
        { sku: 'B-E2E', name: 'Checkout', variants: [{ sku: 'B-E2E-1', attributes: {}, unitAmount: 900 }] },
      ],
    },
    stock: { 'B-FLASH-1': FLASH_UNITS, 'B-E2E-1': 1_000_000, ...Object.fromEntries(spread.map((v) => [v.sku, 10])) },
  });
}

interface Run {
  count: number;
  seconds: number;
  perSecond: number;
  statuses: Record<string, number>;
  p50: number;
  p90: number;
  p99: number;
  /** Latency runs only: the answers' x-cost headers, and each request's time less its Stripe round trips. */
  costs?: Record<string, number>[];
  nonStripeP50?: number;
  p95?: number;
  /** Throughput runs: why requests got no answer, as autocannon reported it. */
  noAnswer?: Record<string, number>;
}

const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
let nextClient = 0; // every request of the run from its own address

interface Target {
  method?: 'GET' | 'POST';
  path: string;
  body?: (i: number) => string;
  /** Straight to the authority: the shop comes from x-shop-id, as the gateway would send it. */
  shop?: boolean;
}

function headersFor(target: Target, i: number): Record<string, string> {
  return {
    'cf-connecting-ip': ip(i),
    ...(target.shop ? { 'x-shop-id': 'benchshop' } : {}),
    ...(target.body ? { 'content-type': 'application/json' } : {}),
  };
}

/** Throughput: `count` requests, `concurrency` connections, through autocannon (each request its own address). */
async function load(base: string, count: number, target: Target, concurrency = CONCURRENCY): Promise<Run> {
  const reasons: Record<string, number> = {};
  const started = performance.now();
  let lastAnswer = started;
  const instance = autocannon({
    url: base,
    connections: Math.min(concurrency, count),
    amount: count,
    timeout: 60,
    requests: [
      {
        method: target.method ?? 'GET',
        path: target.path,
        setupRequest: (request) => {
          const i = nextClient++;
          return { ...request, headers: headersFor(target, i), ...(target.body ? { body: target.body(i) } : {}) };
        },
      },
    ],
  }) as unknown as Promise<autocannon.Result> & NodeJS.EventEmitter;
  // autocannon ends a run with `amount` only at its next one-second tick, and its duration says so: timed
  // from its own figure, 2,000 requests that take 7.2 s read as 8 s. The run lasts until its last answer.
  instance.on('response', () => {
    lastAnswer = performance.now();
  });
  instance.on('reqError', (error: Error & { code?: string }) => {
    const reason = error.code ?? error.message;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  });
  const result = await instance;
  const statuses: Record<string, number> = {};
  for (const [status, { count: n }] of Object.entries(result.statusCodeStats ?? {})) statuses[status] = n ?? 0;
  const answered = Object.values(statuses).reduce((sum, n) => sum + n, 0);
  // Status 0: no answer (a reset connection or a timeout); autocannon reconnects and goes on.
  if (answered < count) statuses['0'] = count - answered;
  const seconds = answered > 0 ? (lastAnswer - started) / 1000 : result.duration;
  return {
    count,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(answered / seconds),
    statuses,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    ...(Object.keys(reasons).length > 0 ? { noAnswer: reasons } : {}),
  };
}

/** Latency: `count` requests with at most `concurrency` in flight, each timed with its own x-cost (Node fetch). */
async function timed(base: string, count: number, target: Target, concurrency: number): Promise<Run> {
  const samples: { ms: number; cost: Record<string, number> }[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next++ < count) {
        const i = nextClient++;
        const t = performance.now();
        let status = 0;
        let cost: Record<string, number> = {};
        try {
          const res = await fetch(`${base}${target.path}`, { method: target.method ?? 'GET', headers: headersFor(target, i), body: target.body?.(i) });
          await res.arrayBuffer();
          status = res.status;
          cost = JSON.parse(res.headers.get('x-cost') ?? '{}') as Record<string, number>;
        } catch {
          status = 0;
        }
        samples.push({ ms: performance.now() - t, cost });
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const at = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
  };
  const ms = samples.map((s) => s.ms);
  const stripeMs = MODEL?.stripeMs ?? 0;
  return {
    count,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(count / seconds),
    statuses,
    p50: at(ms, 0.5),
    p90: at(ms, 0.9),
    p95: at(ms, 0.95),
    p99: at(ms, 0.99),
    costs: samples.map((s) => s.cost),
    nonStripeP50: at(samples.map((s) => s.ms - stripeMs * (s.cost.providerRoundTrips ?? 0)), 0.5),
  };
}

const checkoutBody = (sku: string) => JSON.stringify({ items: [{ sku, quantity: 1 }] });

async function available(stack: BenchStack, sku: string): Promise<number> {
  const res = await fetch(`${stack.edge}/api/admin/inventory`, { headers: { authorization: `Bearer ${TOKEN}`, 'cf-connecting-ip': '10.0.0.2' } });
  const { items } = (await res.json()) as { items: { sku: string; available: number }[] };
  return items.find((i) => i.sku === sku)!.available;
}

type Row = [string, Run | null];

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const has5xx = (run: Run) => Object.keys(run.statuses).some((status) => Number(status) >= 500);

async function measure(stack: BenchStack) {
  const direct = stack.authority;
  const noop: Target = { path: '/api/bench/noop' };
  const checkout = (sku: (i: number) => string): Target => ({ method: 'POST', path: '/api/checkout-session', body: (i) => checkoutBody(sku(i)) });
  // Warm up both paths (isolates, D1 statements, the objects the floors use) and the generator.
  await load(stack.edge, 200, { path: CEILING_PATH });
  await load(stack.edge, 200, noop);
  if (direct) await load(direct, 200, { ...noop, shop: true });
  // And the checkout path (its statements, the hot variant's stock object): a cold workerd drops a few
  // connections while it compiles and starts objects, which is no figure of the code under test.
  await load(stack.edge, 200, checkout(() => 'B-E2E-1'));

  // The generator's own ceiling: an answer of the front-door alone (404 before any hop).
  // Never scaled down: a short run would understate it.
  const ceiling = await load(stack.edge, Number(args.calls), { path: CEILING_PATH });
  const noopEdge = await load(stack.edge, CALLS, noop);
  const noopDirect = direct ? await load(direct, CALLS, { ...noop, shop: true }) : null;

  // Each scenario is compared with the floor measured just before and just after it: this machine's speed
  // drifts by a fifth over a run, and a floor from a minute earlier would be read as the code's doing.
  const flash = await load(stack.edge, BUYERS, checkout(() => 'B-FLASH-1'));
  const flashHeld = flash.statuses['200'] ?? 0;
  const flashLeft = await available(stack, 'B-FLASH-1');
  const noopBetween = await load(stack.edge, CALLS, noop);

  // A hot variant with plenty of stock: every checkout holds, all at full concurrency on one stock object.
  const hotBefore = await available(stack, 'B-E2E-1');
  const hot = await load(stack.edge, BUYERS, checkout(() => 'B-E2E-1'));
  const hotHeld = hotBefore - (await available(stack, 'B-E2E-1'));
  const noopAfter = await load(stack.edge, CALLS, noop);

  const spread = await load(stack.edge, BUYERS, checkout((i) => `B-SPREAD-${i % VARIANTS}`));
  // Latency, not throughput: a few shoppers at a time, so the edge's share is its hops and not its queue.
  const checkoutEdge = await timed(stack.edge, CHECKOUTS, checkout(() => 'B-E2E-1'), LATENCY_CONCURRENCY);
  const checkoutDirect = direct ? await timed(direct, CHECKOUTS, { ...checkout(() => 'B-E2E-1'), shop: true }, LATENCY_CONCURRENCY) : null;
  // Under the model, also a shopper alone: the path's own latency. Four at a time on these two cores, the
  // workers, the D1 simulator and the fake Stripe queue for the same CPU, which production spreads over machines.
  const checkoutAlone = MODEL ? await timed(stack.edge, CHECKOUTS, checkout(() => 'B-E2E-1'), 1) : null;

  const costs = await costPerRequest(stack.edge);

  const violations = [
    ...(flashHeld !== FLASH_UNITS ? [`flash sale held ${flashHeld}, expected exactly ${FLASH_UNITS}`] : []),
    ...(flashLeft !== 0 ? [`flash sale left ${flashLeft} available, expected 0`] : []),
    ...(hotHeld !== (hot.statuses['200'] ?? 0) || hot.statuses['409']
      ? [`hot variant: ${hotHeld} units held for ${hot.statuses['200'] ?? 0} successful checkouts (${hot.statuses['409'] ?? 0} refused)`]
      : []),
    ...([flash, spread, hot, checkoutEdge].some(has5xx) ? ['a 5xx under load'] : []),
  ];
  const unanswered = [flash, spread, hot].reduce((sum, run) => sum + (run.statuses['0'] ?? 0), 0);
  const noAnswer: Record<string, number> = {};
  for (const run of [flash, spread, hot]) {
    for (const [reason, n] of Object.entries(run.noAnswer ?? {})) noAnswer[reason] = (noAnswer[reason] ?? 0) + n;
  }
  const provider = MODEL ? 'stripe (fake, late)' : 'dev provider';
  const rows: Row[] = [
    ['generator ceiling: front-door only (404)', ceiling],
    ['no-op DO call, through the 3 hops', noopEdge],
    ['no-op DO call, authority only', noopDirect],
    [`flash sale: ${BUYERS} buyers, 1 variant x ${FLASH_UNITS}`, flash],
    ['no-op DO call, 3 hops, after the flash sale', noopBetween],
    [`hot variant: ${BUYERS} checkouts, all hold`, hot],
    ['no-op DO call, 3 hops, after the hot variant', noopAfter],
    [`spread: ${BUYERS} buyers over ${VARIANTS} variants`, spread],
    [`checkout (${provider}), 3 hops, ${LATENCY_CONCURRENCY} at a time`, checkoutEdge],
    [`checkout (${provider}), authority only, ${LATENCY_CONCURRENCY} at a time`, checkoutDirect],
    ...(checkoutAlone ? [[`checkout (${provider}), 3 hops, 1 at a time`, checkoutAlone] as Row] : []),
  ];
  const nearCeiling = rows
    .slice(1)
    .filter(([, run]) => run && run.perSecond > CEILING_WARNING * ceiling.perSecond)
    .map(([name]) => name);
  const { costs: edgeCosts = [], ...edgeRun } = checkoutEdge;
  // What a checkout through the hops waited on, as the workers counted it (their x-cost).
  const meanCost = (key: string) => Math.round((edgeCosts.reduce((sum, c) => sum + (c[key] ?? 0), 0) / Math.max(1, edgeCosts.length)) * 10) / 10;
  const withoutCosts = (run: Run | null) => (run ? (({ costs: _c, ...rest }) => rest)(run) : null);
  return {
    runtime: stack.runtime,
    model: MODEL ? { name: MODEL_NAME, ...MODEL } : null,
    generatorCeiling: ceiling,
    floors: { noopDurableObjectThroughEdge: [noopEdge, noopBetween, noopAfter], noopDurableObjectDirect: noopDirect },
    flashSale: { ...flash, held: flashHeld, availableAfter: flashLeft },
    spread,
    hotVariant: { ...hot, held: hotHeld },
    checkout: {
      throughEdge: edgeRun,
      authorityDirect: withoutCosts(checkoutDirect),
      aloneThroughEdge: withoutCosts(checkoutAlone),
      waitedOn: { providerRoundTrips: meanCost('providerRoundTrips'), modeledMs: meanCost('modeledMs') },
    },
    costPerRequest: costs,
    ratios: {
      flashAttemptsPerSecondOverNoopFloor: ratio(flash.perSecond, (noopEdge.perSecond + noopBetween.perSecond) / 2),
      hotCheckoutsPerSecondOverNoopFloor: ratio(hot.perSecond, (noopBetween.perSecond + noopAfter.perSecond) / 2),
      edgeHopShareOfCheckoutP50: checkoutDirect ? ratio(checkoutEdge.p50 - checkoutDirect.p50, checkoutEdge.p50) : null,
    },
    nearCeiling,
    unanswered,
    noAnswer,
    violations,
    rows,
  };
}

interface CostProbe {
  name: string;
  path: string;
  method?: string;
  body?: string;
  /** The status the probe must get, or its cost means nothing. */
  status: number;
}

/** What production waits on: a few requests of each kind, as the bench shop is after the load (flash sold out). */
const COST_PROBES: CostProbe[] = [
  { name: 'checkout, successful', path: '/api/checkout-session', method: 'POST', body: checkoutBody('B-E2E-1'), status: 200 },
  { name: 'checkout, refused (sold out)', path: '/api/checkout-session', method: 'POST', body: checkoutBody('B-FLASH-1'), status: 409 },
  { name: 'add to cart', path: '/api/cart', method: 'POST', body: JSON.stringify({ sku: 'B-E2E-1', quantity: 1 }), status: 200 },
  { name: 'products', path: '/api/products', status: 200 },
  { name: 'validate', path: '/api/inventory/validate', method: 'POST', body: checkoutBody('B-E2E-1'), status: 200 },
];

/** What each kind of request costs, counted by the workers themselves (x-cost), averaged over a few requests. */
async function costPerRequest(edge: string): Promise<Record<string, Record<string, number>> | null> {
  const costs: Record<string, Record<string, number>> = {};
  let client = 900_000;
  for (const probe of COST_PROBES) {
    const samples: Record<string, number>[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${edge}${probe.path}`, {
        method: probe.method ?? 'GET',
        headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip(client++) },
        body: probe.body,
      });
      const header = res.headers.get('x-cost');
      await res.arrayBuffer();
      if (res.status !== probe.status || !header) return null;
      samples.push(JSON.parse(header) as Record<string, number>);
    }
    const mean = (key: string) => Math.round((samples.reduce((sum, s) => sum + (s[key] ?? 0), 0) / samples.length) * 10) / 10;
    costs[probe.name] = Object.fromEntries(Object.keys(samples[0]!).map((key) => [key, mean(key)]));
  }
  return costs;
}

const pad = (value: unknown, width: number) => String(value).padStart(width);

function print(result: Awaited<ReturnType<typeof measure>>) {
  const model = result.model ? `; latency model "${result.model.name}" (${JSON.stringify(LATENCY_PRESETS[result.model.name!])})` : '';
  console.log(`\n${result.runtime}${model}`);
  console.log(`generator: autocannon, ${CONCURRENCY} connections, each request from its own address; latency rows: Node fetch`);
  if (MODEL) console.log(`under the model: ${BUYERS} buyers and ${CALLS} calls per scenario (a fifth of the default), ${CHECKOUTS} latency samples`);
  console.log(`\n${'scenario'.padEnd(54)}${pad('req/s', 7)}${pad('p50 ms', 8)}${pad('p90 ms', 8)}${pad('p99 ms', 8)}  statuses`);
  for (const [name, run] of result.rows) {
    if (!run) {
      console.log(`${name.padEnd(54)}      (not reachable in this runtime)`);
      continue;
    }
    console.log(`${name.padEnd(54)}${pad(run.perSecond, 7)}${pad(run.p50, 8)}${pad(run.p90, 8)}${pad(run.p99, 8)}  ${JSON.stringify(run.statuses)}`);
  }
  for (const name of result.nearCeiling) {
    console.log(`WARNING: "${name}" reached more than ${CEILING_WARNING} of the generator's ceiling: the generator may be its cap`);
  }
  const { ratios } = result;
  console.log(`\nflash sale: ${result.flashSale.held} held (expected ${FLASH_UNITS}), ${result.flashSale.availableAfter} left`);
  console.log(`hot variant: ${result.hotVariant.held} units held, one per successful checkout (${BUYERS} sent)`);
  if (result.unanswered > 0) {
    console.log(
      `note: ${result.unanswered} requests got no answer in autocannon (status 0 above; it reported ` +
        `${JSON.stringify(result.noAnswer)}). Undici (Node's fetch) got an answer to every one of 3,000 such checkouts at ` +
        'the same concurrency on the same stack, and none of them took a unit: a loss in the generator, not the server.',
    );
  }
  console.log(`flash-sale attempts/s over the no-op floor (the mean of the runs before and after it): ${ratios.flashAttemptsPerSecondOverNoopFloor} (target >= 0.8)`);
  console.log(`hot-variant checkouts/s over the no-op floor (the same): ${ratios.hotCheckoutsPerSecondOverNoopFloor} (target >= 0.5)`);
  if (ratios.edgeHopShareOfCheckoutP50 !== null) {
    const reading = MODEL ? '(target <= 0.10)' : '(the target, <= 0.10, is read under --model prod: decision 0019)';
    console.log(`edge hops' share of checkout p50: ${ratios.edgeHopShareOfCheckoutP50} ${reading}`);
  }
  if (MODEL) {
    const edge = result.checkout.throughEdge;
    const alone = result.checkout.aloneThroughEdge!;
    const { waitedOn } = result.checkout;
    console.log(`\ncheckout under the model, through the 3 hops, a shopper alone: p50 ${alone.p50} ms, p95 ${alone.p95} ms`);
    console.log(`  Stripe round trips per checkout ${waitedOn.providerRoundTrips} x ${MODEL.stripeMs} ms; modeled D1/DO wait ${waitedOn.modeledMs} ms`);
    console.log(`  non-Stripe part of p50 (each request's time less ${MODEL.stripeMs} ms per Stripe round trip): ${alone.nonStripeP50} ms (target <= 100)`);
    console.log(`  ${LATENCY_CONCURRENCY} at a time: p50 ${edge.p50} ms, p95 ${edge.p95} ms, non-Stripe part ${edge.nonStripeP50} ms (queueing for this machine's 2 cores)`);
  }
  if (result.costPerRequest) {
    console.log('\ncost per request, counted by the workers (sequential round trips: what a shopper waits on)');
    const columns: [string, (c: Record<string, number>) => number | undefined, number][] = [
      ['D1 trips', (c) => c.d1RoundTrips, 9],
      ['writes', (c) => c.d1WriteRoundTrips, 7],
      ['replica', (c) => c.d1ReplicaRoundTrips, 8],
      ['stock DO trips', (c) => (c.durableObjectRoundTrips ?? 0) - (c.limiterRoundTrips ?? 0), 15],
      ['limiter DO trips', (c) => c.limiterRoundTrips, 17],
      ['provider trips', (c) => c.providerRoundTrips, 15],
      ['D1 stmts', (c) => c.d1Statements, 9],
      ['rows read', (c) => c.d1RowsRead, 10],
      ['rows written', (c) => c.d1RowsWritten, 13],
      ['DO calls', (c) => c.durableObjectCalls, 9],
      ['provider calls', (c) => c.providerCalls, 15],
      ...(MODEL ? [['modeled ms', (c: Record<string, number>) => c.modeledMs, 11] as [string, (c: Record<string, number>) => number | undefined, number]] : []),
    ];
    console.log(`${'request'.padEnd(30)}${columns.map(([title, , width]) => pad(title, width)).join('')}`);
    for (const [name, c] of Object.entries(result.costPerRequest)) {
      console.log(`${name.padEnd(30)}${columns.map(([, value, width]) => pad(Math.round((value(c) ?? 0) * 10) / 10, width)).join('')}`);
    }
  }
  console.log(result.violations.length === 0 ? 'invariants: no violation' : `VIOLATIONS: ${result.violations.join('; ')}`);
}

async function main() {
  const shop = benchShop();
  const results = [];
  const stack = await startBenchStack(shop, 10_000_000, MODEL ? { name: MODEL_NAME!, model: MODEL } : undefined);
  try {
    const result = await measure(stack);
    print(result);
    const { rows: _rows, ...recorded } = result;
    results.push(recorded);
  } finally {
    await stack.stop();
  }
  const at = new Date().toISOString();
  const dir = path.join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ at, options: { buyers: BUYERS, concurrency: CONCURRENCY, variants: VARIANTS, calls: CALLS, checkouts: CHECKOUTS, model: MODEL_NAME ?? null }, results }, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(ROOT, file)}`);
  if (results.some((r) => r.violations.length > 0)) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
