// Coverage from isolated children on Vitest 4.1 (Node 20 fresh; Node 24 under the fork server), both providers.
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { coverageSuite } from './coverage-suite.js'

const project = join(repoRoot, 'fixtures', 'coverage-vitest')
coverageSuite('Vitest 4.1', project, { vitestBin: join(project, 'node_modules', 'vitest', 'vitest.mjs') })
