// Issue 10, items 2, 5 and 7-10 on jest30: see jest-features-suite.ts. Expected failures are in known-failures.ts.
import { jestFeatureSuite } from './jest-features-suite.js'
import { runtimes } from './runtimes.js'
import { expectedFailures, knownFeatureFailures } from './known-failures.js'

jestFeatureSuite(runtimes.jest30, { knownFailures: expectedFailures(knownFeatureFailures, 'jest30') })
