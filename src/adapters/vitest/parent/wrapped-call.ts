// One call of an `isolated()` wrapper in a Vitest worker: as a test body (one argument is the running
// test's context, any other a test.for row) the child runs that one test with the parent's fixtures and
// row copied in and hooks left here; called with arguments, the child imports the file and calls the
// function there.
import { relative } from 'node:path'
import type { WrappedCall } from '../../../core/adapter.js'
import { IsolatedConfigError, IsolatedSerializationError, pointAtUserCode } from '../../../core/errors.js'
import { deserializeThrown } from '../../../core/ipc/serialize.js'
import { findUncopyable } from '../../../core/copyable.js'
import { frameworkLimits } from '../../../core/options.js'
import { monotonicMs } from '../../../core/clock.js'
import { judgeReport, stateRequest, writeRecord, type RunRecord } from '../../../core/parent/state-report.js'
import type { AnyFunction } from '../../../core/state/closure.js'
import { fullTestName } from '../names.js'
import { FRAMEWORK } from '../unwrap.js'
import type { VitestWorkerState } from '../worker-state.js'
import { applyChildTask, logToTask, runInVitestChild, settleOutcome } from './host.js'

/** Keys of Vitest's test context that belong to the process they live in; never copied. */
const OWN_CONTEXT_KEYS = new Set(['task', 'signal', 'skip', 'annotate', 'onTestFailed', 'onTestFinished', 'expect', 'bench', '_local', 'mock', 'context'])

const LIMIT_SETTING = "Vitest's `testTimeout` (or the test's own timeout)"

/** The body's parameter list, split at its top-level commas; empty for a one-parameter arrow without parentheses. */
function parameters(src: string): string[] {
  const open = src.indexOf('(')
  if (open < 0 || src.slice(0, open).includes('=>')) return []
  const params: string[] = []
  let depth = 0
  let part = ''
  for (const ch of src.slice(open + 1)) {
    if ('{[('.includes(ch)) depth++
    if ('}])'.includes(ch)) {
      if (depth === 0) break
      depth--
    }
    if (ch === ',' && depth === 0) {
      params.push(part.trim())
      part = ''
    } else part += ch
  }
  if (part.trim() !== '') params.push(part.trim())
  return params
}

/** Names the body destructures from its parameter at `index` (where Vitest passes the context): the fixtures it uses. */
export function destructuredNames(fn: { toString(): string }, index = 0): string[] {
  const param = parameters(fn.toString())[index]
  if (!param?.startsWith('{')) return []
  let end = 0
  for (let depth = 0; end < param.length; end++) {
    if (param[end] === '{') depth++
    else if (param[end] === '}' && --depth === 0) break
  }
  const names: string[] = []
  let part = ''
  let depth = 0
  for (const ch of param.slice(1, end) + ',') {
    if ('{[('.includes(ch)) depth++
    if ('}])'.includes(ch)) depth--
    if (ch === ',' && depth === 0) {
      const name = /^\s*(?:\.\.\.)?\s*([\w$]+)/.exec(part)?.[1]
      if (name) names.push(name)
      part = ''
    } else part += ch
  }
  return names
}

type VitestContext = Record<string, unknown> & { task: { id: string }; signal?: AbortSignal }

/**
 * Vitest's test context, known by the test it carries (`task`, a test of this file). Not by the worker's
 * "current test": under test.concurrent that is only the last one started.
 */
function isVitestContext(value: unknown, filepath: string): value is VitestContext {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false
  const task = (value as { task?: { type?: unknown; id?: unknown; file?: { filepath?: unknown } } }).task
  return typeof task === 'object' && task !== null && task.type === 'test' && typeof task.id === 'string' && task.file?.filepath === filepath
}

const describeLimit = (_phase: string, limit: number): string => `isolated(ms) / the \`timeout\` option (now ${limit} ms)`

