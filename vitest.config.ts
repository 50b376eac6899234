import { defineConfig } from 'vitest/config';

// The SDK's notice that releases after January 2027 need Node 22 (Lambda runs 24); README says so.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/environment.ts'],
    // Each password hash takes 128 MiB and a few hundred ms; two workers match the two cores.
    pool: 'forks',
    maxWorkers: 2,
    // A hang guard, not a timing claim: a test that synthesizes stacks (twenty esbuild bundles each) or
    // spawns npm run manage takes well over a minute while the Chromium tests share the two cores.
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
