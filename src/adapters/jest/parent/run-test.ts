// Runs one Jest test, or one call of a wrapped function, in a child through the core (slots, timers,
// stuck frames, tree kill, crashes), replays its output through the test's console before returning,
// and rebuilds what it threw. Around it, the state across the boundary: the parent's snapshot at the
// call (fork carries it), the verdict on the child's report, and the JSON Lines record.
import type { HooksMode, Limits, ResolvedOptions } from '../../../core/options.js'
import type { ChildResult, RunTarget, SerializedThrown, Site, TestTarget } from '../../../core/ipc/protocol.js'
import { isConsoleFrame, isSnapshotFrame, type JestChildCoverage, type JestPayload, type JestRunRequest } from '../protocol.js'
import { deserializeThrown } from '../../../core/ipc/serialize.js'
import { runInChild, type ForkSource, type RunChildResult } from '../../../core/parent/run-child.js'
import { withHeapCap } from '../../../core/parent/resources/heap-cap.js'
import { decideProcessModel } from '../../../core/parent/process-model.js'
import { zygoteFor } from '../../../core/parent/zygotes.js'
import { relative } from 'node:path'
import { startupCwd, startupEnvWith, withOverrides } from '../../../core/parent/startup-env.js'
import { judgeReport, stateRequest, writeRecord, type RunRecord, type StateVerdict } from '../../../core/parent/state-report.js'
import { summaryAtExit } from '../../../core/parent/run-summary.js'
import { runId } from '../../../core/state/report-file.js'
import type { AnyFunction } from '../../../core/state/closure.js'
import type { TestConsole } from '../circus-types.js'
import { ConsoleRelay } from './console-relay.js'
import { assertJestAlive, jestIsGone } from './jest-parent.js'
import { presentForJest } from './present-error.js'
import type { SnapshotReplay } from './snapshot-replay.js'
import { ensureJestRunId } from './run-id.js'
import { foldIstanbul } from '../../../core/parent/coverage-merge.js'
import { jestCollectsV8, receiveV8Coverage } from './v8-coverage.js'

/** The adapter's child half, built next to this module in dist/. */
const CHILD_ADAPTER = new URL('./jest-child.js', import.meta.url).href

export interface JestRun {
  readonly options: ResolvedOptions
  readonly limits: Limits
  /** What to raise when the body's limit is too short (named in the timeout error). */
  readonly setting: string
  readonly hooks: HooksMode
  readonly payload: JestPayload
  /** The test's own view of `process.env` now: what 'fork' passes on and the state snapshot describes. */
  readonly forkEnv: Readonly<Record<string, string | undefined>>
  /** The test's global (Jest's sandbox, not the worker's): what the snapshot describes and fork carries. */
  readonly global: object
  readonly console: TestConsole
  readonly signal: AbortSignal
  /** Where the test was declared (circus's `asyncError`): where our own failures point. */
  readonly definedAt: Error
  /** The name the JSON Lines record gives it. */
  readonly fullName: string
  /** The test's own function (or the wrapped one): with hooks in the parent, fork carries what it captures. */
  readonly body: AnyFunction | undefined
  /** The file `body` is defined in. */
  readonly bodyFile: string | undefined
  /** Jest's seed for this run (circus state), for the record's run id. */
  readonly seed: number | undefined
  /** Records the child's snapshot assertions in the file's snapshot state, for the test. */
  readonly snapshots: Pick<SnapshotReplay, 'replay' | 'takeErrors'>
}

export interface JestTestAnswer {
  /** The errors the test failed with in the child, rebuilt; none when it passed. */
  readonly errors: unknown[]
  /** The state report as one more failure: under a failing test, or the leaks: 'error' verdict. */
  readonly stateError: unknown
  /** A passing test whose state differed across the boundary (leaks: 'warn'): one line for the file. */
  readonly summary: string | undefined
}

/** Runs one test of the file in a child. */
export async function runJestTest(run: JestRun, test: TestTarget): Promise<JestTestAnswer> {
  return runWithState(run, { kind: 'test', test }, (result, verdict) => {
    if (result.kind !== 'test') throw new Error('isolated-test: the Jest child answered a test with a value; this is a bug in isolated-test.')
    const failed = result.outcome.state === 'fail' ? (result.outcome.errors as SerializedThrown[]).map(deserializeThrown) : []
    const errors = [...failed, ...run.snapshots.takeErrors()]
    const stateError = verdict.error === undefined ? undefined : forJest(verdict.error, run.definedAt)
    return { answer: { errors, stateError, summary: verdict.summary }, error: errors[0] ?? stateError }
  })
}

