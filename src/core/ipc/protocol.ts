// The whole parent ⇄ child contract, in one place.
//
// Channel 1, our message channel (ipc/frames.ts: length-prefixed structured clone), on two pipes: the
// child reads fd 3 and writes fd 4, synchronously. Our messages carry `[TAG]: true`; anything else on it
// belongs to the framework (the adapter relays it).
// Channel 2, the watchdog pipe (fd 5, one JSON object per line): the parent asks the child's watchdog
// thread where the main thread is stuck; it works while the main thread is blocked.
// The child's stdout and stderr are the test's own bytes, never framed.
import type { StuckFrame } from '../errors.js'
import type { StateSnapshot } from '../state/snapshot.js'
import type { StateReport } from '../state/report.js'

/** What the child needs for the state carry (fork) and the state report. */
export interface StateRequest {
  /** The parent's state at the call; absent when there is nothing to carry or report. */
  readonly parent: StateSnapshot | undefined
  /** 'fork': globals and the body's captured variables are carried into the child. */
  readonly carry: boolean
  readonly leaks: 'warn' | 'error' | 'off'
  readonly ignoreLeaks: readonly string[]
  /** The test file, where the body's variables live (saves the inspector a script scan). */
  readonly file: string | undefined
}

export const TAG = '__isolated_test__'
/** The child's fds: messages from the parent, messages to the parent, the watchdog pipe. */
export const CHANNEL_IN_FD = 3
export const CHANNEL_OUT_FD = 4
export const WATCHDOG_FD = 5
/** A child's containment token (core/parent/containment/token.ts): its descendants inherit it. */
export const TREE_ENV = 'ISOLATED_TEST_TREE'
/** A child's own cgroup v2 directory, where there is one (core/parent/containment/cgroup.ts): a fork joins it first thing. */
export const CGROUP_ENV = 'ISOLATED_TEST_CGROUP'
/** Set in the child's environment; also how a wrapped function knows it already runs in a child. */
export const CHILD_ENV = 'ISOLATED_TEST_CHILD'
/** In a child: its slot among this worker's live children (1, 2, ...), for partitioning per test. */
export const CHILD_ID_ENV = 'ISOLATED_TEST_CHILD_ID'
/** Where the child keeps its state for code loaded through the framework's module loader. */
export const CHILD_STATE = Symbol.for('isolated-test.child-state')

/** A call site: where `isolated(...)(fn)` was applied, in original-source coordinates. */
export interface Site {
  readonly file: string
  readonly line: number
  readonly column: number
  /** Index among the wrappers created at this same site (loops, `test.each`). */
  readonly ordinal: number
}

export interface TestTarget {
  /** The adapter's own id of the test (a task id, a place in registration order). */
  readonly testId: string
  readonly fullName: string
  /** Original-source line of the `test()` call, when the parent knows it. */
  readonly line: number | undefined
  /** Site of the wrapper when the body is wrapped by `isolated()`. */
  readonly site: Site | undefined
  /**
   * The wrapped body's arguments as the parent's framework passed them (`test.for`/`each` rows), by
   * position, the test's own context left out (undefined: the child passes its own there). Absent when
   * there are none or they cannot be copied: the child's framework passes its own (the same table,
   * collected again).
   */
  readonly args?: readonly unknown[] | undefined
  /** Which attempt at the test this is (the framework's retry count, 0 first): every attempt is a fresh child. */
  readonly attempt?: number | undefined
  /**
   * Test ids that run before the target in the same child, in file order, as plain tests with no
   * isolation of their own (a polluter probe): their hooks run as in-process, their verdicts are not
   * reported; only the target's is.
   */
  readonly before?: readonly string[] | undefined
}

export type RunTarget =
  | { readonly kind: 'test'; readonly test: TestTarget }
  | { readonly kind: 'call'; readonly site: Site; readonly args: readonly unknown[] }
  /** A zygote: import and collect the file, then serve forks at the adapter's fork point. */
  | { readonly kind: 'zygote' }

/**
 * One run, as the parent asks the child for it. The core fills the common part; `payload` is the
 * adapter's own (see each adapter's `protocol.ts`), read only by that adapter's child half, which the
 * child imports from `adapter`.
 */
export interface RunRequest<Payload = unknown> {
  /** URL of the adapter's child half: a module exporting a `ChildAdapter` (core/adapter.ts). */
  readonly adapter: string
  readonly payload: Payload
  readonly target: RunTarget
  /** `'parent'`: the child runs no hooks (they ran in the parent); `'child'`: the whole lifecycle. */
  readonly hooks: 'child' | 'parent'
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  readonly setup: string | undefined
  /** Test context values copied from the parent (fixtures), by key. */
  readonly context: Readonly<Record<string, unknown>>
  /** Track where pending promises and resources were created (the `asyncOrigins` option). */
  readonly asyncOrigins: boolean
  readonly state?: StateRequest | undefined
  /** With hooks in the child: each hook's limit in ms (the framework's hook timeout), sent back in its `phase`. */
  readonly hookLimit: number | undefined
}