export async function callInVitest(vitest: VitestWorkerState, call: WrappedCall): Promise<unknown> {
  const { fn, args, site } = call
  const resolved = call.options
  const filepath = vitest.filepath
  if (!filepath) throw new IsolatedConfigError('isolated(): a wrapped function can only be called while Vitest runs a test file.')
  const unhandled: unknown[] = []
  const record: RunRecord = {}
  const body = fn as unknown as AnyFunction
  // Called as a test body: Vitest passed the test's context, first, or after the row when its test.for
  // calls the body (a body that hands its context on to a wrapped function is not one).
  const found = args.findIndex((arg) => isVitestContext(arg, filepath))
  const at = found === 0 || (found > 0 && FRAMEWORK.test(call.callSite.file)) ? found : -1
  const isTest = at >= 0
  const context = isTest ? (args[at] as VitestContext) : undefined
  const current = context ? (context.task as unknown as NonNullable<typeof vitest.current>) : vitest.current
  const testName = current ? fullTestName(current) : '(outside a test)'
  let error: unknown
  let skipped = false
  let limit: number | undefined
  try {
    if (context) {
      const task = current!
      // Vitest's timer for the test started as it called the body, that is now.
      const limits = frameworkLimits(resolved, task.timeout, monotonicMs(), LIMIT_SETTING)
      if (typeof limits === 'string') throw new IsolatedConfigError(`isolated(): ${limits}`)
      limit = limits.timeout
      const fixtures: Record<string, unknown> = {}
      for (const name of destructuredNames(fn, at)) {
        if (OWN_CONTEXT_KEYS.has(name)) continue
        const bad = findUncopyable(context[name], `fixture "${name}"`)
        if (bad) throw new IsolatedSerializationError(bad.path, bad.reason)
        fixtures[name] = context[name]
      }
      // The row (test.for) goes as it is when it can; else the child's Vitest passes its own, collected again.
      const rows = args.map((arg, i) => (i === at ? undefined : arg))
      const sendRows = args.length > 1 && findUncopyable(rows, 'arguments') === undefined
      const attempt = (task.result as { retryCount?: number } | undefined)?.retryCount ?? 0
      const { result, report } = await runInVitestChild(vitest, {
        options: resolved,
        limits,
        describeLimit,
        target: { kind: 'test', test: { testId: task.id, fullName: testName, line: task.location?.line, site, args: sendRows ? rows : undefined, attempt } },
        hooks: 'parent',
        context: fixtures,
        taskId: task.id,
        fileTaskId: task.file.id,
        filepath,
        signal: context.signal,
        unhandled,
        origin: site,
        state: stateRequest(resolved, body, site.file),
        record,
      })
      const failed = result.kind === 'test' && (result.outcome.state === 'fail' || unhandled.length > 0)
      const verdict = judgeReport(report, resolved, failed, site.file, body, site)
      if (verdict.summary) logToTask(vitest, task.id, verdict.summary)
      skipped = result.kind === 'test' && result.outcome.state === 'skip'
      applyChildTask(result, task)
      settleOutcome(result, verdict.error ? [...unhandled, verdict.error] : unhandled, context.skip as (note?: string) => never)
      return undefined
    }
    const bad = findUncopyable(args, 'arguments')
    if (bad) throw new IsolatedSerializationError(bad.path, bad.reason)
    // Called inside a test: Vitest's timer started with the test, at the latest when its result began.
    const startTime = (current?.result as { startTime?: number } | undefined)?.startTime
    const startedAt = monotonicMs() - (typeof startTime === 'number' ? Math.max(0, Date.now() - startTime) : 0)
    const limits = frameworkLimits(resolved, current?.timeout, startedAt, LIMIT_SETTING)
    if (typeof limits === 'string') throw new IsolatedConfigError(`isolated(): ${limits}`)
    limit = limits.timeout
    const { result, report } = await runInVitestChild(vitest, {
      options: resolved,
      limits,
      describeLimit,
      target: { kind: 'call', site, args },
      hooks: 'parent',
      context: {},
      taskId: current?.id,
      fileTaskId: current?.file.id,
      filepath,
      signal: (current as { context?: { signal?: AbortSignal } } | undefined)?.context?.signal,
      unhandled,
      origin: site,
      state: stateRequest(resolved, body, site.file),
      record,
    })
    const verdict = judgeReport(report, resolved, result.kind === 'thrown', site.file, body, site)
    if (verdict.summary) logToTask(vitest, current?.id, verdict.summary)
    if (verdict.error && result.kind !== 'thrown') throw verdict.error
    if (verdict.error) logToTask(vitest, current?.id, `${(verdict.error as { message: string }).message}`)
    if (result.kind === 'value') return result.value
    if (result.kind === 'thrown') throw deserializeThrown(result.error)
    throw new Error('isolated-test: the child answered a call with a test outcome.')
  } catch (e) {
    error = e
    // Our own errors about this call point at the user's code: the body's definition, or the call.
    throw pointAtUserCode(e, isTest ? site : call.callSite)
  } finally {
    const callName = `${fn.name || 'isolated()'} call at ${relative(process.cwd(), site.file)}:${site.line}`
    writeRecord({ options: resolved, file: filepath, fullName: isTest ? testName : `${testName} > ${callName}`, limit, record, error, skipped })
  }
}
