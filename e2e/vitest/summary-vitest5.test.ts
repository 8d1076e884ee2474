// The run summary on Vitest 5.1 and Node 24 (the plugin fixture's summary/ copied into fixtures/vitest5
// by the e2e setup): e2e/vitest/summary-suite.ts.
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { nodeBinary } from '../helpers/nodes.js'
import { summarySuite } from './summary-suite.js'

const project = join(repoRoot, 'fixtures', 'vitest5')
summarySuite('Vitest 5.1 on Node 24', project, { vitestBin: join(project, 'node_modules', 'vitest', 'vitest.mjs'), node: nodeBinary(24) })
