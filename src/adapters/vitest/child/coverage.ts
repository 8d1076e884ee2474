// The child's coverage in the form Vitest's worker reports it: v8 script coverage filtered and offset
// as @vitest/coverage-v8's takeCoverage does (the Vite wrapper's offset from the module runner's
// `moduleExecutionInfo`, so lines land on the original source), or the istanbul counters the
// instrumented code keeps on globalThis.__VITEST_COVERAGE__.
import { fileURLToPath } from 'node:url'
import { hitIstanbul, setCoverageCollector, V8Coverage, zeroIstanbul, type IstanbulFileCoverage, type ScriptCoverage } from '../../../core/child/coverage.js'
import type { VitestChildCoverage, VitestCoverageProvider } from '../protocol.js'

const ISTANBUL_KEY = '__VITEST_COVERAGE__'

/** What @vitest/coverage-v8 keeps: the project's files, not Node's, node_modules or Vite's client. */
function isProjectScript(url: string): boolean {
  return url.startsWith('file://') && !url.includes('/node_modules/') && !url.includes('/@id/@vitest/') && !url.includes('/@vite/client')
}

function startOffset(url: string): number {
  const info = (globalThis as { __vitest_worker__?: { moduleExecutionInfo?: Map<string, { startOffset?: number }> } }).__vitest_worker__?.moduleExecutionInfo
  try {
    return info?.get(fileURLToPath(url).replaceAll('\\', '/'))?.startOffset ?? 0
  } catch {
    return 0
  }
}

// On globalThis: the child runner, which begins v8 coverage, may be another instance of this module.
const BEGIN = Symbol.for('isolated-test.vitest-coverage-begin')

/**
 * Prepares collecting (a spare's or a zygote's boot). v8 begins with the first import of a file of the
 * user's (`beginVitestCoverage`): Vitest's own modules, loaded before, then carry no block counters,
 * and each counter V8 resets at a take is a page a forked child copies (measured: 550 → 400 page
 * faults and ~40% of the take's time per forked test).
 */
export function startVitestCoverage(provider: VitestCoverageProvider): void {
  if (provider === 'v8') {
    ;(globalThis as Record<symbol, (() => void) | undefined>)[BEGIN] = startV8
    return
  }
  const counters = (): Record<string, IstanbulFileCoverage> | undefined => (globalThis as unknown as Record<string, Record<string, IstanbulFileCoverage> | undefined>)[ISTANBUL_KEY]
  setCoverageCollector({
    reset: () => zeroIstanbul(counters()),
    take: (): VitestChildCoverage => ({ provider: 'istanbul', map: hitIstanbul(counters()) }),
  })
}

/** Before the first file of the user's is imported (a setup file or the test file): v8 coverage starts, once. */
export function beginVitestCoverage(): void {
  const g = globalThis as Record<symbol, (() => void) | undefined>
  const begin = g[BEGIN]
  g[BEGIN] = undefined
  begin?.()
}

function startV8(): void {
  const v8 = new V8Coverage()
  setCoverageCollector({
    reset: () => void v8.take(),
    take: (): VitestChildCoverage => ({
      provider: 'v8',
      result: v8
        .take()
        .filter((s) => isProjectScript(s.url))
        .map((s): ScriptCoverage => ({ ...s, startOffset: startOffset(s.url) })),
    }),
  })
}