/** The test's failures as circus gets them: the state report goes last, and not under `test.failing` (its failure is expected). */
export function testFailures(answer: JestTestAnswer, failing: boolean): unknown[] {
  return answer.stateError === undefined || failing ? answer.errors : [...answer.errors, answer.stateError]
}

/** Calls a wrapped function in a child: resolves to what it returned, or throws what it threw. */
export async function runJestCall(run: JestRun, site: Site, args: readonly unknown[]): Promise<{ value: unknown; summary: string | undefined }> {
  return runWithState(run, { kind: 'call', site, args }, (result, verdict) => {
    if (result.kind === 'thrown') {
      // The report explains the failure; the caller may catch what the function threw, so it is printed.
      if (verdict.error) run.console.warn('%s', (verdict.error as { message?: unknown }).message)
      throw deserializeThrown(result.error)
    }
    if (verdict.error) throw forJest(verdict.error, run.definedAt)
    if (result.kind !== 'value') throw new Error('isolated-test: the Jest child answered a call with a test outcome; this is a bug in isolated-test.')
    return { answer: { value: result.value, summary: verdict.summary }, error: undefined }
  })
}

/** What a child's answer means here, and the error (if any) the JSON Lines record names. */
interface Settled<T> {
  readonly answer: T
  readonly error: unknown
}

async function runWithState<T>(run: JestRun, target: RunTarget, settle: (result: ChildResult, verdict: StateVerdict) => Settled<T>): Promise<T> {
  const { options } = run
  const record: RunRecord = {}
  let error: unknown
  try {
    // Taken now, at the call: with hooks in the parent its beforeEach already ran.
    const state = stateRequest(options, run.hooks === 'parent' ? run.body : undefined, run.bodyFile, { global: run.global, env: run.forkEnv })
    const { result, report } = await runChild(run, target, state, record)
    const failed = result.kind === 'thrown' || (result.kind === 'test' && result.outcome.state === 'fail')
    const settled = settle(result, judgeReport(report, options, failed, run.bodyFile, run.body))
    error = settled.error
    return settled.answer
  } catch (e) {
    error = e
    throw presentForJest(e, run.definedAt)
  } finally {
    if (options.report) {
      ensureJestRunId(process.env, run.seed)
      summaryAtExit(options.report, runId())
    }
    writeRecord({ options, file: run.payload.testPath, fullName: run.fullName, limit: run.limits.timeout, record, error, skipped: false })
  }
}

/** What a zygote of this file needs: the file's payload, its options, and the console its top-level output goes to. */
export interface JestFileContext {
  readonly payload: JestPayload
  readonly options: ResolvedOptions
  readonly console: TestConsole
  readonly hooks: HooksMode
}

const fileRelays = new WeakMap<TestConsole, ConsoleRelay>()

/** What Jest sets for every test, in band only at run time: 'spawn' gives them as the worker has them. */
const JEST_OWN = ['JEST_WORKER_ID', 'NODE_ENV']

/** Where forks of this file come from, when the fork server runs this worker's isolated tests. */
export async function jestForkSource(file: JestFileContext): Promise<ForkSource | undefined> {
  const { options, payload } = file
  const model = await decideProcessModel(options.processModel)
  if (model.model !== 'fork-server') return undefined
  const execArgv = [...process.execArgv, ...options.execArgv]
  // The zygote imports the file once, in the env and cwd 'spawn' gives; each fork takes its own.
  // With a memoryLimit, V8's heap cap: fixed when the zygote starts, so part of its key.
  const start = withHeapCap({ env: withOverrides(startupEnvWith(JEST_OWN), { ...colorEnv(), ...options.env }), cwd: startupCwd, execArgv }, options.memoryLimit)
  let relay = fileRelays.get(file.console)
  if (!relay) fileRelays.set(file.console, (relay = new ConsoleRelay(file.console)))
  const out = relay
  return {
    key: JSON.stringify([payload.testPath, start.execArgv, start.env.NODE_OPTIONS ?? '', options.env, options.setup, payload.environment, payload.config.kind, payload.jestDirs]),
    file: relative(process.cwd(), payload.testPath),
    zygote: () => ({
      start,
      flags: model.flags,
      request: { adapter: CHILD_ADAPTER, payload: withCoverage(payload), target: { kind: 'zygote' }, hooks: file.hooks, env: start.env, cwd: start.cwd, setup: options.setup, context: {}, hookLimit: undefined, asyncOrigins: false, state: undefined },
      // The file's top-level output, once, through the file's console.
      onOther: (message) => {
        if (isConsoleFrame(message)) out.call(message)
      },
      onOutput: (stream, text) => out.write(stream, text),
    }),
  }
}

