// `isolated(ms, method)(fn)`: the wrapper. In the parent it sends the call to a child; in a child it
// runs `fn` in place (the child's copy of the module created the same wrapper at the same site).
import { relative } from 'node:path'
import { IsolatedConfigError, IsolatedSerializationError, IsolatedMismatchError } from './errors.js'
import { CHILD_ENV, TAG, type Site } from './ipc/protocol.js'
import { deserializeThrown, findUncopyable } from './ipc/serialize.js'
import { fitLimits, resolveOptions, validateOptions, type IsolatedOptions, type Method, type ResolvedOptions } from './options.js'
import { getChildState, siteKey } from './child/state.js'
import { runBodyWithState } from './child/state-carry.js'
import type { AnyFunction as StateFunction } from './state/closure.js'
import type { RunRecord } from './parent/state-report.js'
import { captureSite } from './site.js'
import { getVitestWorkerState } from './vitest/adapter.js'
import { fullTestName } from './vitest/names.js'
import { markWrapper } from './markers.js'
import { isOff } from './off.js'
import { currentJestTest } from './jest/plain-state.js'
import { watchPlainFile } from './jest/plain-summary.js'
// Read the worker's start-up cwd now, before test code can change it (see parent/startup-env.ts).
import './parent/startup-env.js'

/** Keys of Vitest's test context that belong to the process they live in; never copied. */
const OWN_CONTEXT_KEYS = new Set(['task', 'signal', 'skip', 'annotate', 'onTestFailed', 'onTestFinished', 'expect', 'bench', '_local', 'mock', 'context'])

type AnyFn = (...args: never[]) => unknown

