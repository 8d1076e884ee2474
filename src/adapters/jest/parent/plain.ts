// `isolated(ms, method)(fn)` under a plain Jest setup (any environment but ours): on a test body, the
// body runs in a child with the file's hooks left in the parent; called with arguments from inside a
// test, the function runs in a child that imported the file (no test or hook runs there). The child
// reads the project config with the running Jest's jest-config, so options given only on the command
// line are not seen there.
import { IsolatedConfigError, IsolatedSerializationError } from '../../../core/errors.js'
import type { Site } from '../../../core/ipc/protocol.js'
import type { SourcePosition } from '../../../core/site.js'
import type { JestPayload } from '../protocol.js'
import { findUncopyable } from '../../../core/copyable.js'
import { frameworkLimits, type Limits, type ResolvedOptions } from '../../../core/options.js'
import { monotonicMs } from '../../../core/clock.js'
import type { AnyFunction } from '../../../core/state/closure.js'
import type { TestConsole } from '../circus-types.js'
import { packageRoot } from '../locate.js'
import type { JestTestContext } from './plain-state.js'
import { countSummary } from './plain-summary.js'
import { presentForJest } from './present-error.js'
import { parentUpdateSnapshot, SnapshotReplay } from './snapshot-replay.js'
import { runJestCall, runJestTest, testFailures, type JestRun } from './run-test.js'
import { ancestors, fullName, namePath, sameNames, testsInOrder } from '../tests.js'

export interface PlainRun {
  readonly jest: JestTestContext
  readonly wrapper: unknown
  /** The wrapped function and what it was called with. */
  readonly fn: AnyFunction
  readonly args: readonly unknown[]
  readonly options: ResolvedOptions
  readonly site: Site
  /** Where the wrapper was called from: our errors about a call point there. */
  readonly callSite: SourcePosition
}

const SETTING = "Jest's test timeout (`testTimeout` in the Jest config, jest.setTimeout() or the test's own timeout argument)"

export async function runInPlainJest(run: PlainRun): Promise<unknown> {
  const asBody = calledAsBody(run)
  try {
    return asBody ? await runBody(run) : await runCall(run)
  } catch (error) {
    throw presentForJest(error, asBody ? run.jest.test.asyncError : errorAt(run.callSite))
  }
}

/** An error whose stack is one frame, the user's call: where Jest puts its code frame. */
function errorAt(at: SourcePosition): Error {
  const e = new Error('call site')
  e.stack = `Error: call site\n    at ${at.file}:${at.line}:${at.column}`
  return e
}

/** Our own frames in a stack (the wrapper, the lookup of the running test). */
const OWN_FRAME = /[\\/]isolated-test[\\/]dist[\\/]/

