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

/** Starts collecting, before any of the user's modules loads (a spare's or a zygote's boot). */
export function startVitestCoverage(provider: VitestCoverageProvider): void {
  if (provider === 'v8') {
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
    return
  }
  const counters = (): Record<string, IstanbulFileCoverage> | undefined => (globalThis as unknown as Record<string, Record<string, IstanbulFileCoverage> | undefined>)[ISTANBUL_KEY]
  setCoverageCollector({
    reset: () => zeroIstanbul(counters()),
    take: (): VitestChildCoverage => ({ provider: 'istanbul', map: hitIstanbul(counters()) }),
  })
}
