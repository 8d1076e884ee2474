// Coverage from isolated children on Vitest 5.1 and Node 24, both providers (Vitest 5 reports a
// worker's coverage as a file name: the parent folds the children's into that file).
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { nodeBinary } from '../helpers/nodes.js'
import { coverageSuite } from './coverage-suite.js'

const project = join(repoRoot, 'fixtures', 'coverage-vitest5')
coverageSuite('Vitest 5.1 on Node 24', project, { vitestBin: join(project, 'node_modules', 'vitest', 'vitest.mjs'), node: nodeBinary(24) })
