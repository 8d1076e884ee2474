// Where a child exposes `coverageNow` (child/coverage.ts) for a timeout's capture to call on its main thread.
export const COVERAGE_NOW_KEY = 'isolated-test.coverage-now'
