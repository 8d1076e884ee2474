import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      // The end-to-end suite, once per process model: fresh Node processes (Node 20 by default), then
      // the fork server (every runner on Node 24, e2e/helpers/model.ts). One after the other: they
      // share the fixture projects.
      ...(['fresh', 'fork-server'] as const).map((model, order) => ({
        test: {
          name: model === 'fresh' ? 'e2e' : 'e2e-fork-server',
          include: ['e2e/**/*.test.ts'],
          // The native addon's own tests and the fidelity types test (tsc only, no test runs) run once:
          // they are about the addon and the types, not a process model. The fidelity suites run on both
          // (every runtime on Node 24 under the fork server, known failures per model: e2e/fidelity/).
          // The CLI (e2e/polluter) runs once too: its probes run with isolation off, so the process model
          // only touches its state run; a second pass would double the suite's slowest minutes.
          exclude: model === 'fresh' ? [] : ['e2e/native/**', 'e2e/fidelity/types.test.ts', 'e2e/polluter/**'],
          env: { E2E_MODEL: model },
          sequence: { groupOrder: order + 1 },
          // Vitest fixtures (pack + unpack, the Vitest 5 project) and Jest fixtures (npm ci + tarball).
          globalSetup: ['e2e/helpers/global-setup.ts', 'e2e/jest/global-setup.ts'],
          // Each file runs real test runners on fixture projects; on 2 cores they queue anyway.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      })),
    ],
  },
})
