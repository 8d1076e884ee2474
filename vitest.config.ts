import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          // Vitest fixtures (pack + unpack, the Vitest 5 project) and Jest fixtures (npm ci + tarball).
          globalSetup: ['e2e/helpers/global-setup.ts', 'e2e/jest/global-setup.ts'],
          // Each file runs real test runners on fixture projects; on 2 cores they queue anyway.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
})
