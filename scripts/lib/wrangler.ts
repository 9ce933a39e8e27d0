// Runs wrangler from node_modules: one-shot commands, and `wrangler dev` processes that tests, seeding and
// `npm run dev` start and stop.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from './paths';

const WRANGLER = path.join(ROOT, 'node_modules/.bin/wrangler');
// Offline, wrangler would try to fetch the request.cf object on every start.
const WRANGLER_ENV = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' };

export function wrangler(args: string[], options: { quiet?: boolean } = {}): string {
  const result = spawnSync(WRANGLER, args, { cwd: ROOT, env: WRANGLER_ENV, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`wrangler ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  }
  if (!options.quiet) process.stdout.write(result.stdout);
  return result.stdout;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface DevProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * The dev registry through which the wrangler dev processes of one local state find each other's workers. By
 * default wrangler shares one registry per machine, keyed by worker name: a second clone's dev (or a test's)
 * would take over this one's service bindings, and its exit would unregister them. One registry per state
 * keeps every stack to its own workers.
 */
export const devRegistryOf = (persistTo: string) => path.join(persistTo, 'dev-registry');

/** Starts `wrangler dev` with the given configs (the first one listens on `port`). */
export function startDev(options: {
  configs: string[];
  port: number;
  persistTo: string;
  vars?: Record<string, string>;
  inherit?: boolean;
  extraArgs?: string[];
  inspectorPort?: number;
}): DevProcess {
  const args = ['dev', ...options.configs.flatMap((c) => ['-c', c])];
  args.push('--port', String(options.port), '--ip', '127.0.0.1', '--persist-to', options.persistTo);
  // Each wrangler process opens an inspector; the default port (9229) would clash between processes.
  args.push('--inspector-port', String(options.inspectorPort ?? 0));
  args.push('--show-interactive-dev-session=false');
  for (const [key, value] of Object.entries(options.vars ?? {})) args.push('--var', `${key}:${value}`);
  args.push(...(options.extraArgs ?? []));
  const env = { ...WRANGLER_ENV, WRANGLER_REGISTRY_PATH: devRegistryOf(options.persistTo) };
  return startProcessGroup(WRANGLER, args, { env, url: `http://127.0.0.1:${options.port}`, inherit: options.inherit });
}

/**
 * Starts a long-running command (wrangler dev, npm run dev) as the leader of its own process group, so that
 * stop() reaches everything it started (wrangler starts workerd as a child): SIGTERM, then SIGKILL after 10 s.
 */
export function startProcessGroup(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; url: string; inherit?: boolean },
): DevProcess {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: options.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  });
  let log = '';
  child.stdout?.on('data', (chunk) => (log += chunk));
  child.stderr?.on('data', (chunk) => (log += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      child.kill(name);
    }
  };
  return {
    url: options.url,
    child,
    output: () => log,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 200, the process dies, or the time is up. */
export async function waitUntilReady(dev: DevProcess, url: string, init: RequestInit = {}, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dev.child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${dev.output()}`);
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} was not ready after ${timeoutMs} ms:\n${dev.output()}`);
}
