// The runner Vitest uses inside the child (the child's `config.runner`). Vitest's own runner does all
// the work; this finds the one target test, checks it is the test the parent meant, strips what the
// parent handles itself (hooks in body-only mode, retries, `fails`, timers), and reports the outcome.
import { trace } from '../../../core/trace.js'
import { TestRunner, expect } from 'vitest'
import type { File, Suite, Task, Test } from '@vitest/runner'
import { IsolatedMismatchError } from '../../../core/errors.js'
import { TAG, type RunRequest, type TestOutcome } from '../../../core/ipc/protocol.js'
import { serializeThrown, withoutOwnFrames } from '../../../core/ipc/serialize.js'
import { getChildState, type ChildState } from '../../../core/child/state.js'
import { fullTestName } from '../names.js'
import { beginState, type StateSession } from '../../../core/child/state-carry.js'
import { callWrapped } from '../../../core/child/call-wrapped.js'
import { asPhase } from '../../../core/child/phase.js'
import { markResourceBaseline } from '../../../core/child/resources.js'
import { forkPoint } from '../../../core/child/zygote.js'
import { tuneForUserCode } from '../../../core/native/zygote-tuning.js'
import { resetCoverage } from '../../../core/child/coverage.js'
import { beginVitestCoverage } from './coverage.js'
import { unwrapHandler } from '../unwrap.js'
import type { AnyFunction } from '../../../core/state/closure.js'
import { findUncopyable } from '../../../core/copyable.js'
import type { VitestOutcomeExtra } from '../protocol.js'
import { instrumentSnapshotState, type SnapshotStateLike } from './snapshots.js'

function findTask(task: Task, id: string): Task | undefined {
  if (task.id === id) return task
  if (task.type === 'suite') {
    for (const child of task.tasks) {
      const found = findTask(child, id)
      if (found) return found
    }
  }
  return undefined
}

/** Marks every test but those kept (and every suite without one) skipped: no hook of theirs runs. */
function skipAllBut(suite: Suite, keep: ReadonlySet<Task>): boolean {
  let kept = false
  for (const task of suite.tasks) {
    if (task.type === 'suite') kept = skipAllBut(task, keep) || kept
    else if (keep.has(task)) kept = true
    else task.mode = 'skip'
  }
  if (!kept && suite.suite) suite.mode = 'skip'
  return kept
}

/**
 * Leaves in the target's suites only the path to it, so Vitest's run never visits another task: marking
 * each one skipped writes to every task object of the file, and every such page is copied into the
 * forked child (~2 page faults and a few awaits per task: a test in a 200-test file paid ~12 ms of CPU for its
 * siblings). Returns how to put the tasks back; undefined if the tree is not the shape expected.
 */
function pruneTo(file: File, target: Test): (() => void) | undefined {
  const saved: Array<[Suite, Task[]]> = []
  let child: Task = target
  for (let s: Suite | undefined = target.suite; s && s !== file; s = s.suite) {
    if (!s.tasks.includes(child)) return undefined
    saved.push([s, s.tasks])
    child = s
  }
  if (!file.tasks.includes(child)) return undefined
  saved.push([file, file.tasks])
  let kept: Task = target
  for (const [suite] of saved) {
    suite.tasks = [kept]
    kept = suite
  }
  return () => {
    for (const [suite, tasks] of saved) suite.tasks = tasks
  }
}

function clearHooks(suite: Suite): void {
  const hooks = (TestRunner as unknown as { getSuiteHooks(s: Suite): Record<string, unknown[]> | undefined }).getSuiteHooks(suite)
  if (hooks) for (const list of Object.values(hooks)) list.length = 0
  for (const t of suite.tasks) if (t.type === 'suite') clearHooks(t)
}

/** Hooks that Vitest's runner class has on some versions and not others (typed loosely on purpose). */
interface OptionalHooks {
  onCollected?: (files: File[]) => unknown
}

function isAncestor(suite: Suite, test: Test): boolean {
  for (let s: Suite | undefined = test.suite; s; s = s.suite) if (s === suite) return true
  return test.file === suite
}
function base(runner: TestRunner): OptionalHooks {
  return Object.getPrototypeOf(Object.getPrototypeOf(runner)) as OptionalHooks
}

