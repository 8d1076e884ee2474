// The fault matrix of issue 9 under Vitest (4.1 on Node 20 and 24, 5 on Node 24): isolated() on each
// body, and the isolatedTests() plugin. See suite.ts.
import { faultSuite } from './suite.js'
import { runtimes } from './runtimes.js'

for (const runtime of runtimes('vitest')) for (const mode of runtime.modes) faultSuite(runtime, mode)
