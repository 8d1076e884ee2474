// The one summary line per file under a plain Jest setup: isolated tests and calls that passed with
// state differing across the boundary are counted, and a file-level `afterAll` of ours, added while the
// file loads (when the first wrapper is made), prints the count through the file's console. The
// `isolated-test/jest` environment prints its own line; wrappers made once tests run print per call.
import { fileSummary } from '../../../core/parent/state-report.js'
import type { CircusState, TestConsole } from '../circus-types.js'
import { circusState, ENVIRONMENT_MARK } from './plain-state.js'

const counts = new WeakMap<CircusState, { differed: number }>()

/** Called as a wrapper is made: adds the file's summary hook once, while hooks can still be added. */
export function watchPlainFile(global: object = globalThis): void {
  const state = circusState(global)
  if (!state || state.hasStarted !== false || counts.has(state) || (global as Record<symbol, unknown>)[ENVIRONMENT_MARK]) return
  const count = { differed: 0 }
  counts.set(state, count)
  const root = state.rootDescribeBlock
  const console = (global as { console: TestConsole }).console
  // What circus's `afterAll()` adds, on the root block whatever describe callback is running now.
  const hook = {
    type: 'afterAll' as const,
    fn: function isolatedTestSummary(): void {
      if (count.differed > 0) console.warn('%s', fileSummary(count.differed))
    },
    timeout: undefined,
    parent: root,
    asyncError: new Error('isolated-test: the summary hook'),
    seenDone: false,
  }
  root.hooks.push(hook)
}

/** Counts one summary for the file's line, or prints it now when the file has no summary hook. */
export function countSummary(summary: string, console: TestConsole, global: object = globalThis): void {
  const state = circusState(global)
  const count = state && counts.get(state)
  if (count) count.differed++
  else console.warn('%s', summary)
}
