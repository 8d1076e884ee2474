// The child's event handler. When the run starts it finds the one test the parent asked for (by its
// place in registration order, or by the `isolated()` wrapper it has as its body) and checks its name;
// every other test is left out of the run (or skipped), so describe blocks without it run none of
// their hooks. It reports each timed phase to the parent, leaves retries, `failing` and timing to the
// parent, and keeps the outcome.
// The state session (carry and report) starts before the first hook with hooks in the child, else at
// the body. A wrapped function called with arguments is called once the file is imported; no test runs.
import { realProcess } from '../../../core/real-process.js'
import { IsolatedMismatchError } from '../../../core/errors.js'
import type { SerializedThrown } from '../../../core/ipc/protocol.js'
import { type JestRunRequest } from '../protocol.js'
import { serializeThrown, withoutOwnFrames } from '../../../core/ipc/serialize.js'
import { wrapperMeta } from '../../../core/markers.js'
import { MAX_TIMEOUT } from '../../../core/options.js'
import { siteKey, type ChildState } from '../../../core/child/state.js'
import { RETRY_TIMES, type CircusEvent, type CircusState, type DescribeBlock, type Hook, type TestEntry, type TestFn } from '../circus-types.js'
import { namePath, sameNames, testsInOrder } from '../tests.js'
import { relaySnapshots, relaySuppressedErrors } from './snapshots.js'
import { beginState, type StateSession } from '../../../core/child/state-carry.js'
import { callWrapped } from '../../../core/child/call-wrapped.js'
import { phaseEnds, phaseStarts } from '../../../core/child/phase.js'
import { forkPoint, reseedRealm } from '../../../core/child/zygote.js'
import { resetCoverage } from '../../../core/child/coverage.js'
import type { StateScope } from '../../../core/state/snapshot.js'
import type { AnyFunction } from '../../../core/state/closure.js'

const noop = (): void => {}

/**
 * Leaves in the target's describe blocks only the path to it, so circus's run never visits another
 * test: marking each one skipped sent it through test_start and test_skip, every handler awaited, and
 * wrote to every test object (a copied page each in a forked child). Skipped or absent, a block without
 * the target runs none of its hooks. The tests stay out: circus's result for the file would need a
 * status for each, and the child reports only the target's. False if the tree is not the shape expected.
 */
function pruneTo(root: DescribeBlock, target: TestEntry): boolean {
  const path: DescribeBlock[] = []
  let child: DescribeBlock | TestEntry = target
  for (let block: DescribeBlock | undefined = target.parent; block; block = block.parent) {
    if (!block.children.includes(child)) return false
    path.push(block)
    child = block
  }
  if (child !== root) return false
  let kept: DescribeBlock | TestEntry = target
  for (const block of path) {
    block.children = [kept]
    kept = block
  }
  return true
}

export class TargetSelector {
  target: TestEntry | undefined
  /** Set when the target could not be found or is a different test: never run anything then. */
  mismatch: Error | undefined
  /** Errors of the target, plus afterAll failures of its blocks. */
  readonly errors: SerializedThrown[] = []
  ran = false
  private readonly swapped = new Map<Hook, TestFn>()
  private bodyEnded = false
  /** Hooks announced as phases, whose end is announced too. */
  private readonly timedHooks = new Set<Hook>()
  private session: StateSession | undefined
  /** The test's sandbox global and its process.env: what the state snapshots describe. */
  private readonly scope: StateScope

  constructor(
    private request: JestRunRequest,
    private readonly state: ChildState,
    private readonly global: Record<string | symbol, unknown>,
  ) {
    this.scope = { global, env: (global.process as NodeJS.Process | undefined)?.env }
  }

  handleTestEvent = (event: CircusEvent, circus: CircusState): Promise<void> | undefined => {
    switch (event.name) {
      case 'run_start':
        // The fork point of a zygote: the file is imported, every test registered, no hook has run.
        if (this.request.target.kind === 'zygote') return this.forked(circus)
        return this.started(circus)
      case 'hook_start':
        if ('hook' in event) this.onHook(event.hook, circus)
        break
      case 'test_fn_success':
      case 'test_fn_failure':
        // Ended by the body's own return already; circus's word is the fallback.
        if ('test' in event && event.test === this.target) this.bodyEnds()
        break
      case 'hook_success':
      case 'hook_failure':
        if ('hook' in event && this.timedHooks.delete(event.hook)) phaseEnds(this.state, `${event.hook.type} hook`)
        if ('hook' in event) {
          const fn = this.swapped.get(event.hook)
          if (fn) event.hook.fn = fn
          if (event.name === 'hook_failure' && event.hook.type === 'afterAll' && 'error' in event && this.ran) {
            // Circus files afterAll failures under the file, not the test: here they are the test's.
            this.errors.push(serializeThrown(withoutOwnFrames(event.error)))
          }
        }
        break
      case 'test_done':
        if ('test' in event && event.test === this.target) {
          this.ran = true
          for (const e of event.test.errors) this.errors.push(serializeThrown(withoutOwnFrames(Array.isArray(e) ? e[0] : e)))
        }
        break
    }
    return undefined
  }

