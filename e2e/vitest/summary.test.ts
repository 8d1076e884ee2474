// The run summary on Vitest 4.1 (fixtures/vitest4-plugin/summary/): e2e/vitest/summary-suite.ts.
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { summarySuite } from './summary-suite.js'

summarySuite('Vitest 4.1', join(repoRoot, 'fixtures', 'vitest4-plugin'))