export default class IsolatedChildRunner extends TestRunner {
  private target: Test | undefined
  /** A probe's earlier tests (the target's `before`): plain tests, run in file order before the target. */
  private before: Test[] = []

  constructor(...args: ConstructorParameters<typeof TestRunner>) {
    super(...args)
    // Vitest turns process.exit into a throw; in a child of its own, a test that exits really exits
    // and the parent reports the exit code.
    const state = getChildState()
    if (state) process.exit = state.realExit
  }

  private get state(): ChildState | undefined {
    return getChildState()
  }

  private fatal(error: unknown): void {
    const state = this.state
    if (!state || state.resultSent) return
    state.resultSent = true
    state.send({ [TAG]: true, kind: 'fatal', error: serializeThrown(error) })
  }

  onCollected(files: File[]): unknown {
    // A zygote collects every test; each fork picks its own at the fork point.
    if (this.state?.request.target.kind !== 'zygote' && files[0]) this.selectTarget(files[0])
    return base(this).onCollected?.call(this, files)
  }

  /**
   * The fork point of a zygote: the file is imported and collected, no hook or test has run. In each
   * forked child: a wrapped function called with arguments is called now, or the one target test is
   * picked and every other task is skipped, as Vitest's own test-id filter would have done.
   */
  async onBeforeRunFiles(files: File[]): Promise<void> {
    const state = this.state
    const file = files[0]
    if (state?.request.target.kind === 'zygote' && file) {
      await this.readSnapshotsOnce(file)
      await forkPoint(state)
      // The request is the forked child's own now.
      const request = state.request as RunRequest
      if (request.target.kind === 'call') {
        skipAllBut(file, new Set())
        await callWrapped(state, request)
      } else {
        this.selectTarget(file)
        // A probe's earlier tests keep their place among all the file's tasks (a shuffle must order them as it does the file).
        this.restoreTasks = this.target && this.before.length === 0 ? pruneTo(file, this.target) : undefined
        if (!this.restoreTasks) skipAllBut(file, new Set([...this.before, ...(this.target ? [this.target] : [])]))
      }
    }
  }

  /**
   * Vitest reads the file's snapshot state as its file suite starts (`snapshotClient.setup`: an RPC to
   * the main process for the path, then the .snap file): ~2 ms of every forked child. A zygote reads it
   * once, and each fork finds it already there, as `setup` does for a file it has seen. The .snap file
   * does not change while its file runs (the worker writes it as the file ends, after every child).
   */
  private async readSnapshotsOnce(file: File): Promise<void> {
    if (file.mode === 'skip') return
    const own = this as unknown as { snapshotClient?: { setup?(path: string, options: unknown): Promise<void> }; workerState?: { config?: { snapshotOptions?: unknown } } }
    try {
      await own.snapshotClient?.setup?.(file.filepath, own.workerState?.config?.snapshotOptions ?? this.config.snapshotOptions)
    } catch {
      // Each child then reads them itself, and meets the same error where Vitest would.
    }
  }

  /** Puts back the tasks pruneTo() took out, once the target's suites are running: its body sees the whole file. */
  private restoreTasks: (() => void) | undefined

  override onBeforeRunTask(test: Test): ReturnType<TestRunner['onBeforeRunTask']> {
    if (test === this.target && this.restoreTasks) {
      this.restoreTasks()
      this.restoreTasks = undefined
    }
    return super.onBeforeRunTask(test)
  }

  /** Finds the test the parent asked for and checks it is the same test; the parent owns retries, `fails` and timing. */
  private selectTarget(file: File): void {
    const request = this.state?.request
    if (request?.target.kind === 'test') {
      const wanted = request.target.test
      const task = findTask(file, wanted.testId)
      if (file.result?.state === 'fail') {
        this.fatal(file.result.errors?.[0] ?? new Error('isolated-test: the test file failed to load in the child.'))
      } else if (!task || task.type !== 'test') {
        this.fatal(new IsolatedMismatchError(`The child found no test with id ${wanted.testId} ("${wanted.fullName}").`))
      } else if (fullTestName(task) !== wanted.fullName) {
        this.fatal(new IsolatedMismatchError(`Test id ${wanted.testId} is "${wanted.fullName}" in the parent but "${fullTestName(task)}" in the child.`))
        task.mode = 'skip'
      } else if (wanted.line !== undefined && task.location && task.location.line !== wanted.line) {
        this.fatal(new IsolatedMismatchError(`Test "${wanted.fullName}" is at line ${wanted.line} in the parent but at line ${task.location.line} in the child.`))
        task.mode = 'skip'
      } else {
        this.target = task
        // The parent owns retries, `fails` and timing: the child runs the body once, as it is.
        task.retry = 0
        task.repeats = 0
        task.fails = false
        task.timeout = 0
        this.before = this.findBefore(file, wanted.before ?? [])
      }
      if (request.hooks === 'parent') clearHooks(file)
    }
  }