  private started(circus: CircusState): Promise<void> | undefined {
    // The parent's own run counted the file's import: the child counts only its test (a zygote resets at its fork point).
    resetCoverage()
    this.select(circus)
    // The file is imported and no hook has run: the place to call a wrapped function. Its snapshot
    // assertions are named after the test that called it in the parent, as in-process.
    if (this.request.target.kind === 'call') {
      const expect = this.global.expect as { setState?: (state: Record<string, unknown>) => void } | undefined
      expect?.setState?.({ currentTestName: this.request.payload.namePath.join(' ') })
      relaySuppressedErrors(this.global, this.state.link)
      return callWrapped(this.state, this.request, this.scope)
    }
    return undefined
  }

  /** In each forked child: the child's own request, env in the test's sandbox too, then as a fresh child. */
  private async forked(circus: CircusState): Promise<void> {
    await forkPoint(this.state)
    this.request = this.state.request as JestRunRequest
    // The sandbox copied the zygote's environment when it was made: it takes the child's, as a fresh
    // child's sandbox would have (the request's, plus what the child entry sets).
    const env = this.scope.env as Record<string, string | undefined> | undefined
    const real = realProcess.env
    if (env && env !== real) {
      for (const key of Object.keys(env)) if (!(key in real)) delete env[key]
      Object.assign(env, real)
    }
    // So are the values Jest copied from the zygote's process (its pid), and its Math.random sequence.
    const sandboxProcess = this.global.process as { pid?: number; ppid?: number } | undefined
    if (sandboxProcess && sandboxProcess !== process) {
      // Jest copies property descriptors: on Node 24 `pid` arrives as a getter without a setter.
      for (const [key, value] of [['pid', process.pid], ['ppid', process.ppid]] as const) {
        try {
          Object.defineProperty(sandboxProcess, key, { value, writable: true, configurable: true, enumerable: true })
        } catch {
          // not configurable: the sandbox keeps the zygote's value
        }
      }
    }
    reseedRealm(this.global)
    await this.started(circus)
  }

  /** Takes the closing snapshot: call once the test is done (its afterAll hooks too), before the result goes. */
  finishState(): void {
    this.session?.finish()
  }

  private select(circus: CircusState): void {
    const tests = testsInOrder(circus.rootDescribeBlock)
    const wanted = this.request.target.kind === 'test' ? this.request.target.test : undefined
    const names = this.request.payload.namePath
    let found: TestEntry | undefined
    if (wanted) {
      const n = Number(wanted.testId)
      const shown = JSON.stringify(names.join(' '))
      if (this.request.payload.locate === 'index') {
        found = tests[n]
        if (!found) this.mismatch = new IsolatedMismatchError(`The child registered ${tests.length} tests; there is no test #${n} (${shown}).`)
        else if (!sameNames(namePath(found), names)) {
          this.mismatch = new IsolatedMismatchError(`Test #${n} is ${shown} in the parent but ${JSON.stringify(namePath(found).join(' '))} in the child.`)
          found = undefined
        }
      } else {
        found = tests.filter((t) => sameNames(namePath(t), names))[n]
        if (!found) this.mismatch = new IsolatedMismatchError(`The child found no test #${n} named ${shown}.`)
      }
      // When the body is itself an isolated() wrapper, it must be the one made at the same place.
      const meta = found && wrapperMeta(found.fn)
      if (found && meta && wanted.site && (siteKey(meta.site) !== siteKey(wanted.site) || meta.site.ordinal !== wanted.site.ordinal)) {
        this.mismatch = new IsolatedMismatchError(`The body of ${shown} was wrapped at ${siteKey(wanted.site)} in the parent but at ${siteKey(meta.site)} in the child.`)
        found = undefined
      }
    }
    const before = found ? this.findBefore(tests, wanted?.before ?? []) : new Set<TestEntry>()
    // A probe's earlier tests, and a shuffled file (circus shuffles each block's children as it runs
    // it), keep every test in its place, skipped.
    const pruned = !!found && before.size === 0 && !circus.randomize && pruneTo(circus.rootDescribeBlock, found)
    if (!pruned) for (const t of tests) if (t !== found && !before.has(t)) t.mode = 'skip'
    relaySnapshots(this.global, this.state.link)
    if (!found) return
    this.target = found
    // The parent applies `failing`, retries and Jest's timer; the child runs the body once, as it is.
    found.failing = false
    found.timeout = MAX_TIMEOUT
    this.global[RETRY_TIMES] = 0
    const raw = wrapperMeta(found.fn)?.fn ?? found.fn
    // The function the parent read: the wrapped one (also under a test.each row function), else the body.
    const site = wanted?.site
    const body = ((site && this.state.wrappers.get(`${siteKey(site)}#${site.ordinal}`)) || raw) as AnyFunction
    if (this.request.hooks === 'child') this.session = beginState(this.state, body, this.scope)
    found.fn = this.announcing(raw as TestFn, body)
  }

