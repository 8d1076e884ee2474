// The parts of jest-circus and Jest's environment API that we touch, typed structurally. Jest 29 and
// 30 agree on all of them; we do not depend on @jest/types so one build serves both.

export type TestFn = ((this: unknown, ...args: unknown[]) => unknown) & { length: number }

export type HookType = 'beforeAll' | 'beforeEach' | 'afterEach' | 'afterAll'

export interface Hook {
  fn: TestFn
  type: HookType
  timeout: number | undefined
  parent: DescribeBlock
  asyncError: Error
}

export interface TestEntry {
  type: 'test'
  name: string
  fn: TestFn
  mode: 'skip' | 'only' | 'todo' | undefined
  concurrent: boolean
  failing: boolean
  timeout: number | undefined
  parent: DescribeBlock
  asyncError: Error
  /** `[error, asyncError]` pairs (or bare errors on some paths). */
  errors: unknown[]
  invocations?: number
  /** Date.now() when the test started (before its beforeEach hooks); null until then. */
  startedAt?: number | null
}

export interface DescribeBlock {
  type: 'describeBlock'
  name: string
  parent: DescribeBlock | undefined
  children: (DescribeBlock | TestEntry)[]
  hooks: Hook[]
  mode: 'skip' | 'only' | 'todo' | undefined
}

export interface CircusState {
  rootDescribeBlock: DescribeBlock
  currentDescribeBlock: DescribeBlock
  currentlyRunningTest: TestEntry | null
  testTimeout: number
  hasFocusedTests: boolean
  /** True once the run started: hooks can no longer be added. */
  hasStarted?: boolean
  unhandledErrors: unknown[]
  /** Jest's seed for the run (`globalConfig.seed`), set by jest-circus in Jest 29 and 30. */
  seed?: number
  /** `--randomize`: circus shuffles each describe block's children with the seed. */
  randomize?: boolean
}

export type CircusEvent =
  | { name: 'run_start' | 'run_finish' | 'setup' | 'teardown' }
  | { name: 'add_test'; fn: TestFn; testName: string }
  | { name: 'test_start' | 'test_started' | 'test_fn_start' | 'test_done' | 'test_skip' | 'test_todo' | 'test_retry'; test: TestEntry }
  | { name: 'test_fn_success'; test: TestEntry }
  | { name: 'test_fn_failure'; test: TestEntry; error: unknown }
  | { name: 'hook_start'; hook: Hook }
  | { name: 'hook_success'; hook: Hook; test?: TestEntry; describeBlock?: DescribeBlock }
  | { name: 'hook_failure'; hook: Hook; error: unknown; test?: TestEntry; describeBlock?: DescribeBlock }
  | { name: string }

/** `config.projectConfig` as far as we read it. */
export interface ProjectConfig {
  readonly rootDir: string
  readonly runner?: string
  readonly testRunner: string
  readonly testEnvironment: string
  readonly testEnvironmentOptions: Readonly<Record<string, unknown>>
  readonly setupFiles: readonly string[]
  readonly [key: string]: unknown
}

export interface GlobalConfig {
  readonly rootDir: string
  readonly testTimeout?: number
  readonly watch?: boolean
  readonly watchAll?: boolean
  readonly watchman?: boolean
  readonly [key: string]: unknown
}

export interface EnvironmentConfig {
  readonly projectConfig: ProjectConfig
  readonly globalConfig: GlobalConfig
}

export interface TestConsole {
  log(...args: unknown[]): void
  info(...args: unknown[]): void
  warn(...args: unknown[]): void
  error(...args: unknown[]): void
  debug(...args: unknown[]): void
}

export interface EnvironmentContext {
  readonly console: TestConsole
  readonly docblockPragmas: Readonly<Record<string, string | readonly string[]>>
  readonly testPath: string
}

/** An instance of Jest's `TestEnvironment` (jest-environment-node and friends). */
export interface JestEnvironment {
  global: Record<string | symbol, unknown>
  setup(): Promise<void>
  teardown(): Promise<void>
  getVmContext(): unknown
  handleTestEvent?(event: CircusEvent, state: CircusState): unknown
}

export type JestEnvironmentClass = new (config: EnvironmentConfig, context: EnvironmentContext) => JestEnvironment

/** Global keys jest-circus reads at run time. */
export const RETRY_TIMES = Symbol.for('RETRY_TIMES')
export const TEST_TIMEOUT = Symbol.for('TEST_TIMEOUT_SYMBOL')