/** Starts this file's zygote now, while Jest loads the file in this worker: the first test then waits less. */
export function prestartJestZygote(file: JestFileContext): void {
  if (jestIsGone()) return
  void jestForkSource(file)
    .then((source) => (source && !jestIsGone() ? zygoteFor(source.key, source.file, file.options.bootTimeout, source.zygote) : undefined))
    .catch(() => {
      // the test that needs it reports what went wrong
    })
}

async function runChild(run: JestRun, target: RunTarget, state: JestRunRequest['state'], record: RunRecord): Promise<RunChildResult> {
  assertJestAlive()
  const { options } = run
  const fork = options.method === 'fork'
  const env = withOverrides(fork ? run.forkEnv : startupEnvWith(JEST_OWN), { ...colorEnv(), ...options.env })
  const cwd = fork ? process.cwd() : startupCwd
  const payload = withCoverage(run.payload)
  const request: JestRunRequest = {
    adapter: CHILD_ADAPTER,
    payload,
    target,
    hooks: run.hooks,
    env,
    cwd,
    setup: options.setup,
    context: {},
    // Hook limits are known in the child (each hook's own timeout, then Jest's), which reports them.
    hookLimit: undefined,
    asyncOrigins: options.asyncOrigins,
    state,
  }
  const relay = new ConsoleRelay(run.console)
  let covered = false
  try {
    const answer = await runInChild({
      options,
      fork: await jestForkSource(run),
      limits: run.limits,
      describeLimit: (phase, limit) =>
        phase === 'body' ? run.setting : `the hook's timeout (now ${limit} ms: its own timeout argument, else \`timeout\` in testEnvironmentOptions.isolated, else Jest's \`testTimeout\`)`,
      start: { env, cwd, execArgv: [...process.execArgv, ...options.execArgv] },
      request,
      // The next test's child boots Jest for this file while this one runs.
      prepare: { adapter: CHILD_ADAPTER, payload: { testPath: run.payload.testPath, jestDirs: run.payload.jestDirs, config: run.payload.config, environment: run.payload.environment } },
      signal: run.signal,
      record,
      onOutput: (stream, text) => relay.write(stream, text),
      onOther: (message) => {
        if (isConsoleFrame(message)) relay.call(message)
        else if (isSnapshotFrame(message)) run.snapshots.replay(message)
      },
      onCoverage: (data) => {
        const d = data as JestChildCoverage
        if (d.provider === 'v8') {
          covered = receiveV8Coverage(run.global, payload.jestDirs, d.entries)
          return
        }
        covered = true
        // Into the sandbox's own counters, which Jest copies into the file's result when it ends.
        const g = run.global as { __coverage__?: Record<string, unknown> }
        foldIstanbul((g.__coverage__ ??= {}), d.map as never)
      },
    })
    const { boot, body } = answer.durations
    if (process.env.ISOLATED_TEST_TIMING) process.stderr.write(`isolated-test timing: boot ${boot.toFixed(0)} ms body ${body.toFixed(0)} ms\n`)
    return answer
  } finally {
    // runInChild returns once the child's streams are closed: everything it wrote is here.
    relay.flush()
    if (payload.coverage) {
      record.coverage = covered ? 'complete' : 'incomplete'
      if (!covered) process.stderr.write(`isolated-test: coverage is incomplete for ${relative(process.cwd(), payload.testPath)} > ${run.fullName}: its child could not send it (crashed, or killed while blocked outside JavaScript).\n`)
    }
  }
}

/**
 * The payload with the run's coverage provider: the environment's config says; under a plain setup
 * (no config at hand), babel's when instrumented code has run in this sandbox, v8 when this process's
 * jest-runtime collects V8 coverage.
 */
function withCoverage(payload: JestPayload): JestPayload {
  const c = payload.config
  if (c.kind === 'given') {
    if (c.globalConfig.collectCoverage !== true) return payload
    return { ...payload, coverage: c.globalConfig.coverageProvider === 'v8' ? 'v8' : 'babel' }
  }
  if (typeof (globalThis as { __coverage__?: unknown }).__coverage__ === 'object') return { ...payload, coverage: 'babel' }
  return jestCollectsV8(payload.jestDirs) ? { ...payload, coverage: 'v8' } : payload
}

/** The state report as a failure Jest prints: our leak error at the test's line, the report block as it is. */
function forJest(error: unknown, definedAt: Error): unknown {
  if (error instanceof Error) return presentForJest(error, definedAt)
  const { name, message } = error as { name: string; message: string }
  const shown = new Error(message)
  shown.name = name
  // No frames: there is no line to point at, and Jest prints the whole message.
  shown.stack = `${name}: ${message}`
  return shown
}

/** Jest colours diffs when its own output supports colour; the child writes to a pipe, so say so. */
function colorEnv(): Record<string, string | undefined> {
  if (process.env.FORCE_COLOR !== undefined || process.env.NO_COLOR !== undefined) return {}
  return process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}
}
