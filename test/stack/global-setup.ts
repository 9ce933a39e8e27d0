// One stack for all whole-stack test files: started before them, stopped after, its URLs provided to tests.
import type { TestProject } from 'vitest/node';
import { startStack } from './harness';

declare module 'vitest' {
  export interface ProvidedContext {
    stackUrls: { cochlearfit: string; othershop: string };
  }
}

export default async function setup(project: TestProject) {
  const stack = await startStack();
  project.provide('stackUrls', stack.urls as { cochlearfit: string; othershop: string });
  return () => stack.stop();
}