  /**
   * A probe's earlier tests. They run where the file runs them: in file order, or shuffled by the same
   * `sequence.seed` as the whole file (skipped tasks stay in place, so the kept ones keep their order).
   */
  private findBefore(file: File, ids: readonly string[]): Test[] {
    const found: Test[] = []
    for (const id of ids) {
      const task = findTask(file, id)
      if (task?.type === 'test') found.push(task)
      else this.fatal(new IsolatedMismatchError(`The child found no test with id ${id} among the tests to run before "${this.target ? fullTestName(this.target) : id}".`))
    }
    return found
  }

  /** The parent's attempt at the test (its retry count): the child runs one attempt, and the test sees which. */
  override onBeforeTryTask(...args: Parameters<TestRunner['onBeforeTryTask']>): ReturnType<TestRunner['onBeforeTryTask']> {
    const answer = super.onBeforeTryTask(...args)
    const [test] = args
    // Vitest's own place for the test's snapshot state (the runner's client is private): in case the file's was not reached.
    if (test === this.target) this.instrumentSnapshots(() => (expect.getState() as { snapshotState?: SnapshotStateLike }).snapshotState)
    const target = this.state?.request.target
    if (test === this.target && test.result && target?.kind === 'test' && target.test.attempt) test.result.retryCount = target.test.attempt
    return answer
  }

  /** With hooks in the child, each hook is a phase with its own limit, timed by the parent. */
  override async onBeforeRunSuite(suite: Suite): Promise<void> {
    const state = this.state
    if (state && state.request.hooks === 'child') wrapHookPhases(suite, state, () => void this.stateSession())
    await super.onBeforeRunSuite(suite)
    // The file's snapshot state exists now (read from disk, after any fork point): before any hook or test.
    if (state && 'filepath' in suite) this.instrumentSnapshots(() => (this as unknown as { snapshotClient?: { getSnapshotState(f: string): SnapshotStateLike } }).snapshotClient?.getSnapshotState(suite.file.filepath))
  }

  /** The child matches snapshots read-only and the parent replays them (child/snapshots.ts). */
  private instrumentSnapshots(find: () => SnapshotStateLike | undefined): void {
    const state = this.state
    if (!state) return
    let snapshots: SnapshotStateLike | undefined
    try {
      snapshots = find()
    } catch {
      // no snapshot state for this file (a skipped file suite)
    }
    const format = (this.config.snapshotOptions as { snapshotFormat?: unknown } | undefined)?.snapshotFormat
    if (snapshots) instrumentSnapshotState(snapshots, state.link, format)
  }

  /** The body is its own phase: the parent starts its clock here, after the hooks before it. */
  async runTask(test: Test): Promise<unknown> {
    const fn = (TestRunner as unknown as { getTestFn(t: Test): () => unknown }).getTestFn(test)
    const state = this.state
    if (test !== this.target || !state) return fn()
    state.bodyStarted = performance.now()
    // An isolated() body announces its own phase, around the user's function only (child/in-place.ts).
    if (state.request.target.kind === 'test' && state.request.target.test.site) return fn()
    const session = this.stateSession()
    // Without hooks here the body is the first thing of the test: carry at its first statement. The
    // phase starts after the carry is set up (its inspector work is ours, not the test's).
    return session ? session.invoke(() => asPhase(state, 'body', fn), true) : asPhase(state, 'body', fn)
  }

  private session: StateSession | undefined
  private sessionStarted = false

