// The parent's side of a Vitest child: it plays the child's pool. It builds the pool's `start`/`run`
// messages from this worker's own context, answers the child's RPC calls through this worker's RPC to
// Vitest (module fetches come from the same Vite server, already transformed), keeps the child's task
// updates to itself, and attributes the child's output to the running test.
import { fileURLToPath } from 'node:url'
import { IsolatedConfigError } from '../../../core/errors.js'
import type { ChildResult, RunTarget, StateRequest } from '../../../core/ipc/protocol.js'
import { isBirpcRequest, isSnapshotMessage, KEPT_LOCAL, type SnapshotRecord, type VitestOutcomeExtra, type VitestPrepareRequest, type VitestRunRequest } from '../protocol.js'
import { zygoteFor } from '../../../core/parent/zygotes.js'
import { replaySnapshot } from './snapshots.js'
import type { RunRecord } from '../../../core/parent/state-report.js'
import type { ResolvedOptions, Limits } from '../../../core/options.js'
import { getVitestWorkerState, moduleSourceMap, type VitestWorkerState } from '../worker-state.js'
import type { Child } from '../../../core/parent/child.js'
import { runInChild, type ForkSource, type RunChildResult } from '../../../core/parent/run-child.js'
import { withHeapCap } from '../../../core/parent/resources/heap-cap.js'
import { decideProcessModel } from '../../../core/parent/process-model.js'
import { relative } from 'node:path'
import { startupCwd, startupEnvWith, withOverrides } from '../../../core/parent/startup-env.js'
import { coverageIncomplete, coverageProvider, receiveChildCoverage } from './coverage.js'

/** The adapter's child half, built next to this module in dist/. */
const CHILD_ADAPTER = new URL('./vitest-child.js', import.meta.url).href


export function requireVitest(): VitestWorkerState {
  const state = getVitestWorkerState()
  if (!state) throw new IsolatedConfigError('isolated-test: this code is not running inside a Vitest worker.')
  return state
}

function resolveWorkerUrl(): string {
  try {
    return import.meta.resolve('vitest/worker')
  } catch (error) {
    throw new IsolatedConfigError(`isolated-test: cannot find \`vitest/worker\` (Vitest ≥ 4.1 is needed): ${(error as Error).message}`)
  }
}

export interface VitestRunArgs {
  readonly options: ResolvedOptions
  readonly limits: Limits
  readonly target: RunTarget
  readonly hooks: 'child' | 'parent'
  readonly context: Readonly<Record<string, unknown>>
  /** Test id that the child's output is attributed to. */
  readonly taskId: string | undefined
  readonly filepath: string
  readonly signal?: AbortSignal | undefined
  /** Errors the child reported as unhandled while it ran: they fail the test. */
  readonly unhandled: unknown[]
  readonly origin?: { readonly file: string; readonly line: number; readonly column: number } | undefined
  /** With hooks in the child: the limit for each hook. */
  readonly hookLimit?: number | undefined
  /** Names the setting behind a phase's limit, for the timeout message. */
  readonly describeLimit: (phase: string, limit: number) => string
  /** The state carry and report (see parent/state-report.ts). */
  readonly state?: StateRequest | undefined
  readonly record?: RunRecord | undefined
  /** The file's task, where output that belongs to no test goes (the zygote's). */
  readonly fileTaskId?: string | undefined
}

/**
 * What Vitest sets for every test ('spawn' gives them as the worker has them): its `start` and `run`
 * messages set the pool and worker ids at run time, and a forked child takes its env whole from the request.
 */
const VITEST_OWN = ['VITEST', 'VITEST_MODE', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'TEST', 'NODE_ENV']

