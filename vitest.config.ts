import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Note: for Node-side imports vitest resolves `@imdad/*` to the built dist/ files,
    // so run `npm run build` before `npm test` (CI does). This condition only
    // affects browser-style resolution; `tsconfig.test.json` type-checks against src.
    conditions: ['imdad-source'],
  },
  test: {
    include: ['packages/*/src/**/*.spec.ts', 'plugins/*/src/**/*.spec.ts', 'test/**/*.spec.ts'],
    // tfjs backends are process-global: one file per worker, files in parallel on 2 cores.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
