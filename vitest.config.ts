import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        // Jest side (issue 4): unit tests of src/jest.
        test: { name: 'unit-jest', include: ['src/jest/**/*.test.ts'] },
      },
      {
        // Jest side (issue 4): runs the real jest of each fixtures/jest* project.
        test: {
          name: 'e2e-jest',
          include: ['e2e/jest/**/*.test.ts'],
          globalSetup: ['e2e/jest/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
