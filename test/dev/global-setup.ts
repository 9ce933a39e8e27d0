// Starts, without waiting for them, the two wrangler stacks the `npm run dev` tests need, so that they boot
// while the other test levels run: the README's `npm run dev` (the developer's stack), and beside it a lone
// authority under `wrangler dev` with a state of its own (what `npm run seed` or another clone's dev starts).
// Both run on free ports; teardown stops them and checks that nothing of theirs still listens.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { CONFIGS } from '../../scripts/lib/paths';
import { freePort, startDev, startProcessGroup, type DevProcess } from '../../scripts/lib/wrangler';

export interface DevStacks {
  dev: { url: string; log: string };
  other: { url: string; pid: number; port: number };
}

declare module 'vitest' {
  export interface ProvidedContext {
    devStacks: DevStacks;
  }
}

/** Resolves once nothing accepts connections on `port` any more. */
export async function closed(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const listening = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (!listening) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`port ${port} still listening ${timeoutMs} ms after its stack was stopped`);
}

export default async function setup(project: TestProject) {
  const state = mkdtempSync(path.join(os.tmpdir(), 'commerce-dev-'));
  const [port, authorityPort, otherPort] = [await freePort(), await freePort(), await freePort()];
  const log = path.join(state, 'npm-run-dev.log');
  const ports = ['--port', String(port), '--authority-port', String(authorityPort)];
  const args = ['run', 'dev', '--', ...ports, '--state', path.join(state, 'dev')];
  const dev = startProcessGroup('npm', args, { url: `http://127.0.0.1:${port}` });
  const logFile = createWriteStream(log);
  dev.child.stdout!.pipe(logFile);
  dev.child.stderr!.pipe(logFile);
  const otherState = path.join(state, 'other');
  const other: DevProcess = startDev({ configs: [CONFIGS.authority], port: otherPort, persistTo: otherState });

  project.provide('devStacks', {
    dev: { url: dev.url, log },
    other: { url: other.url, pid: other.child.pid!, port: otherPort },
  });
  return async () => {
    await Promise.all([dev.stop(), other.stop()]);
    // npm may exit before dev has stopped its wrangler processes: wait until nothing of theirs listens.
    await Promise.all([port, authorityPort, otherPort].map((p) => closed(p)));
    rmSync(state, { recursive: true, force: true });
  };
}