/** What a child (or a zygote) of this worker is asked to run: Vitest's own worker messages, replayed. */
function buildRequest(state: VitestWorkerState, options: ResolvedOptions, filepath: string, a: Pick<VitestRunArgs, 'target' | 'hooks' | 'context' | 'hookLimit' | 'state'>): { request: VitestRunRequest; prepare: VitestPrepareRequest } {
  const config = state.config
  const childConfig = {
    ...state.ctx.config,
    runner: fileURLToPath(new URL('./vitest-child-runner.js', import.meta.url)),
    // Output is written straight to the pipe, so nothing is lost when the child is killed.
    disableConsoleIntercept: true,
    // The parent times every phase; Vitest's in-thread timers could not stop a blocked child anyway.
    testTimeout: 0,
    hookTimeout: 0,
    retry: 0,
    // The parent counts this test's failure toward --bail itself; a child must not cancel the run.
    bail: 0,
    includeTaskLocation: true,
    setupFiles: options.setup ? [...config.setupFiles, options.setup] : config.setupFiles,
    coverage: { ...(state.ctx.config.coverage as object), enabled: false },
    snapshotOptions: childSnapshotOptions(state.ctx.config.snapshotOptions),
  }
  const environment = state.ctx.environment
  const workerUrl = resolveWorkerUrl()
  const coverage = coverageProvider(state)
  const vitestStart = {
    __vitest_worker_request__: true,
    type: 'start',
    // Vitest's `start` sets VITEST_POOL_ID from it, after the env the child was given.
    poolId: Number(process.env.VITEST_POOL_ID) || 1,
    workerId: state.ctx.workerId,
    options: { reportMemory: false },
    context: { environment, config: childConfig, pool: state.ctx.pool },
    traces: { enabled: false },
  }
  const request: VitestRunRequest = {
    adapter: CHILD_ADAPTER,
    target: a.target,
    hooks: a.hooks,
    env: withOverrides(options.method === 'fork' ? (process.env as Record<string, string>) : startupEnvWith(VITEST_OWN), options.env),
    cwd: options.method === 'fork' ? process.cwd() : startupCwd,
    setup: options.setup,
    context: a.context,
    hookLimit: a.hookLimit,
    asyncOrigins: options.asyncOrigins,
    state: a.state,
    payload: {
      workerUrl,
      runnerPath: childConfig.runner,
      vitestStart,
      coverage,
      vitestRun: {
        __vitest_worker_request__: true,
        type: 'run',
        context: {
          // A zygote collects the whole file; a fresh child only the target test.
          files: [a.target.kind === 'zygote' ? { filepath } : { filepath, testIds: a.target.kind === 'test' ? [...(a.target.test.before ?? []), a.target.test.testId] : [] }],
          invalidates: [],
          providedContext: state.ctx.providedContext,
          workerId: state.ctx.workerId,
          environment,
        },
      },
    },
  }
  return { request, prepare: { adapter: CHILD_ADAPTER, payload: { workerUrl, vitestStart, coverage } } }
}

/** Where forks of this file come from, when the fork server runs this worker's isolated tests. */
async function forkSource(state: VitestWorkerState, options: ResolvedOptions, filepath: string, fileTaskId: string | undefined): Promise<ForkSource | undefined> {
  const model = await decideProcessModel(options.processModel)
  if (model.model !== 'fork-server') return undefined
  const execArgv = [...process.execArgv, ...options.execArgv]
  // The zygote imports the file once, in the env and cwd 'spawn' gives; each fork takes its own.
  // With a memoryLimit, V8's heap cap: fixed when the zygote starts, so part of its key.
  const start = withHeapCap({ env: withOverrides(startupEnvWith(VITEST_OWN), options.env), cwd: startupCwd, execArgv }, options.memoryLimit)
  return {
    key: JSON.stringify([filepath, start.execArgv, start.env.NODE_OPTIONS ?? '', options.env, options.setup, state.ctx.environment]),
    file: relative(state.config.root, filepath),
    zygote: () => ({
      start,
      flags: model.flags,
      request: { ...buildRequest(state, options, filepath, { target: { kind: 'zygote' }, hooks: options.hooks, context: {}, hookLimit: undefined, state: undefined }).request, env: start.env, cwd: start.cwd },
      onOther: (message, zygote) => relay(state, message, zygote, { taskId: fileTaskId, unhandled: [] }),
      // Vitest 5 keeps a module's map beside its code, where V8 (and a child's stack answer) cannot see it.
      sourceMap: (file) => moduleSourceMap(state, file),
      // The file's top-level output, once: under the file, not under a test.
      onOutput: (type, content) => fileOutput(state, filepath, fileTaskId).push(type, content),
    }),
  }
}

