// The Jest child's coverage: babel-plugin-istanbul's counters on the sandbox's `__coverage__` (the test
// environment's global, not the child's), as Jest's worker reads them after the file.
import { hitIstanbul, setCoverageCollector, zeroIstanbul, type IstanbulFileCoverage } from '../../../core/child/coverage.js'
import type { JestChildCoverage } from '../protocol.js'

export function collectSandboxCoverage(sandbox: Record<string | symbol, unknown>): void {
  const counters = (): Record<string, IstanbulFileCoverage> | undefined => sandbox.__coverage__ as Record<string, IstanbulFileCoverage> | undefined
  setCoverageCollector({
    reset: () => zeroIstanbul(counters()),
    take: (): JestChildCoverage => ({ provider: 'babel', map: hitIstanbul(counters()) }),
  })
}
