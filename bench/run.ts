// npm run bench: the stock and checkout paths under load, as ratios against floors measured in the same run.
// Starts its own stack (bare workerd through Miniflare, rate limits raised), prints a table, and writes
// bench/results/<time>.json. Options: --buyers 2000 --concurrency 64 --variants 200.
// All load goes to 127.0.0.1 and is bounded in count; the generator and the stack share this machine's cores,
// so compare the ratios, not the absolute figures.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ShopFile } from '../shared/shop-file';
import { ROOT } from '../scripts/lib/paths';
import { DEFAULT_ADMIN_TOKEN } from '../test/stack/harness';
import { startBenchStack, type BenchStack } from './stack';

const { values: args } = parseArgs({
  options: {
    buyers: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    variants: { type: 'string', default: '200' },
    calls: { type: 'string', default: '2000' },
    checkouts: { type: 'string', default: '200' },
  },
});
const BUYERS = Number(args.buyers);
const CONCURRENCY = Number(args.concurrency);
const VARIANTS = Number(args.variants);
const CALLS = Number(args.calls);
const CHECKOUTS = Number(args.checkouts);
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
      paymentProvider: 'dev',
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
  p95: number;
  p99: number;
}

/** Sends `count` requests with at most `concurrency` in flight; latencies in ms. */
async function load(count: number, request: (i: number) => Promise<number>, concurrency = CONCURRENCY): Promise<Run> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        const status = await request(i).catch(() => 0);
        latencies.push(performance.now() - t);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 10) / 10;
  return { count, seconds: Math.round(seconds * 100) / 100, perSecond: Math.round(count / seconds), statuses, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

async function send(base: string, pathname: string, init: RequestInit & { i: number; shop?: boolean }): Promise<number> {
  const headers = new Headers(init.headers);
  headers.set('cf-connecting-ip', ip(init.i));
  if (init.shop) headers.set('x-shop-id', 'benchshop');
  if (init.body) headers.set('content-type', 'application/json');
  const res = await fetch(`${base}${pathname}`, { ...init, headers });
  await res.arrayBuffer();
  return res.status;
}

const checkoutBody = (sku: string) => JSON.stringify({ items: [{ sku, quantity: 1 }] });

async function available(stack: BenchStack, sku: string): Promise<number> {
  const res = await fetch(`${stack.edge}/api/admin/inventory`, { headers: { authorization: `Bearer ${TOKEN}`, 'cf-connecting-ip': '10.0.0.2' } });
  const { items } = (await res.json()) as { items: { sku: string; available: number }[] };
  return items.find((i) => i.sku === sku)!.available;
}

type Row = [string, Run | null];

async function measure(stack: BenchStack, shop: ShopFile) {
  const direct = stack.authority;
  // Warm up both paths (isolates, D1 statements, the objects the floors use).
  await load(200, (i) => send(stack.edge, '/api/bench/noop', { i }));
  if (direct) await load(200, (i) => send(direct, '/api/bench/noop', { i, shop: true }));

  const noopEdge = await load(CALLS, (i) => send(stack.edge, '/api/bench/noop', { i }));
  const noopDirect = direct ? await load(CALLS, (i) => send(direct, '/api/bench/noop', { i, shop: true })) : null;

  const flash = await load(BUYERS, (i) => send(stack.edge, '/api/checkout-session', { i, method: 'POST', body: checkoutBody('B-FLASH-1') }));
  const flashHeld = flash.statuses['200'] ?? 0;
  const flashLeft = await available(stack, 'B-FLASH-1');

  const spread = await load(BUYERS, (i) =>
    send(stack.edge, '/api/checkout-session', { i, method: 'POST', body: checkoutBody(`B-SPREAD-${i % VARIANTS}`) }),
  );
  // Latency, not throughput: a few shoppers at a time, so the edge's share is its hops and not its queue.
  const checkoutEdge = await load(CHECKOUTS, (i) => send(stack.edge, '/api/checkout-session', { i, method: 'POST', body: checkoutBody('B-E2E-1') }), LATENCY_CONCURRENCY);
  const checkoutDirect = direct
    ? await load(CHECKOUTS, (i) => send(direct, '/api/checkout-session', { i, shop: true, method: 'POST', body: checkoutBody('B-E2E-1') }), LATENCY_CONCURRENCY)
    : null;

  const costs = await costPerRequest(stack.edge);

  const violations = [
    ...(flashHeld !== FLASH_UNITS ? [`flash sale held ${flashHeld}, expected exactly ${FLASH_UNITS}`] : []),
    ...(flashLeft !== 0 ? [`flash sale left ${flashLeft} available, expected 0`] : []),
    ...(flash.statuses['500'] || spread.statuses['500'] ? ['a 5xx under load'] : []),
  ];
  const rows: Row[] = [
    ['no-op DO call, through the 3 hops', noopEdge],
    ['no-op DO call, authority only', noopDirect],
    [`flash sale: ${BUYERS} buyers, 1 variant x ${FLASH_UNITS}`, flash],
    [`spread: ${BUYERS} buyers over ${VARIANTS} variants`, spread],
    [`checkout (dev provider), 3 hops, ${LATENCY_CONCURRENCY} at a time`, checkoutEdge],
    [`checkout (dev provider), authority only, ${LATENCY_CONCURRENCY} at a time`, checkoutDirect],
  ];
  return {
    runtime: stack.runtime,
    floors: { noopDurableObjectThroughEdge: noopEdge, noopDurableObjectDirect: noopDirect },
    flashSale: { ...flash, held: flashHeld, availableAfter: flashLeft },
    spread,
    checkout: { throughEdge: checkoutEdge, authorityDirect: checkoutDirect },
    costPerRequest: costs,
    ratios: {
      flashAttemptsPerSecondOverNoopFloor: Math.round((flash.perSecond / noopEdge.perSecond) * 100) / 100,
      edgeHopShareOfCheckoutP50: checkoutDirect ? Math.round(((checkoutEdge.p50 - checkoutDirect.p50) / checkoutEdge.p50) * 100) / 100 : null,
    },
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

function print(result: Awaited<ReturnType<typeof measure>>) {
  console.log(`\n${result.runtime}; generator: Node fetch on the same machine, concurrency ${CONCURRENCY}\n`);
  console.log(['scenario'.padEnd(52), 'req/s'.padStart(7), 'p50 ms'.padStart(8), 'p95 ms'.padStart(8), 'p99 ms'.padStart(8), '  statuses'].join(''));
  for (const [name, run] of result.rows) {
    if (!run) {
      console.log(`${name.padEnd(52)}      (not reachable in this runtime)`);
      continue;
    }
    console.log([name.padEnd(52), String(run.perSecond).padStart(7), String(run.p50).padStart(8), String(run.p95).padStart(8), String(run.p99).padStart(8), `  ${JSON.stringify(run.statuses)}`].join(''));
  }
  console.log(`\nflash sale: ${result.flashSale.held} held (expected ${FLASH_UNITS}), ${result.flashSale.availableAfter} left`);
  console.log(`flash-sale attempts/s over the no-op floor: ${result.ratios.flashAttemptsPerSecondOverNoopFloor} (target >= 0.5)`);
  if (result.ratios.edgeHopShareOfCheckoutP50 !== null) {
    console.log(`edge hops' share of checkout p50: ${result.ratios.edgeHopShareOfCheckoutP50} (target <= 0.2)`);
  }
  if (result.costPerRequest) {
    console.log('\ncost per request, counted by the workers (sequential round trips: what a shopper waits on)');
    console.log(['request'.padEnd(30), 'D1 trips'.padStart(9), 'writes'.padStart(7), 'DO trips'.padStart(9), 'D1 stmts'.padStart(9),
      'rows read'.padStart(10), 'rows written'.padStart(13), 'DO calls'.padStart(9)].join(''));
    for (const [name, c] of Object.entries(result.costPerRequest)) {
      console.log([name.padEnd(30), String(c.d1RoundTrips).padStart(9), String(c.d1WriteRoundTrips).padStart(7),
        String(c.durableObjectRoundTrips).padStart(9), String(c.d1Statements).padStart(9), String(c.d1RowsRead).padStart(10),
        String(c.d1RowsWritten).padStart(13), String(c.durableObjectCalls).padStart(9)].join(''));
    }
  }
  console.log(result.violations.length === 0 ? 'invariants: no violation' : `VIOLATIONS: ${result.violations.join('; ')}`);
}

async function main() {
  const shop = benchShop();
  const results = [];
  const stack = await startBenchStack(shop, 10_000_000);
  try {
    const result = await measure(stack, shop);
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
  writeFileSync(file, `${JSON.stringify({ at, options: { buyers: BUYERS, concurrency: CONCURRENCY, variants: VARIANTS, calls: CALLS, checkouts: CHECKOUTS }, results }, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(ROOT, file)}`);
  if (results.some((r) => r.violations.length > 0)) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
