// npm run bench:profile [-- --worker commerce-authority --edge --checkouts 400]: where one worker's CPU goes in a
// checkout. Starts the bench's kind of stack with workerd's DevTools inspector open, sends checkouts 4 at a time (--in-flight)
// (to the authority alone, or with --edge through the front-door and the gateway), records a CPU profile of the
// one isolate named (a worker, or Miniflare's own: core:entry, d1:db), and prints its busy milliseconds per
// checkout and its heaviest functions. One isolate at a time: profiling several at once slows them all.
// `--worker none` profiles nothing: the wall time per checkout, before and after a change. `--stripe` pays
// through the fake Stripe (answering at once) instead of the dev provider. `--request noop` sends the bench's
// no-op DO call instead of checkouts (the floor of npm run bench); `--request sold-out`, checkouts of a variant with
// no stock (a flash sale's usual answer).
// On Linux it also prints the CPU time of the workerd process per request: workerd runs every isolate (the
// workers, the Durable Objects, Miniflare's entry and its D1 simulator) on one thread, so under load that
// figure is what bounds requests per second.
// `--compare` (with `--worker none`) sends the no-op call and the checkout in turns on one stack, `--rounds` times,
// and prints the workerd CPU of each turn and the floor's share of a checkout's (the hot-variant ratio of npm run
// bench, read from CPU; with `--request sold-out`, the flash sale's): the machine's speed drifts between runs, and
// turns a few seconds apart share its state.
// Local only: a tool for deciding what to make cheaper, not a benchmark.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { ROOT } from '../scripts/lib/paths';
import { freePort } from '../scripts/lib/wrangler';
import { ShopFile } from '../shared/shop-file';
import { startFakeStripe } from '../test/support/fake-stripe';
import { startStack } from '../test/stack/harness';

const { values: args } = parseArgs({
  options: {
    worker: { type: 'string', default: 'commerce-authority' },
    checkouts: { type: 'string', default: '400' },
    edge: { type: 'boolean', default: false },
    top: { type: 'string', default: '30' },
    'in-flight': { type: 'string', default: '4' },
    stripe: { type: 'boolean', default: false },
    request: { type: 'string', default: 'checkout' },
    compare: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '6' },
  },
});
const KINDS = ['checkout', 'noop', 'sold-out'] as const;
type RequestKind = (typeof KINDS)[number];
if (!(KINDS as readonly string[]).includes(args.request)) throw new Error(`--request: ${KINDS.join(', ')}`);
const REQUEST = args.request as RequestKind;
if (args.compare && args.worker !== 'none') throw new Error('--compare times the requests only: use it with --worker none');
if (args.compare && REQUEST === 'noop') throw new Error('--compare sets the no-op call against a checkout: --request checkout or sold-out');
const CHECKOUTS = Number(args.checkouts);
const IN_FLIGHT = Number(args['in-flight']);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One inspector session: Chrome DevTools protocol requests over the target's WebSocket. */
async function inspect(url: string) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let last = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result), waiting.delete(message.id);
  });
  const send = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve) => {
      const id = ++last;
      waiting.set(id, resolve as (result: unknown) => void);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

const frameName = (node: ProfileNode) =>
  `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').slice(-1)[0]}:${node.callFrame.lineNumber}`;

/**
 * Where each line of a worker's bundle came from: esbuild starts every module with a `// <path>` comment, so a
 * line belongs to the package (or our own file) of the comment above it.
 */
function bundleOrigins(worker: string): (line: number) => string {
  let text: string;
  try {
    text = readFileSync(path.join(ROOT, 'dist', worker, 'index.js'), 'utf8');
  } catch {
    return () => '(not a bundle of ours)';
  }
  const starts: { line: number; origin: string }[] = [];
  text.split('\n').forEach((line, i) => {
    const module = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(line)?.[1];
    if (!module) return;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(module)?.[1];
    starts.push({ line: i, origin: pkg ?? `ours: ${module.replace(/^(\.\.\/)+/, '').split('/').slice(0, -1).join('/')}` });
  });
  return (line) => {
    let origin = '(bundle preamble)';
    for (const start of starts) {
      if (start.line > line) break;
      origin = start.origin;
    }
    return origin;
  };
}

/** Milliseconds per request: busy in all, and the heaviest functions by self and by inclusive time. */
function summarise(profile: Profile, originOf: (line: number) => string) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((sample, i) => {
    const ms = profile.timeDeltas[i]! / 1000 / CHECKOUTS;
    const name = frameName(byId.get(sample)!);
    if (name.startsWith('(idle)')) return;
    busy += ms;
    self.set(name, (self.get(name) ?? 0) + ms);
    const { url, lineNumber } = byId.get(sample)!.callFrame;
    const origin = url.endsWith('index.js') ? originOf(lineNumber) : url ? `workerd: ${url.split(':')[0]}` : 'workerd: native';
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const frame = frameName(byId.get(id)!);
      if (!seen.has(frame)) seen.add(frame), inclusive.set(frame, (inclusive.get(frame) ?? 0) + ms);
    }
  });
  return { busy, self, inclusive, byOrigin };
}