/**
 * Output that belongs to the file, not a test (the zygote's: the file's top level). A zygote started
 * while the file is collected does not know the file's task yet: its output waits for the first test.
 */
class FileOutput {
  private readonly pending: { type: 'stdout' | 'stderr'; content: string }[] = []
  constructor(
    private readonly state: VitestWorkerState,
    public taskId: string | undefined,
  ) {}
  push(type: 'stdout' | 'stderr', content: string): void {
    if (this.taskId === undefined) this.pending.push({ type, content })
    else void this.state.rpc.onUserConsoleLog?.({ type, content, taskId: this.taskId, time: Date.now(), size: content.length })
  }
  known(taskId: string | undefined): void {
    if (taskId === undefined || this.taskId !== undefined) return
    this.taskId = taskId
    for (const { type, content } of this.pending.splice(0)) this.push(type, content)
  }
}
const fileOutputs = new Map<string, FileOutput>()

function fileOutput(state: VitestWorkerState, filepath: string, taskId: string | undefined): FileOutput {
  let out = fileOutputs.get(filepath)
  if (!out) fileOutputs.set(filepath, (out = new FileOutput(state, taskId)))
  out.known(taskId)
  return out
}

/** What was prestarted in each run of a file (its worker state): once per file and set of options. */
const prestarted = new WeakMap<VitestWorkerState, Set<string>>()

/** Starts this file's zygote now, while the worker collects the file itself: the first test then waits less. */
export function prestartZygote(state: VitestWorkerState, options: ResolvedOptions, filepath: string, fileTaskId: string | undefined): void {
  // Every wrapper of a file asks as it is made; what decides its zygote (forkSource's key, the model) is
  // the same for all but a few, and working it out each time held up the first one's start.
  const done = prestarted.get(state) ?? new Set<string>()
  prestarted.set(state, done)
  const asked = JSON.stringify([filepath, options.env, options.setup, options.execArgv, options.memoryLimit, options.processModel, options.bootTimeout])
  if (done.has(asked)) return
  done.add(asked)
  void forkSource(state, options, filepath, fileTaskId)
    .then((source) => source && zygoteFor(source.key, source.file, options.bootTimeout, source.zygote))
    .catch(() => {
      // the test that needs it reports what went wrong
    })
}

export async function runInVitestChild(state: VitestWorkerState, a: VitestRunArgs): Promise<RunChildResult> {
  const { options } = a
  const { request, prepare } = buildRequest(state, options, a.filepath, a)
  fileOutput(state, a.filepath, a.fileTaskId)
  const log = (type: 'stdout' | 'stderr', content: string): void => {
    void state.rpc.onUserConsoleLog?.({ type, content, taskId: a.taskId, time: Date.now(), size: content.length })
  }
  // With coverage on, the child sends what it ran before its verdict; without it, the test's coverage is incomplete.
  const coverage = request.payload.coverage
  let covered = false
  // The child's snapshot assertions count for its test while this attempt runs, never after it.
  const target = a.target.kind === 'test' ? a.target.test.testId : undefined
  let open = true
  const onSnapshot = (record: SnapshotRecord): void => {
    if (!open || record.testId !== target) return
    const error = replaySnapshot(record, a.filepath)
    if (error !== undefined) a.unhandled.push(error)
  }
  try {
    return await runInChild({
      options,
      fork: await forkSource(state, options, a.filepath, a.fileTaskId),
      limits: a.limits,
      describeLimit: a.describeLimit,
      start: { env: request.env, cwd: request.cwd, execArgv: [...process.execArgv, ...options.execArgv] },
      request,
      prepare,
      signal: a.signal,
      origin: a.origin,
      record: a.record,
      onOutput: log,
      onOther: (message, child) => (isSnapshotMessage(message) ? onSnapshot(message.record) : relay(state, message, child, a)),
      onCoverage: (data) => {
        covered = true
        receiveChildCoverage(state, data)
      },
    })
  } finally {
    open = false
    if (coverage && !covered) coverageIncomplete(state, runName(a), a.fileTaskId ?? a.taskId)
    if (coverage && a.record) a.record.coverage = covered ? 'complete' : 'incomplete'
  }
}