/** What the framework concluded about the test in the child, already in its serialized form. */
export interface TestOutcome {
  readonly state: 'pass' | 'fail' | 'skip'
  readonly errors: readonly unknown[]
  readonly note: string | undefined
  readonly assertions: number
  /** What the adapter's child half reports beside the verdict, for its parent half only (Vitest: the task's meta). */
  readonly adapter?: unknown
}

export type ChildResult =
  | { readonly kind: 'test'; readonly outcome: TestOutcome }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'thrown'; readonly error: SerializedThrown }

/** A thrown value as it crosses: errors through serialize-error, anything else as itself. */
export type SerializedThrown =
  | { readonly isError: true; readonly error: Record<string, unknown> }
  | { readonly isError: false; readonly value: unknown }

/** What a spare child may do before it knows its test: boot the framework, run no test code. */
export interface PrepareRequest<Payload = unknown> {
  readonly adapter: string
  readonly payload: Payload
}

export type ParentMessage =
  | { readonly [TAG]: true; readonly kind: 'prepare'; readonly prepare: PrepareRequest }
  | { readonly [TAG]: true; readonly kind: 'run'; readonly request: RunRequest }
  /** To a forked child whose JS is idle: open the inspector now (it is not opened per child: 16-28 ms). */
  | { readonly [TAG]: true; readonly kind: 'open-inspector' }

export type ChildMessage =
  | { readonly [TAG]: true; readonly kind: 'ready' }
  /**
   * A timed phase (the body, or one hook with its own limit) begins at `at` (monotonicMs(), core/clock.ts):
   * the user's own function starts now. The parent arms its clock from `at`, not from when it reads this.
   */
  | { readonly [TAG]: true; readonly kind: 'phase'; readonly phase: string; readonly limit: number | undefined; readonly setting?: string; readonly at: number }
  /** The phase's function settled at `at`: what follows until the next phase is the framework's and ours. */
  | { readonly [TAG]: true; readonly kind: 'phase-end'; readonly phase: string; readonly at: number }
  /** Inside the current phase, our own work (the carry's pause at the body's first statement) took `ms`: not the user's time. */
  | { readonly [TAG]: true; readonly kind: 'phase-ours'; readonly ms: number }
  | {
      readonly [TAG]: true
      readonly kind: 'result'
      readonly result: ChildResult
      /** The state report of the body, unless `leaks: 'off'`. */
      readonly report?: StateReport | undefined
      /** ms from the run request to the body's start: importing the module (and hooks before it). */
      readonly importMs?: number | undefined
    }
  /**
   * What the child's code ran (coverage on), sent just before its verdict: the adapter's own format
   * (core/child/coverage.ts), merged by its parent half into what the test worker reports.
   */
  | { readonly [TAG]: true; readonly kind: 'coverage'; readonly data: unknown }
  /** A zygote collected the file and is quiescent: it serves forks from now on (`at`: monotonicMs()). */
  | { readonly [TAG]: true; readonly kind: 'zygote-ready'; readonly at: number }
  /** A zygote cannot serve forks safely (what the import left open): the file runs in fresh children. */
  | { readonly [TAG]: true; readonly kind: 'zygote-refused'; readonly reasons: readonly string[] }
  /**
   * A forked child is on its own channel: whether its stack thread answers the addon's stack signal
   * (where it is stuck, without an inspector), and when the fork began (CLOCK_MONOTONIC ns).
   */
  | { readonly [TAG]: true; readonly kind: 'forked'; readonly stack: boolean; readonly forkStartNs: string; readonly channelFd: number; readonly rssKb: number }
  /** The inspector a forked child opened when asked (`open-inspector`), or undefined when it could not. */
  | { readonly [TAG]: true; readonly kind: 'inspector'; readonly url: string | undefined }
  /** The child could not run the request (import failed, test not found): never retried elsewhere. */
  | { readonly [TAG]: true; readonly kind: 'fatal'; readonly error: SerializedThrown }

export type WatchdogRequest = { readonly op: 'capture' }
export type WatchdogReport = {
  readonly op: 'stuck'
  readonly state: 'busy' | 'idle' | 'native' | 'writing'
  /** The stuck stack without the framework's and our frames. */
  readonly frames: readonly StuckFrame[]
  /** The whole stuck stack, for a stretch that is not the user's code. */
  readonly allFrames?: readonly StuckFrame[]
  readonly resources: readonly string[]
  /** With `asyncOrigins`: where the pending promises and resources were created. */
  readonly origins?: readonly string[]
  /** Live worker threads (other than the watchdog), with where each is when it could be paused. */
  readonly workers?: readonly string[]
  /**
   * With coverage on: what the child ran since its last take, as JSON of the adapter's format, taken
   * while it was asked where it is stuck (core/child/coverage.ts `coverageNow`). Absent when its main
   * thread did not answer (blocked outside JavaScript) or the budget ran out.
   */
  readonly coverage?: string
}

export function isOurs(message: unknown): message is ChildMessage | ParentMessage {
  return typeof message === 'object' && message !== null && (message as Record<string, unknown>)[TAG] === true
}