  /** Under the plugin: the state session starts before the test's first hook, or at its body (isolated() bodies have their own). */
  private stateSession(): StateSession | undefined {
    const state = this.state
    if (this.sessionStarted || !state || !this.target || state.request.target.kind !== 'test' || state.request.target.test.site) return this.session
    this.sessionStarted = true
    const body = unwrapHandler((TestRunner as unknown as { getTestFn(t: Test): AnyFunction }).getTestFn(this.target))
    this.session = beginState(state, body)
    return this.session
  }

  private outcome: TestOutcome | undefined
  private readonly suiteErrors: unknown[] = []

  override async onAfterRunTask(test: Test): Promise<void> {
    await super.onAfterRunTask?.(test)
    if (test !== this.target) return
    const result = test.result
    this.outcome = {
      state: result?.state === 'fail' ? 'fail' : result?.state === 'skip' || test.mode === 'skip' ? 'skip' : 'pass',
      errors: (result?.errors ?? []).map((e) => withoutOwnFrames(e)),
      note: (result as { note?: string } | undefined)?.note,
      assertions: 0,
      adapter: { meta: copyableMeta(test.meta) } satisfies VitestOutcomeExtra,
    }
  }

  /** A failing beforeAll/afterAll of the target's suites fails the target: it is the test's lifecycle. */
  override onAfterRunSuite(suite: Suite): Promise<void> {
    if (this.target && isAncestor(suite, this.target)) this.suiteErrors.push(...(suite.result?.errors ?? []).map((e) => withoutOwnFrames(e)))
    return super.onAfterRunSuite(suite)
  }

  /** The verdict goes out once the whole file is done, afterAll hooks included. */
  override onAfterRunFiles(): void {
    this.session?.finish()
    const state = this.state
    if (state && !state.resultSent && state.request.target.kind === 'test' && this.target) {
      const base = this.outcome ?? { state: 'skip' as const, errors: [], note: undefined, assertions: 0 }
      const errors = [...base.errors, ...this.suiteErrors]
      state.resultSent = true
      state.send({ [TAG]: true, kind: 'result', result: { kind: 'test', outcome: { ...base, state: errors.length > 0 ? 'fail' : base.state, errors } } })
    }
    super.onAfterRunFiles()
  }

  private baselineTaken = false

  override async importFile(filepath: string, source: 'collect' | 'setup'): Promise<unknown> {
    // The framework is ready and no code of the user's has run: what is open now is not theirs, and a
    // zygote compiles lazily from here (what it loaded so far is what every fork runs again).
    if (!this.baselineTaken) {
      this.baselineTaken = true
      markResourceBaseline()
      tuneForUserCode()
    }
    beginVitestCoverage()
    trace(`c.import.${source}`)
    const imported = await super.importFile(filepath, source)
    trace(`c.imported.${source}`)
    const state = this.state
    // The parent's own run counted the file's import: the child counts only its test (a zygote resets at its fork point).
    if (source === 'collect') resetCoverage()
    if (source === 'collect' && state?.request.target.kind === 'call') await callWrapped(state, state.request)
    return imported
  }
}

/** The task's meta as it can cross (what the body wrote, for the parent's task); values that cannot are left here. */
function copyableMeta(meta: object | undefined): Record<string, unknown> | undefined {
  if (!meta) return undefined
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(meta)) if (findUncopyable(value, key) === undefined) out[key] = value
  return out
}

const PHASED = Symbol('isolated-test.phased')
const HOOK_KINDS = ['beforeAll', 'beforeEach', 'afterEach', 'afterAll', 'aroundEach', 'aroundAll'] as const

function wrapHookPhases(suite: Suite, state: ChildState, beforeHook: () => void): void {
  const hooks = (TestRunner as unknown as { getSuiteHooks(s: Suite): Record<string, Array<(...a: unknown[]) => unknown>> | undefined }).getSuiteHooks(suite)
  if (!hooks) return
  for (const kind of HOOK_KINDS) {
    const list = hooks[kind]
    if (!list) continue
    for (let i = 0; i < list.length; i++) {
      const hook = list[i]!
      if ((hook as unknown as Record<symbol, boolean>)[PHASED]) continue
      const phased = function (this: unknown, ...args: unknown[]): unknown {
        beforeHook()
        return asPhase(state, `${kind} hook`, () => hook.apply(this, args), state.request.hookLimit)
      }
      Object.defineProperty(phased, PHASED, { value: true })
      list[i] = phased
    }
  }
}
