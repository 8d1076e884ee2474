// Issue 10, items 2-5, 8 and 10 on vitest4: see vitest-features-suite.ts. Expected failures are in known-failures.ts.
import { vitestFeatureSuite } from './vitest-features-suite.js'
import { runtimes } from './runtimes.js'
import { expectedFailures, knownFeatureFailures } from './known-failures.js'

vitestFeatureSuite(runtimes.vitest4, { knownFailures: expectedFailures(knownFeatureFailures, 'vitest4') })