/** The test (or wrapped call) a run was for, as the incomplete-coverage line names it. */
function runName(a: VitestRunArgs): string {
  const file = relative(process.cwd(), a.filepath)
  if (a.target.kind === 'test') return `${file} > ${a.target.test.fullName}`
  return a.target.kind === 'call' ? `${file}: isolated() call at line ${a.target.site.line}` : file
}

function relay(state: VitestWorkerState, message: unknown, child: Child, a: Pick<VitestRunArgs, 'taskId' | 'unhandled'>): void {
  if (!isBirpcRequest(message)) return
  const { m: method, a: args, i: id } = message
  let answer: Promise<unknown>
  if (KEPT_LOCAL.has(method)) {
    answer = Promise.resolve(undefined)
  } else if (method === 'onUnhandledError') {
    a.unhandled.push(args[0])
    answer = Promise.resolve(undefined)
  } else if (method === 'onUserConsoleLog') {
    const log = { ...(args[0] as object), taskId: a.taskId }
    answer = state.rpc.onUserConsoleLog!(log)
  } else {
    const fn = state.rpc[method]
    answer = fn ? Promise.resolve().then(() => fn(...args)) : Promise.reject(new Error(`[isolated-test] the parent cannot relay "${method}"`))
  }
  if (id === undefined) return
  answer.then(
    (r) => child.send({ t: 's', i: id, r }),
    (e: unknown) => child.send({ t: 's', i: id, e }),
  )
}

/** The worker replaces a configured snapshot environment path with the loaded instance: send the path only. */
function childSnapshotOptions(value: unknown): unknown {
  const options = { ...(value as Record<string, unknown>) }
  if (typeof options.snapshotEnvironment !== 'string') options.snapshotEnvironment = undefined
  return options
}

/** What the child's body wrote to its task that the parent's task reports: its meta (custom reporters read it). */
export function applyChildTask(result: ChildResult, task: { meta: object }): void {
  const meta = result.kind === 'test' ? (result.outcome.adapter as VitestOutcomeExtra | undefined)?.meta : undefined
  if (meta) Object.assign(task.meta, meta)
}

/** Turns the child's verdict into what Vitest expects from a test function: return, throw or skip. */
export function settleOutcome(result: ChildResult, unhandled: readonly unknown[], skip: (note?: string) => never): void {
  if (result.kind !== 'test') throw new Error('isolated-test: the child answered a test with a value.')
  const errors = [...result.outcome.errors, ...unhandled]
  if (result.outcome.state === 'skip' && errors.length === 0) skip(result.outcome.note)
  if (result.outcome.state === 'fail' || errors.length > 0) throw asVitestErrors(errors)
}

/** Vitest prints a thrown array as one failure per element, each with its own diff and frame. */
function asVitestErrors(errors: readonly unknown[]): unknown {
  const prepared = errors.map((e) => {
    // Our own errors raised here are real Error instances: spreading would drop message and stack.
    if (typeof e !== 'object' || e === null || e instanceof Error) return e
    // The child's Vitest already computed the diff from the live values: print it as it is.
    const copy = { ...(e as Record<string, unknown>) }
    if (typeof copy.diff === 'string') copy.showDiff = false
    return copy
  })
  return prepared.length === 1 ? prepared[0] : prepared
}

/** A line of ours under a test (or a file) in Vitest's output. */
export function logToTask(state: VitestWorkerState, taskId: string | undefined, text: string): void {
  void state.rpc.onUserConsoleLog?.({ type: 'stderr', content: `${text}\n`, taskId, time: Date.now(), size: text.length + 1 })
}
