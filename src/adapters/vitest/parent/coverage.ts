// The parent's side of a child's coverage under Vitest. The worker reports its coverage once per run of
// its files (`rpc().onAfterSuiteRun`), and Vitest's main process keeps one result per worker run and
// test files, replacing an earlier one under the same key. So a child's coverage is never reported on
// its own: it waits here, and is folded into the worker's own result as that result leaves (the
// worker's rpc is wrapped for that one call). A child that sent none (crashed, or killed at its limit
// while blocked outside JavaScript: a timed-out child is asked before the kill) is named in one line per
// run of files, and its JSON report line says `coverage: 'incomplete'`.
import { readFileSync, writeFileSync } from 'node:fs'
import { mergeIstanbul } from '../../../core/parent/coverage-merge.js'
import type { VitestChildCoverage, VitestCoverageProvider } from '../protocol.js'
import type { VitestWorkerState } from '../worker-state.js'

interface Pending {
  readonly v8: object[]
  istanbul: Record<string, object> | undefined
  /** Tests whose child sent no coverage, and the task their line goes under. */
  readonly incomplete: { readonly name: string; readonly taskId: string | undefined }[]
}

// On globalThis: the plugin's runner and isolated() may be separate instances of this module.
const KEY = Symbol.for('isolated-test.vitest-coverage')
const WRAPPED = Symbol.for('isolated-test.vitest-coverage-rpcs')

function pending(): Pending {
  const g = globalThis as Record<symbol, Pending | undefined>
  return (g[KEY] ??= { v8: [], istanbul: undefined, incomplete: [] })
}

/** The run's coverage provider when coverage is on and is one we can merge (not a custom provider). */
export function coverageProvider(state: VitestWorkerState): VitestCoverageProvider | undefined {
  const c = state.ctx.config.coverage as { enabled?: boolean; provider?: string } | undefined
  return c?.enabled && (c.provider === 'v8' || c.provider === 'istanbul') ? c.provider : undefined
}

export function receiveChildCoverage(state: VitestWorkerState, data: unknown): void {
  const d = data as VitestChildCoverage
  const p = pending()
  if (d.provider === 'v8') p.v8.push(...d.result)
  else p.istanbul = mergeIstanbul((p.istanbul ?? {}) as never, d.map as never)
  wrapRpc(state)
}

export function coverageIncomplete(state: VitestWorkerState, name: string, taskId: string | undefined): void {
  pending().incomplete.push({ name, taskId })
  wrapRpc(state)
}

interface SuiteRunMeta {
  coverage: unknown
  testFiles: string[]
}

/**
 * Vitest's worker state is made per run message: its rpc is wrapped once per state. Which ones are ours
 * is kept aside: birpc's proxy answers any property, a marker on it included.
 */
function wrapRpc(state: VitestWorkerState): void {
  const g = globalThis as Record<symbol, WeakSet<object> | undefined>
  const wrappedOnes = (g[WRAPPED] ??= new WeakSet())
  const rpc = state.rpc
  if (wrappedOnes.has(rpc)) return
  const wrapped = new Proxy(rpc, {
    get(target, key) {
      if (key === 'onAfterSuiteRun') return (meta: SuiteRunMeta) => target.onAfterSuiteRun!(flushInto(state, meta))
      return Reflect.get(target, key)
    },
  })
  wrappedOnes.add(wrapped)
  ;(state as { rpc: unknown }).rpc = wrapped
}

/** The worker's result with every child's since the last one folded in. */
function flushInto(state: VitestWorkerState, meta: SuiteRunMeta): SuiteRunMeta {
  const p = pending()
  const v8 = p.v8.splice(0)
  const istanbul = p.istanbul
  p.istanbul = undefined
  const incomplete = p.incomplete.splice(0)
  if (incomplete.length > 0) {
    const text = `isolated-test: coverage is incomplete for ${incomplete.length} isolated test(s) whose child could not send it (crashed, or killed while blocked outside JavaScript): ${incomplete.map((t) => t.name).join('; ')}\n`
    void state.rpc.onUserConsoleLog?.({ type: 'stderr', content: text, taskId: incomplete[0]!.taskId, time: Date.now(), size: text.length })
  }
  if (v8.length === 0 && !istanbul) return meta
  // Vitest 5 writes the worker's result to a file and reports its name; Vitest 4 reports the result.
  const inFile = typeof meta.coverage === 'string' ? meta.coverage : undefined
  const own = inFile ? (JSON.parse(readFileSync(inFile, 'utf8')) as unknown) : meta.coverage
  const merged = v8.length > 0 ? { ...(own as { result: object[] }), result: [...(own as { result: object[] }).result, ...v8] } : mergeIstanbul((own ?? {}) as never, istanbul as never)
  if (!inFile) return { ...meta, coverage: merged }
  writeFileSync(inFile, JSON.stringify(merged))
  return meta
}