export type Wrapped<F extends AnyFn> = (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>

/** Per-worker-run counters of wrappers created at each site, so a re-import starts from 0 again. */
const parentOrdinals = new WeakMap<object, Map<string, number>>()
const noWorker = {}

function nextOrdinal(key: string): number {
  const child = getChildState()
  const counts = child ? child.wrapperSites : (parentOrdinals.get(getVitestWorkerState() ?? noWorker) ?? new Map<string, number>())
  if (!child) parentOrdinals.set(getVitestWorkerState() ?? noWorker, counts)
  const n = counts.get(key) ?? 0
  counts.set(key, n + 1)
  return n
}

/** Names the body destructures from its first parameter: the fixtures it uses. */
export function destructuredNames(fn: { toString(): string }): string[] {
  const src = fn.toString()
  const open = src.indexOf('(')
  const brace = src.indexOf('{', open)
  if (open < 0 || brace < 0 || src.slice(open + 1, brace).trim() !== '') return []
  let depth = 0
  let end = brace
  for (; end < src.length; end++) {
    if (src[end] === '{') depth++
    else if (src[end] === '}' && --depth === 0) break
  }
  const names: string[] = []
  let part = ''
  depth = 0
  for (const ch of src.slice(brace + 1, end) + ',') {
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

function isVitestContext(value: unknown, current: unknown): value is Record<string, unknown> & { task: { id: string }; signal?: AbortSignal } {
  return typeof value === 'function' || typeof value === 'object' ? value !== null && (value as { task?: unknown }).task === current && current !== undefined : false
}

function parseArgs(msOrOptions: unknown, method: unknown): IsolatedOptions {
  if (typeof msOrOptions === 'object' && msOrOptions !== null) {
    if (method !== undefined) throw new TypeError(`isolated(options): pass \`method\` inside the options object, got a second argument ${JSON.stringify(method)}.`)
    return validateOptions(msOrOptions, 'isolated(options)')
  }
  const opts: Record<string, unknown> = {}
  if (msOrOptions !== undefined) opts.timeout = msOrOptions
  if (method !== undefined) opts.method = method
  return validateOptions(opts, 'isolated(ms, method)')
}

/**
 * Wraps a function so every call runs in its own child process, killed (with its whole process tree)
 * when `ms` passes. Use it on a test body, `test('x', isolated(500, 'spawn')(async () => {...}))`, or
 * on a module-scope function called with arguments, `const work = isolated(1000)(fn); await work(1)`.
 */
export function isolated(ms?: number, method?: Method): <F extends AnyFn>(fn: F) => Wrapped<F>
export function isolated(options: IsolatedOptions): <F extends AnyFn>(fn: F) => Wrapped<F>
export function isolated(msOrOptions?: number | IsolatedOptions, method?: Method): <F extends AnyFn>(fn: F) => Wrapped<F> {
  const input = parseArgs(msOrOptions, method)
  const options = resolveOptions(input)
  return function decorate<F extends AnyFn>(fn: F): Wrapped<F> {
    if (typeof fn !== 'function') {
      throw new TypeError(`isolated(...)(fn): \`fn\` must be a function, got ${fn === null ? 'null' : typeof fn}.`)
    }
    const at = captureSite(decorate)
    const site: Site = { ...at, ordinal: nextOrdinal(siteKey(at)) }
    const child = getChildState()
    child?.wrappers.set(`${siteKey(site)}#${site.ordinal}`, fn as unknown as (...args: unknown[]) => unknown)
    // Under a plain Jest setup, the file's one summary line of the state report is printed by a hook of ours.
    if (!child && !isOff()) watchPlainFile()
    const setup = options.setup && at.file ? new URL(options.setup, `file://${at.file}`).pathname : options.setup
    const resolved = { ...options, setup }

    const wrapper = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
      if (process.env[CHILD_ENV] === '1') return runInPlace(fn, this, args, site, resolved)
      if (isOff()) return (fn as unknown as (...a: unknown[]) => unknown).apply(this, args)
      const vitest = getVitestWorkerState()
      if (!vitest) {
        const jest = currentJestTest()
        if (jest) {
          const { runInPlainJest } = await import('./jest/plain.js')
          return runInPlainJest({ jest, wrapper, fn: fn as unknown as StateFunction, args, options: resolved, site })
        }
        throw new IsolatedConfigError('isolated() needs a Vitest worker (Vitest ≥ 4.1) or a running Jest test (Jest 29 or 30) to run in; set ISOLATED_TEST=off to run the function in-process.')
      }
      const { runInVitestChild, settleOutcome, logToTask } = await import('./parent/vitest-host.js')
      const { stateRequest, judgeReport, writeRecord } = await import('./parent/state-report.js')
      const filepath = vitest.filepath
      if (!filepath) throw new IsolatedConfigError('isolated(): a wrapped function can only be called while Vitest runs a test file.')
      const unhandled: unknown[] = []
      const first = args[0]
      const record: RunRecord = {}
      const body = fn as unknown as StateFunction
      const current = vitest.current
      const testName = current ? fullTestName(current) : '(outside a test)'
      let error: unknown
      let skipped = false
      let limit: number | undefined
      try {
        if (isVitestContext(first, current)) {
          const task = current!
          const limits = fitLimits(resolved, task.timeout, 'Vitest\'s `testTimeout` (or the test\'s own timeout)')
          if (typeof limits === 'string') throw new IsolatedConfigError(`isolated(): ${limits}`)
          limit = limits.timeout
          const context: Record<string, unknown> = {}
          for (const name of destructuredNames(fn)) {
            if (OWN_CONTEXT_KEYS.has(name)) continue
            const bad = findUncopyable(first[name], `fixture "${name}"`)
            if (bad) throw new IsolatedSerializationError(bad.path, bad.reason)
            context[name] = first[name]
          }
          const { result, report } = await runInVitestChild(vitest, {
            options: resolved,
            limits,
            describeLimit: (_phase, limit) => `isolated(ms) / the \`timeout\` option (now ${limit} ms)`,
            target: { kind: 'test', test: { testId: task.id, fullName: testName, line: task.location?.line, site } },
            hooks: 'parent',
            context,
            taskId: task.id,
            filepath,
            signal: first.signal,
            unhandled,
            origin: site,
            state: stateRequest(resolved, body, site.file),
            record,
          })
          const failed = result.kind === 'test' && (result.outcome.state === 'fail' || unhandled.length > 0)
          const verdict = judgeReport(report, resolved, failed, site.file, body, site)
          if (verdict.summary) logToTask(vitest, task.id, verdict.summary)
          skipped = result.kind === 'test' && result.outcome.state === 'skip'
          settleOutcome(result, verdict.error ? [...unhandled, verdict.error] : unhandled, first.skip as (note?: string) => never)
          return undefined
        }
        const bad = findUncopyable(args, 'arguments')
        if (bad) throw new IsolatedSerializationError(bad.path, bad.reason)
        const limits = fitLimits(resolved, current?.timeout, "Vitest's `testTimeout` (or the test's own timeout)")
        if (typeof limits === 'string') throw new IsolatedConfigError(`isolated(): ${limits}`)
        limit = limits.timeout
        const { result, report } = await runInVitestChild(vitest, {
          options: resolved,
          limits,
          describeLimit: (_phase, limit) => `isolated(ms) / the \`timeout\` option (now ${limit} ms)`,
          target: { kind: 'call', site, args },
          hooks: 'parent',
          context: {},
          taskId: current?.id,
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
        throw e
      } finally {
        const isTest = isVitestContext(first, current)
        const call = `${fn.name || 'isolated()'} call at ${relative(process.cwd(), site.file)}:${site.line}`
        writeRecord({ options: resolved, file: filepath, fullName: isTest ? testName : `${testName} > ${call}`, limit, record, error, skipped })
      }
    }
    Object.defineProperty(wrapper, 'name', { value: fn.name || 'isolated', configurable: true })
    // The Jest environment and the Jest child read the options and the raw body from the wrapper.
    markWrapper(wrapper, { fn, options: { ...input, ...(setup === undefined ? {} : { setup }) }, site })
    // Vitest picks fixtures by reading the body's parameters from its source. In the parent we show
    // the body's; in a child, fixtures come from the parent, so the child's Vitest must set up none.
    const source = child ? '({}) => {}' : Function.prototype.toString.call(fn)
    Object.defineProperty(wrapper, 'toString', { value: () => source, configurable: true })
    return wrapper as unknown as Wrapped<F>
  }
}


async function runInPlace(fn: AnyFn, thisArg: unknown, args: unknown[], site: Site, options: ResolvedOptions): Promise<unknown> {
  const child = getChildState()
  const target = child?.request.target
  const first = args[0] as Record<string, unknown> | undefined
  const call = (): unknown => (fn as unknown as (...a: unknown[]) => unknown).apply(thisArg, args)
  if (child && target?.kind === 'test' && first && (first.task as { id?: string } | undefined)?.id === target.test.testId) {
    const expected = target.test.site
    // Under the plugin the parent only saw Vitest's wrapper: this body's own limit applies from here.
    if (!expected && options.timeout !== undefined) {
      child.send({ [TAG]: true, kind: 'phase', phase: 'body', limit: options.timeout, setting: `isolated(ms) on the test body (${options.timeout} ms)` })
    }
    if (expected && siteKey(expected) !== siteKey(site)) {
      throw new IsolatedMismatchError(`The test body was wrapped at ${siteKey(expected)} in the parent but at ${siteKey(site)} in the child.`)
    }
    for (const [k, v] of Object.entries(child.request.context)) first[k] = v
    // isolated() on a body: the state carry and report wrap the raw body here (under the plugin, the runner does it).
    if (expected) return runBodyWithState(child, fn as unknown as StateFunction, call)
  }
  return call()
}
