// The Jest child's coverage, in the form Jest's worker reports it for the file: babel-plugin-istanbul's
// counters on the sandbox's `__coverage__` (the test environment's global, not the child's), or, with
// `coverageProvider: 'v8'`, what the child's own Runtime collected (its V8 coverage paired with the code
// its transformer produced, the same code the worker's transformer produces).
import { hitIstanbul, setCoverageCollector, V8Coverage, zeroIstanbul, type IstanbulFileCoverage } from '../../../core/child/coverage.js'
import type { JestChildCoverage } from '../protocol.js'

export function collectSandboxCoverage(sandbox: Record<string | symbol, unknown>): void {
  const counters = (): Record<string, IstanbulFileCoverage> | undefined => sandbox.__coverage__ as Record<string, IstanbulFileCoverage> | undefined
  setCoverageCollector({
    reset: () => zeroIstanbul(counters()),
    take: (): JestChildCoverage => ({ provider: 'babel', map: hitIstanbul(counters()) }),
  })
}

/** The parts of jest-runtime's Runtime that jest-runner itself calls for V8 coverage (Jest 29 and 30). */
export interface V8Runtime {
  collectV8Coverage(): Promise<void>
  stopCollectingV8Coverage(): Promise<void>
  getAllV8CoverageInfoCopy(): object[]
}

/**
 * Starts the runtime's V8 coverage (before any module of the user's loads) and returns what to call
 * once the file is done, before the verdict: V8's counters are the isolate's, so resetting them through
 * a session of ours (after the import, at a zygote's fork point) also resets what the runtime takes.
 */
export async function collectV8RuntimeCoverage(runtime: V8Runtime): Promise<() => Promise<void>> {
  await runtime.collectV8Coverage()
  const ours = new V8Coverage()
  let entries: object[] | undefined
  setCoverageCollector({
    reset: () => void ours.take(),
    // A wrapped call answers from inside its test, before the file ends: read the runtime's now.
    take: (): JestChildCoverage | undefined => {
      if (entries) return { provider: 'v8', entries }
      const now = entriesNow(runtime, ours)
      return now ? { provider: 'v8', entries: now } : undefined
    },
  })
  return async () => {
    await runtime.stopCollectingV8Coverage()
    entries = runtime.getAllV8CoverageInfoCopy()
  }
}

/** Jest 30's runtime keeps its V8 coverage in a collector object; Jest 29's in fields of its own. */
interface V8RuntimeInternals {
  v8Coverage?: { result?: unknown; sources?: Map<string, unknown>; transformCache?: { getEntries(): Iterable<[string, unknown]> } }
  _v8CoverageResult?: unknown
  _v8CoverageSources?: Map<string, unknown>
  _fileTransforms?: Map<string, unknown>
}

/**
 * What `stopCollectingV8Coverage()` then `getAllV8CoverageInfoCopy()` would give, synchronously (a timed
 * out child is asked inside an interrupt, and those are async): V8's counters through our session (they
 * are the isolate's), given to the runtime the way its stop gives its own. Version-guarded on the
 * runtime's fields (Jest 29 and 30); undefined elsewhere (the test's coverage is then incomplete).
 */
function entriesNow(runtime: V8Runtime, ours: V8Coverage): object[] | undefined {
  const r = runtime as unknown as V8RuntimeInternals
  const jest30 = r.v8Coverage
  if (jest30?.sources instanceof Map && typeof jest30.transformCache?.getEntries === 'function') {
    jest30.result = ours.take()
    jest30.sources = new Map([...jest30.sources, ...jest30.transformCache.getEntries()])
  } else if (r._v8CoverageSources instanceof Map && r._fileTransforms instanceof Map) {
    r._v8CoverageResult = ours.take()
    r._v8CoverageSources = new Map([...r._v8CoverageSources, ...r._fileTransforms])
  } else {
    return undefined
  }
  return runtime.getAllV8CoverageInfoCopy()
}
