// Issue 10, item 1 on vitest5: see snapshot-suite.ts. Expected failures (defects of today) are listed in known-failures.ts.
import { snapshotSuite } from './snapshot-suite.js'
import { runtimes } from './runtimes.js'
import { expectedFailures, knownSnapshotFailures } from './known-failures.js'

snapshotSuite(runtimes.vitest5, { knownFailures: expectedFailures(knownSnapshotFailures, 'vitest5') })