/** Node's own frames (Jest 29 starts a concurrent body inside `AsyncLocalStorage.run`). */
const NODE_FRAME = /\(node:|^\s+at node:/

/**
 * The wrapper is the body: circus called it (Jest 29 starts concurrent bodies early, having replaced
 * `test.fn`), or test.each's row function did (not a body that calls it).
 */
function calledAsBody({ jest, wrapper }: PlainRun): boolean {
  if (jest.test.fn === wrapper) return true
  const caller = jest.callStack.split('\n').find((line) => /^\s+at /.test(line) && !OWN_FRAME.test(line) && !NODE_FRAME.test(line))
  if (caller === undefined) return false
  if (/[\\/]jest-each[\\/]/.test(caller)) return true
  const isHook = ancestors(jest.test).some((block) => block.hooks.some((hook) => hook.fn === wrapper))
  return jest.test.concurrent && !isHook && /[\\/]jest-circus[\\/]/.test(caller)
}

/**
 * Jest's timer for this test is already running and we cannot move it: our limits are cut to end before
 * it. It started when circus called the body (for a body: about now; for a call inside a body, at the
 * latest when the test started, which is the safe side).
 */
function limitsFor({ jest, options }: PlainRun, asBody: boolean): Limits {
  const now = monotonicMs()
  // Circus stamps startedAt with the real clock even under fake timers; so do we.
  const realNow = ((globalThis as Record<symbol, unknown>)[Symbol.for('jest-native-now')] as (() => number) | undefined) ?? Date.now
  const startedAt = asBody || typeof jest.test.startedAt !== 'number' ? now : now - Math.max(0, realNow() - jest.test.startedAt)
  const limits = frameworkLimits(options, jest.test.timeout || jest.state.testTimeout, startedAt, SETTING)
  if (typeof limits === 'string') throw new IsolatedConfigError(`isolated(): ${limits}`)
  return limits
}

/** What the body and the call share: the config source, the test's sandbox and the state request's inputs. */
function plainRun(run: PlainRun, limits: Limits, payload: Pick<JestPayload, 'namePath' | 'locate'>, name: string): JestRun {
  const { jest, options, site } = run
  return {
    options,
    limits,
    setting: `isolated(ms) / the \`timeout\` option (now ${limits.timeout} ms)`,
    hooks: 'parent',
    payload: {
      testPath: jest.testPath,
      jestDirs: jestCandidates(jest.callStack),
      config: { kind: 'load', root: process.cwd(), seed: jest.state.seed, randomize: jest.state.randomize === true, updateSnapshot: parentUpdateSnapshot(globalThis) },
      environment: undefined,
      hookTimeout: undefined,
      ...payload,
    },
    // This module runs in the test's own sandbox: these are its global and its process.env.
    forkEnv: process.env,
    global: globalThis,
    console: globalThis.console as unknown as TestConsole,
    signal: new AbortController().signal,
    definedAt: jest.test.asyncError,
    fullName: name,
    body: run.fn,
    bodyFile: site.file,
    seed: jest.state.seed,
    snapshots: new SnapshotReplay(globalThis, jest.test),
  }
}

async function runBody(run: PlainRun): Promise<void> {
  const { jest, site } = run
  const { test, state } = jest
  const limits = limitsFor(run, true)
  const names = namePath(test)
  // Duplicate names are told apart by their order; the child checks the wrapper's site too.
  const occurrence = testsInOrder(state.rootDescribeBlock)
    .filter((t) => sameNames(namePath(t), names))
    .indexOf(test)
  const jestRun = plainRun(run, limits, { namePath: names, locate: 'occurrence' }, fullName(test))
  // A test.each row goes as the body got it, when it can; else the child's row function passes its own.
  const args = run.args.length > 0 && findUncopyable(run.args, 'arguments') === undefined ? run.args : undefined
  const answer = await runJestTest(jestRun, { testId: String(occurrence), fullName: fullName(test), line: undefined, site, args })
  if (answer.summary) countSummary(answer.summary, jestRun.console)
  const errors = testFailures(answer, test.failing)
  if (errors.length === 0) return
  appendAfterThrown(test, errors.slice(1))
  throw errors[0]
}

/**
 * Circus records the error a body throws by pushing it onto `test.errors` once the body settles: the
 * test's further failures (the state report among them) are added just after it, so the user's own
 * failure is the first one printed (pushed now, they would come before it).
 */
function appendAfterThrown(test: PlainRun['jest']['test'], extras: readonly unknown[]): void {
  if (extras.length === 0) return
  const errors = test.errors
  const push = errors.push
  errors.push = function (...items) {
    Reflect.deleteProperty(errors, 'push')
    return push.apply(this, [...items, ...extras.map((extra): [unknown, unknown] => [extra, test.asyncError])])
  }
}

/** A wrapped function called with arguments from inside a test: the child imports the file and calls it. */
async function runCall(run: PlainRun): Promise<unknown> {
  const bad = findUncopyable(run.args, 'arguments')
  if (bad) throw new IsolatedSerializationError(bad.path, bad.reason)
  const test = run.jest.test
  const jestRun = plainRun(run, limitsFor(run, false), { namePath: namePath(test), locate: 'occurrence' }, `${fullName(test)} > ${run.fn.name || 'anonymous'}()`)
  const { value, summary } = await runJestCall(jestRun, run.site, run.args)
  if (summary) countSummary(summary, jestRun.console)
  return value
}

/** Where the running Jest is: its jest-circus shows in our own call stack, then the project root. */
function jestCandidates(stack: string): string[] {
  const circusFile = /\(?((?:\/|[A-Za-z]:\\)[^():]*[\\/]jest-circus[\\/][^():]+):\d+:\d+\)?/.exec(stack)?.[1]
  const circusDir = circusFile ? packageRoot(circusFile, 'jest-circus') : undefined
  return [...(circusDir ? [circusDir] : []), process.cwd()]
}
