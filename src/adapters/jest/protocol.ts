// The Jest adapter's part of a run request, and its console framing on the child's stdout.
import type { PrepareRequest, RunRequest, SerializedThrown } from '../../core/ipc/protocol.js'

/** Where the child gets the Jest configuration from. */
export type JestConfigSource =
  /** The environment's: the configs Jest handed it (JSON-safe copies). */
  | { readonly kind: 'given'; readonly projectConfig: Readonly<Record<string, unknown>>; readonly globalConfig: Readonly<Record<string, unknown>> }
  /**
   * `isolated()` under a plain Jest setup: read with the running Jest's `jest-config` from `root`, with
   * the run's seed and `--randomize` (command-line only: the config file cannot give them), so
   * `jest.getSeed()` and circus's shuffled order are the parent's; `updateSnapshot` is the parent's
   * (`-u`, `--ci`), when it knows it, so the child's snapshot state answers as the parent's will.
   */
  | {
      readonly kind: 'load'
      readonly root: string
      readonly seed: number | undefined
      readonly randomize: boolean
      readonly updateSnapshot?: SnapshotUpdate | undefined
    }

/** Jest's `updateSnapshot` setting. */
export type SnapshotUpdate = 'all' | 'new' | 'none'

/** What the child needs to rebuild Jest's own pipeline for one file and run one test of it. */
export interface JestPayload {
  readonly testPath: string
  /** Directories to find the running Jest's packages from, best first (jest-runner's own, then others). */
  readonly jestDirs: readonly string[]
  readonly config: JestConfigSource
  /** The test environment the child runs the file in: a name or path; undefined = the project's own (plain setup) or `node`. */
  readonly environment: string | undefined
  /** The test's describe names then its own name (the parent's view, checked in the child). */
  readonly namePath: readonly string[]
  /**
   * How `target.test.testId` finds the test: `'index'`, its place among all tests in registration order
   * (the environment counts before the run starts); `'occurrence'`, its place among the tests with the
   * same name (`isolated()` under a plain setup, which only sees the tree once the run has started).
   */
  readonly locate: 'index' | 'occurrence'
  /** Limit for each hook run in the child, when the options set one; else the hook's Jest timeout. */
  readonly hookTimeout: number | undefined
  /**
   * The run's coverage provider. 'babel': the child instruments what it loads too and sends its
   * counters (the sandbox's `__coverage__`); 'v8': the child's runtime collects V8 coverage as the
   * worker's does and sends what its runtime reports (script coverage paired with the transformed code).
   */
  readonly coverage?: 'babel' | 'v8' | undefined
}

/** A Jest child's `coverage` message. */
export type JestChildCoverage =
  /** The istanbul counters of the files it ran code of. */
  | { readonly provider: 'babel'; readonly map: Readonly<Record<string, object>> }
  /** Its runtime's `getAllV8CoverageInfoCopy()`: what Jest puts in a file's `v8Coverage`. */
  | { readonly provider: 'v8'; readonly entries: readonly object[] }

/** The file-level part of the payload: all a spare Jest child needs before it knows its test. */
export type JestPrepare = Pick<JestPayload, 'testPath' | 'jestDirs' | 'config' | 'environment'>

export type JestRunRequest = RunRequest<JestPayload>
export type JestPrepareRequest = PrepareRequest<JestPrepare>

/**
 * One call of the Jest child's console, sent on the channel (never mixed into the test's own bytes on
 * stdout/stderr), so the parent replays it through the test's console with its type.
 */
export const CONSOLE_MARK = '__isolated_test_jest_console__'
export interface ConsoleFrame {
  readonly [CONSOLE_MARK]: true
  readonly type: string
  readonly message: string
  /** The stack of the user's call (`    at ...` lines), for Jest's attribution and code frame. */
  readonly origin: string
}

export function isConsoleFrame(message: unknown): message is ConsoleFrame {
  return typeof message === 'object' && message !== null && (message as Record<string, unknown>)[CONSOLE_MARK] === true
}

/**
 * One snapshot assertion of the child (`toMatchSnapshot`, `toMatchInlineSnapshot`, the `toThrowError...`
 * forms), sent as it happens, so the parent records it in the file's own snapshot state, the one that
 * writes the file. The child matched it against its read-only copy (`pass`); the received value is
 * serialized by the child's serializers, after its property matchers.
 */
export const SNAPSHOT_MARK = '__isolated_test_jest_snapshot__'
export type SnapshotFrame =
  | {
      readonly [SNAPSHOT_MARK]: true
      readonly kind: 'match'
      /** The name the key is made from: the test's full name, `: hint` added. */
      readonly testName: string
      /** A key given to the matcher; almost always absent (the state numbers the test's snapshots). */
      readonly key: string | undefined
      /** What the value serializes to, before Jest adds its extra line breaks. */
      readonly serialized: string
      readonly isInline: boolean
      /** The inline snapshot written in the source now (undefined: none yet). */
      readonly inlineSnapshot: string | undefined
      /** The stack of the assertion (its top user frame is where an inline snapshot is written). */
      readonly stack: string | undefined
      /** Whether the child's copy matched (or would write it). */
      readonly pass: boolean
    }
  /** Property matchers that did not match: the key counts as checked and unmatched. */
  | { readonly [SNAPSHOT_MARK]: true; readonly kind: 'fail'; readonly testName: string; readonly key: string | undefined }
  /**
   * A failed snapshot assertion in a wrapped function called from a test: the matcher does not throw
   * (Jest keeps its error for the test's end), so the error goes to the parent's test the same way.
   */
  | { readonly [SNAPSHOT_MARK]: true; readonly kind: 'suppressed'; readonly error: SerializedThrown }

export function isSnapshotFrame(message: unknown): message is SnapshotFrame {
  return typeof message === 'object' && message !== null && (message as Record<string, unknown>)[SNAPSHOT_MARK] === true
}
