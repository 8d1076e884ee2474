// Expected failures: what issue 10 asks for that the product does not do yet. Each id names a test of
// the suites here; the fix flips it (remove the id and the test must pass).
import type { RuntimeName } from './runtimes.js'

export const knownSnapshotFailures: Record<RuntimeName, ReadonlySet<string>> = {
  vitest4: new Set([]),
  vitest5: new Set([]),
  jest29: new Set([]),
  jest30: new Set([]),
}

export const knownFeatureFailures: Record<RuntimeName, ReadonlySet<string>> = {
  vitest4: new Set([]),
  vitest5: new Set([]),
  jest29: new Set([]),
  jest30: new Set([]),
}

/** `${runtime} / ${TypeScript version} / ${example file}` */
export const knownTypeFailures: ReadonlySet<string> = new Set([])
