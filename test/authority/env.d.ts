import type { D1Migration } from 'cloudflare:test';
import type { AuthorityEnv } from '../../workers/commerce-authority/src/env';

declare global {
  namespace Cloudflare {
    interface Env extends AuthorityEnv {
      TEST_MIGRATIONS: D1Migration[];
      FUZZ_RUNS: string;
      STORM_SEED: string;
    }
    interface GlobalProps {
      mainModule: typeof import('../../workers/commerce-authority/src/index');
    }
  }
}

// Provided by test/support/network-fakes-setup.ts (its own declaration is outside this tsconfig).
declare module 'vitest' {
  export interface ProvidedContext {
    fakeReceiverUrl: string;
  }
}
