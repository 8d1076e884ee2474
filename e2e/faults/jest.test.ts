// The fault matrix of issue 9 under Jest (29 and 30, on Node 20 and 24): isolated() under a plain Jest
// setup, and the isolated-test/jest environment. See suite.ts.
import { faultSuite } from './suite.js'
import { runtimes } from './runtimes.js'

for (const runtime of runtimes('jest')) for (const mode of runtime.modes) faultSuite(runtime, mode)
