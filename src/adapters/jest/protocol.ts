// The Jest adapter's part of a run request, and its console framing on the child's stdout.
import type { PrepareRequest, RunRequest } from '../../core/ipc/protocol.js'

/** Where the child gets the Jest configuration from. */
export type JestConfigSource =
  /** The environment's: the configs Jest handed it (JSON-safe copies). */
  | { readonly kind: 'given'; readonly projectConfig: Readonly<Record<string, unknown>>; readonly globalConfig: Readonly<Record<string, unknown>> }
  /** `isolated()` under a plain Jest setup: read with the running Jest's `jest-config` from `root`. */
  | { readonly kind: 'load'; readonly root: string }

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
   * 'babel': the run collects coverage with babel-plugin-istanbul: the child instruments what it loads
   * too and sends its counters (the environment's `__coverage__`) before its verdict.
   */
  readonly coverage?: 'babel' | undefined
}

/** A Jest child's `coverage` message: the istanbul counters of the files it ran code of. */
export interface JestChildCoverage {
  readonly provider: 'babel'
  readonly map: Readonly<Record<string, object>>
}

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