/** CPU milliseconds (user and system) this stack's workerd (our child) has used so far; null where /proc is not there. */
function workerdCpuMs(): number | null {
  try {
    let ticks = 0;
    for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // the process ended while we looked
      }
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'workerd') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid) continue; // another stack's (npm run dev, a test run)
      ticks += Number(fields[11]) + Number(fields[12]); // utime and stime, in clock ticks (100 a second)
    }
    return ticks * 10;
  } catch {
    return null;
  }
}

const top = (totals: Map<string, number>, n: number) =>
  [...totals].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, ms]) => `  ${ms.toFixed(3).padStart(7)} ms  ${name}`).join('\n');

const shop = ShopFile.parse({
  shop: {
    id: 'benchshop',
    name: 'Bench',
    hostnames: ['bench.invalid'],
    currency: 'gbp',
    paymentProvider: args.stripe ? 'stripe' : 'dev',
    ...(args.stripe ? { stripeSecretKeyBinding: 'STRIPE_SECRET_KEY_BENCHSHOP' } : {}),
    stripeWebhookSecretBinding: 'STRIPE_WEBHOOK_SECRET_BENCHSHOP',
    adminTokenVariable: 'BENCH_ADMIN_TOKEN',
    rateLimits: { admin: 10_000_000, read: 10_000_000, validate: 10_000_000, cart: 10_000_000, checkout: 10_000_000 },
  },
  catalog: {
    products: [
      { sku: 'B-HOT', name: 'Hot', variants: [{ sku: 'B-HOT-1', attributes: {}, unitAmount: 900 }] },
      { sku: 'B-GONE', name: 'Gone', variants: [{ sku: 'B-GONE-1', attributes: {}, unitAmount: 900 }] },
    ],
  },
  stock: { 'B-HOT-1': 1_000_000, 'B-GONE-1': 0 },
});

