// What the CLI needs from a test runner: list a file's tests, run a selection of them with isolation
// off (a probe) or on (the state report), and print the command that reproduces a selection.

/** One test, as the runner's JSON reporter names it. `file` is absolute. */
export interface TestRef {
  readonly file: string
  readonly fullName: string
  /** 1-based line of the test's definition, when the runner reports it. */
  readonly line?: number | undefined
}

export type Verdict = 'pass' | 'fail' | 'skip'

export interface TestResult extends TestRef {
  readonly verdict: Verdict
  /** The first failure message, for failing tests. */
  readonly failure?: string | undefined
}

export interface RunResult {
  /** Every test the runner reported, in the reporter's order (file order, not run order). */
  readonly results: readonly TestResult[]
  /** Files that failed without a failing test (an import error, a failing beforeAll). */
  readonly fileErrors: readonly { readonly file: string; readonly message: string }[]
  readonly ms: number
  /** How the runner process ended: null code = killed (aborted). */
  readonly exitCode: number | null
}

export interface RunSpec {
  /** Absolute test files to run; empty: whatever the runner and `extraArgs` select (compare). */
  readonly files: readonly string[]
  /** Only these tests (all in `files`); absent: every test of the files. */
  readonly tests?: readonly TestRef[] | undefined
  /** Select nothing: the files are collected, every test is reported as skipped (a listing). */
  readonly listOnly?: boolean
  /** Isolation on (every test in its own child, the state report to `report`), or off (a probe). */
  readonly isolated: boolean
  /** The JSON Lines report file (ISOLATED_TEST_REPORT), with isolation on. */
  readonly report?: string | undefined
  /** The run in one process, in a fixed order (probes); off: the runner's own parallelism (compare). */
  readonly inBand: boolean
  /** In band across files: our sequencer writes the file order it used here (a JSON array of absolute paths). */
  readonly recordOrder?: string | undefined
  readonly signal?: AbortSignal | undefined
}

export interface Repro {
  readonly command: string
  /** False when the command also selects other tests (Jest cannot tell tests with one full name apart). */
  readonly exact: boolean
  readonly note?: string | undefined
}

export interface Runner {
  readonly name: 'vitest' | 'jest'
  readonly version: string
  readonly root: string
  run(spec: RunSpec): Promise<RunResult>
  /** The shell command that runs these tests (in their file order) from the project's root. */
  repro(tests: readonly TestRef[]): Repro
  /**
   * One run of `file` isolated (Vitest's plugin, Jest's environment) in probe-server mode
   * (core/ipc/probe-server.ts): its worker connects to `socket` and serves probes until told to stop.
   * Resolves when the run ends.
   */
  probeServer?(file: string, socket: string, signal: AbortSignal): Promise<ServerRun>
}

/** A runner the CLI drives: it also knows the tests' listing and a pinned file order. */
export type ListingRunner = Runner & {
  /** The tests whose full names the name filters must tell apart (a name that repeats: Vitest's file:line). */
  setListing(l: readonly TestRef[]): void
  /** Runs across files (in band, several files or the whole selection) run their files in this order from now on. */
  pinFileOrder(files: readonly string[]): void
}

/** How a probe-server run ended. */
export interface ServerRun {
  readonly code: number | null
  readonly stderr: string
}

export interface RunnerOptions {
  readonly root: string
  readonly seed?: number | undefined
  /** Passed on to every run, after ours. */
  readonly extraArgs: readonly string[]
  readonly env: NodeJS.ProcessEnv
}
