// The plugin suite on Vitest 4.1 and Node 20, the default path.
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { pluginSuite } from './plugin-suite.js'

pluginSuite('Vitest 4.1 on Node 20', join(repoRoot, 'fixtures', 'vitest4-plugin'))