const inspectorPort = await freePort();
const stripe = args.stripe ? await startFakeStripe() : null;
const stack = await startStack([shop], {
  authoritySocket: true,
  quiet: true,
  inspectorPort,
  bindings: {
    authority: {
      STRIPE_WEBHOOK_SECRET_BENCHSHOP: 'whsec_bench',
      ...(stripe ? { STRIPE_API_BASE: stripe.url, STRIPE_SECRET_KEY_BENCHSHOP: 'sk_test_bench' } : {}),
    },
  },
});
try {
  const base = args.edge ? stack.urls.benchshop! : stack.authorityUrl!;
  const send = async (i: number, kind: RequestKind) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'cf-connecting-ip': `10.9.${(i >> 8) & 255}.${i & 255}` };
    if (!args.edge) headers['x-shop-id'] = 'benchshop';
    const sku = kind === 'sold-out' ? 'B-GONE-1' : 'B-HOT-1';
    const response = kind === 'noop'
      ? await fetch(`${base}/api/bench/noop`, { headers })
      : await fetch(`${base}/api/checkout-session`, { method: 'POST', headers, body: JSON.stringify({ items: [{ sku, quantity: 1 }] }) });
    await response.text();
    return response.status;
  };
  let next = 0;
  /** `count` requests of one kind, IN_FLIGHT at a time: wall and workerd CPU milliseconds per request. */
  const run = async (kind: RequestKind, count: number) => {
    const statuses: Record<number, number> = {};
    const cpuBefore = workerdCpuMs();
    const started = performance.now();
    const last = next + count;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < last) {
          const status = await send(next++, kind);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
    const cpuAfter = workerdCpuMs();
    return { wall: (performance.now() - started) / count, cpu: cpuBefore !== null && cpuAfter !== null ? (cpuAfter - cpuBefore) / count : null, statuses };
  };
  const where = `${args.edge ? 'through the edge' : 'to the authority'}, ${IN_FLIGHT} in flight`;
  const named = (kind: RequestKind) => ({ noop: 'no-op DO calls', checkout: 'checkouts', 'sold-out': 'sold-out checkouts' })[kind];
  await run('noop', 50); // every isolate warm
  await run(REQUEST === 'noop' ? 'checkout' : REQUEST, 50);

  if (args.compare) {
    const ratios: number[] = [];
    console.log(`${CHECKOUTS} no-op DO calls, then ${CHECKOUTS} ${named(REQUEST)}, ${args.rounds} times, ${where}: workerd CPU per request`);
    for (let round = 1; round <= Number(args.rounds); round++) {
      const floor = await run('noop', CHECKOUTS);
      const checkout = await run(REQUEST, CHECKOUTS);
      if (floor.cpu === null || checkout.cpu === null) throw new Error('--compare reads /proc: Linux only');
      ratios.push(floor.cpu / checkout.cpu);
      console.log(`  round ${round}: no-op ${floor.cpu.toFixed(2)} ms, checkout ${checkout.cpu.toFixed(2)} ms, ratio ${ratios.at(-1)!.toFixed(2)}` +
        `  ${JSON.stringify(floor.statuses)} ${JSON.stringify(checkout.statuses)}`);
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    const median = (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
    console.log(`no-op CPU over checkout CPU: median ${median.toFixed(2)}, range ${sorted[0]!.toFixed(2)}-${sorted.at(-1)!.toFixed(2)}`);
  }

  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { id: string; webSocketDebuggerUrl: string }[];
  const target = targets.find((t) => t.id === args.worker || t.id === `core:user:${args.worker}`);
  if (!target && args.worker !== 'none') throw new Error(`--worker: none, or one of ${targets.map((t) => t.id).join(', ')}`);
  const session = target ? await inspect(target.webSocketDebuggerUrl) : null;
  await session?.send('Profiler.enable');
  await session?.send('Profiler.setSamplingInterval', { interval: 200 });
  await session?.send('Profiler.start');
  if (!args.compare) {
    const kind = REQUEST;
    const { wall, cpu, statuses } = await run(kind, CHECKOUTS);
    console.log(`${CHECKOUTS} ${named(kind)} ${where}: ${wall.toFixed(2)} ms of wall time each, statuses ${JSON.stringify(statuses)}`);
    if (cpu !== null) console.log(`workerd (every isolate, one thread): ${cpu.toFixed(2)} ms of CPU each`);
  }
  if (session && target) {
    const worker = target.id.replace(/^core:user:/, '');
    const profile = (await session.send<{ profile: Profile }>('Profiler.stop')).profile;
    const { busy, self, inclusive, byOrigin } = summarise(profile, bundleOrigins(worker));
    session.close();
    console.log(`${target.id}: busy ${busy.toFixed(3)} ms per request`);
    console.log(`self time by where the code comes from:\n${top(byOrigin, Number(args.top))}`);
    console.log(`self time:\n${top(self, Number(args.top))}`);
    console.log(`inclusive time:\n${top(inclusive, Number(args.top))}`);
  }
} finally {
  await stack.stop();
  await stripe?.close();
}