  /**
   * A probe's earlier tests (ids: places in registration order): they run as in-process, where the file
   * runs them, their own timeouts and hooks with them; only the target's verdict goes back.
   */
  private findBefore(tests: readonly TestEntry[], ids: readonly string[]): Set<TestEntry> {
    const found = new Set<TestEntry>()
    for (const id of ids) {
      const t = tests[Number(id)]
      if (t) found.add(t)
      else this.mismatch ??= new IsolatedMismatchError(`The child registered ${tests.length} tests; there is no test #${id} to run before ${JSON.stringify(this.request.payload.namePath.join(' '))}.`)
    }
    return found
  }

  /** With hooks in the parent, the state session starts at the body. */
  private bodySession(body: AnyFunction): StateSession | undefined {
    if (this.request.hooks === 'parent') this.session = beginState(this.state, body, this.scope)
    return this.session
  }

  /** The body's phase begins: right before the user's function, after our carry is set up. */
  private bodyStarts = (): void => {
    this.state.bodyStarted = performance.now()
    phaseStarts(this.state, 'body')
  }

  /** The body ends, as far as its time is concerned: when it returns, throws, settles, or calls `done` (once). */
  private bodyEnds = (): void => {
    if (this.bodyEnded) return
    this.bodyEnded = true
    phaseEnds(this.state, 'body')
  }

  /** The body, announced, with the parent's captured variables carried in at its first statement (fork). */
  private announcing(fn: TestFn, body: AnyFunction): TestFn {
    const session = (): StateSession | undefined => this.bodySession(body)
    const starts = this.bodyStarts
    const ends = this.bodyEnds
    const settled = <T>(result: T): T => {
      if (result instanceof Promise || (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function')) {
        return (result as unknown as PromiseLike<unknown>).then(
          (value) => (ends(), value),
          (error: unknown) => {
            ends()
            throw error
          },
        ) as unknown as T
      }
      ends()
      return result
    }
    const isGenerator = Object.prototype.toString.call(fn) === '[object GeneratorFunction]'
    let wrapped: TestFn
    if (isGenerator) {
      // No carry: circus steps a generator later, outside any call of ours.
      wrapped = function* (this: unknown, ...args: unknown[]) {
        session()
        starts()
        try {
          return yield* (fn as unknown as (...a: unknown[]) => Generator).apply(this, args)
        } finally {
          ends()
        }
      } as unknown as TestFn
    } else if (fn.length > 0) {
      // A `done` test: circus decides by the function's length, and it must return nothing.
      wrapped = function (this: unknown, done: unknown) {
        const carry = session()
        const callback = Object.assign((...a: unknown[]) => (ends(), (done as (...x: unknown[]) => unknown)(...a)), done as object)
        try {
          if (!carry) return (starts(), fn.call(this, callback))
          carry.invoke(() => (starts(), fn.call(this, callback)), false).catch((error: unknown) => callback(error))
        } catch (error) {
          ends()
          throw error
        }
        return undefined
      } as TestFn
    } else {
      wrapped = function (this: unknown) {
        const carry = session()
        // The body's time ends when the user's function settles, not when our state snapshot after it
        // is taken (carry.invoke settles only after that).
        const call = (): unknown => {
          starts()
          try {
            return settled(fn.call(this))
          } catch (error) {
            ends()
            throw error
          }
        }
        // We call the body ourselves, synchronously: the carry stops at its first statement.
        return (carry ? carry.invoke(call, false) : call()) as ReturnType<TestFn>
      } as TestFn
    }
    return wrapped
  }

  private onHook(hook: Hook, circus: CircusState): void {
    if (!this.target) return
    if (this.request.hooks === 'parent') {
      // Body-only: the hooks ran in the parent.
      this.swapped.set(hook, hook.fn)
      hook.fn = noop
      return
    }
    const limit = hook.timeout || this.request.payload.hookTimeout || circus.testTimeout
    this.timedHooks.add(hook)
    phaseStarts(this.state, `${hook.type} hook`, limit)
    // Our clock times the hook; circus's would race it.
    hook.timeout = MAX_TIMEOUT
  }
}
