// One stack for all whole-stack test files (and the browser tests): started before them, stopped after, its
// URLs provided to tests.
import type { TestProject } from 'vitest/node';
import { startStack } from './harness';

declare module 'vitest' {
  export interface ProvidedContext {
    stackUrls: { cochlearfit: string; othershop: string };
  }
}

export default async function setup(project: TestProject) {
  // The workers' log lines would bury vitest's report; a failing test shows the answer it got.
  const stack = await startStack(undefined, { quiet: true });
  project.provide('stackUrls', stack.urls as { cochlearfit: string; othershop: string });
  return () => stack.stop();
}
