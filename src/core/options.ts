// The one options table: the same names and defaults for `isolated()`, the Vitest plugin, the Jest
// environment and the `@isolated-test` pragma. README.md renders the same table.
import { availableParallelism } from 'node:os'

export type Method = 'fork' | 'spawn'
export type HooksMode = 'child' | 'parent'
export type LeaksMode = 'warn' | 'error' | 'off'

/** Options accepted everywhere. Every field is optional; see `OPTION_TABLE` for defaults. */
export interface IsolatedOptions {
  /** Limit for the body in ms; `0` or `Infinity` means no limit. Default: the framework's test timeout where it has one running (minus the kill window), else none. */
  readonly timeout?: number
  /** `'fork'` carries the parent's env and cwd at call time; `'spawn'` starts from the worker's start-up state. @default 'fork' */
  readonly method?: Method
  /** First signal sent to the child's process group when the limit passes. @default 'SIGTERM' */
  readonly killSignal?: NodeJS.Signals
  /** Delay in ms between `killSignal` and SIGKILL. @default 500 */
  readonly forceKillAfterDelay?: number
  /** Limit in ms for what is not the test's own code: starting the child and importing the test module, and the framework's and our work between phases. @default 30000 */
  readonly bootTimeout?: number
  /** Extra environment variables for the child (a value of `undefined` removes the variable). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Extra Node flags for the child, after the ones the project needs. */
  readonly execArgv?: readonly string[]
  /** A module run in the child before the test (a process-pool initializer); relative to the file that names it. */
  readonly setup?: string
  /** Most children alive at once in one test worker. @default the CPU count */
  readonly maxChildren?: number
  /** Plugin and Jest environment: run hooks in the child with the test (`'child'`) or in the parent (`'parent'`). @default 'child' */
  readonly hooks?: HooksMode
  /** On timeout of an idle child, say where its pending promises and resources were created (uses async_hooks; slower). @default false */
  readonly asyncOrigins?: boolean
  /** The state report: `'warn'` prints it under failing tests, `'error'` fails a test whose lost changes other code of its file relies on, `'off'` skips it. @default 'warn' */
  readonly leaks?: LeaksMode
  /** JSON Lines file that gets one line per isolated test (also `ISOLATED_TEST_REPORT`). */
  readonly report?: string
  /** Names or globs the state report leaves out (optionally `env:`, `global:`, `module:`… prefixed). */
  readonly ignoreLeaks?: readonly string[]
  /** Jest environment only: the test environment the child runs the file in (a name such as `'jsdom'`, or a path). @default 'node' */
  readonly environment?: string
  /** `'fork-server'`: each test is a fork of its file's zygote; `'fresh'`: a new Node process per test; `'auto'`: forks where the self-test passes. @default ISOLATED_TEST_PROCESS_MODEL, else 'auto' */
  readonly processModel?: ProcessModelOption
  /** Most memory in MB the child's whole process tree may hold (a forked child's private memory, RSS of processes that exec'd); past it the tree is killed and the test fails with IsolatedMemoryError. @default none */
  readonly memoryLimit?: number
  /** Most CPU time in ms (user + system) the child's whole process tree may use, read from /proc every 50 ms; past it the tree is killed and the test fails with IsolatedCpuError. @default none */
  readonly cpuLimit?: number
}

export type ProcessModelOption = 'auto' | 'fork-server' | 'fresh'

export interface ResolvedOptions {
  readonly timeout: number | undefined
  readonly method: Method
  readonly killSignal: NodeJS.Signals
  readonly forceKillAfterDelay: number
  readonly bootTimeout: number
  readonly env: Readonly<Record<string, string | undefined>>
  readonly execArgv: readonly string[]
  readonly setup: string | undefined
  readonly maxChildren: number
  readonly hooks: HooksMode
  readonly asyncOrigins: boolean
  readonly leaks: LeaksMode
  readonly report: string | undefined
  readonly ignoreLeaks: readonly string[]
  readonly environment: string | undefined
  /** Undefined: ISOLATED_TEST_PROCESS_MODEL, else 'auto' (decided in core/parent/process-model.ts). */
  readonly processModel: ProcessModelOption | undefined
  /** MB, or undefined for no limit (nothing is sampled then). */
  readonly memoryLimit: number | undefined
  /** ms of CPU time, or undefined for no limit. */
  readonly cpuLimit: number | undefined
}

/** The most a timer can wait in Node (setTimeout clamps anything above it to 1 ms). */
export const MAX_TIMEOUT = 2 ** 31 - 1
/** The longest we wait for the child's watchdog to say where it is stuck (a few ms when the machine is idle; up to this under heavy load). */
export const STUCK_CAPTURE_MS = 1500

/** `memoryLimit` bounds, in MB: below the smallest a Node child can run in; above what any machine has. */
export const MIN_MEMORY_LIMIT_MB = 16
export const MAX_MEMORY_LIMIT_MB = 1024 * 1024
/** `cpuLimit` lower bound, ms: /proc counts CPU time in 10 ms ticks. */
export const MIN_CPU_LIMIT_MS = 10

export const OPTION_TABLE = [
  { name: 'timeout', default: "none, or what the framework's own timer leaves", allowed: 'ms ≥ 0, 0 or Infinity = no limit, ≤ 2^31-1', where: 'all' },
  { name: 'method', default: "'fork'", allowed: "'fork' | 'spawn'", where: 'all' },
  { name: 'killSignal', default: "'SIGTERM'", allowed: 'a signal name', where: 'all' },
  { name: 'forceKillAfterDelay', default: '500', allowed: 'ms ≥ 0', where: 'all' },
  { name: 'bootTimeout', default: '30000', allowed: 'ms > 0', where: 'all' },
  { name: 'env', default: '{}', allowed: 'object of strings', where: 'all' },
  { name: 'execArgv', default: '[]', allowed: 'array of strings', where: 'all' },
  { name: 'setup', default: 'none', allowed: 'module path', where: 'all' },
  { name: 'maxChildren', default: 'CPU count', allowed: 'integer ≥ 1', where: 'plugin, environment, helper' },
  { name: 'hooks', default: "'child'", allowed: "'child' | 'parent'", where: 'plugin, environment' },
  { name: 'asyncOrigins', default: 'false', allowed: 'boolean', where: 'all' },
  { name: 'leaks', default: "'warn'", allowed: "'warn' | 'error' | 'off'", where: 'all' },
  { name: 'report', default: 'ISOLATED_TEST_REPORT or none', allowed: 'file path', where: 'all' },
  { name: 'ignoreLeaks', default: '[]', allowed: 'array of names or globs', where: 'all' },
  { name: 'environment', default: "'node'", allowed: "a Jest test environment name or path, e.g. 'jsdom'", where: 'Jest environment' },
  { name: 'processModel', default: "ISOLATED_TEST_PROCESS_MODEL or 'auto'", allowed: "'auto' | 'fork-server' | 'fresh'", where: 'all' },
  { name: 'memoryLimit', default: 'none', allowed: `MB, a number ≥ ${MIN_MEMORY_LIMIT_MB} and ≤ ${MAX_MEMORY_LIMIT_MB}`, where: 'all' },
  { name: 'cpuLimit', default: 'none', allowed: `ms of CPU time, a number ≥ ${MIN_CPU_LIMIT_MS} and ≤ 2^31-1`, where: 'all' },
] as const

const KEYS = new Set<string>(OPTION_TABLE.map((o) => o.name))
const METHODS: readonly string[] = ['fork', 'spawn']
const HOOKS: readonly string[] = ['child', 'parent']
const LEAKS: readonly string[] = ['warn', 'error', 'off']
const MODELS: readonly string[] = ['auto', 'fork-server', 'fresh']

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  if (value === undefined || value === null) return String(value)
  if (typeof value === 'function') return `a function`
  try {
    return JSON.stringify(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

function fail(where: string, name: string, value: unknown, allowed: string): never {
  throw new TypeError(`${where}: the \`${name}\` option must be ${allowed}, got ${show(value)} (${value === null ? 'null' : typeof value}).`)
}

function checkMs(where: string, name: string, value: unknown, opts: { allowInfinity?: boolean; min?: number }): void {
  if (typeof value !== 'number' || Number.isNaN(value)) fail(where, name, value, 'a number of milliseconds')
  if (value === Infinity && opts.allowInfinity) return
  const min = opts.min ?? 0
  if (!Number.isFinite(value) || value < min) fail(where, name, value, `a number of milliseconds ≥ ${min}${opts.allowInfinity ? ' (or Infinity)' : ''}`)
  if (value > MAX_TIMEOUT) fail(where, name, value, `at most 2^31-1 (${MAX_TIMEOUT}) ms, Node's longest timer${opts.allowInfinity ? '; use 0 or Infinity for no limit' : ''}`)
}

/** Validates user input; throws a TypeError that names the option, the value and what is allowed. */
export function validateOptions(input: unknown, where: string): IsolatedOptions {
  if (input === undefined) return {}
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail(where, 'options', input, 'an object')
  const o = input as Record<string, unknown>
  for (const key of Object.keys(o)) {
    if (!KEYS.has(key)) {
      throw new TypeError(`${where}: unknown option \`${key}\`. Known options: ${[...KEYS].join(', ')}.`)
    }
  }
  if (o.timeout !== undefined) checkMs(where, 'timeout', o.timeout, { allowInfinity: true })
  if (o.method !== undefined && !METHODS.includes(o.method as string)) fail(where, 'method', o.method, "'fork' or 'spawn'")
  if (o.killSignal !== undefined && (typeof o.killSignal !== 'string' || !/^SIG[A-Z0-9]+$/.test(o.killSignal))) {
    fail(where, 'killSignal', o.killSignal, "a signal name such as 'SIGTERM'")
  }
  if (o.forceKillAfterDelay !== undefined) checkMs(where, 'forceKillAfterDelay', o.forceKillAfterDelay, {})
  if (o.bootTimeout !== undefined) checkMs(where, 'bootTimeout', o.bootTimeout, { min: 1 })
  if (o.env !== undefined) {
    if (typeof o.env !== 'object' || o.env === null || Array.isArray(o.env)) fail(where, 'env', o.env, 'an object of strings')
    for (const [k, v] of Object.entries(o.env)) {
      if (v !== undefined && typeof v !== 'string') fail(where, `env.${k}`, v, 'a string or undefined')
    }
  }
  if (o.execArgv !== undefined && (!Array.isArray(o.execArgv) || o.execArgv.some((a) => typeof a !== 'string'))) {
    fail(where, 'execArgv', o.execArgv, 'an array of strings')
  }
  if (o.setup !== undefined && (typeof o.setup !== 'string' || o.setup === '')) fail(where, 'setup', o.setup, 'a module path')
  if (o.maxChildren !== undefined && (typeof o.maxChildren !== 'number' || !Number.isInteger(o.maxChildren) || o.maxChildren < 1)) {
    fail(where, 'maxChildren', o.maxChildren, 'an integer ≥ 1')
  }
  if (o.hooks !== undefined && !HOOKS.includes(o.hooks as string)) fail(where, 'hooks', o.hooks, "'child' or 'parent'")
  if (o.asyncOrigins !== undefined && typeof o.asyncOrigins !== 'boolean') fail(where, 'asyncOrigins', o.asyncOrigins, 'true or false')
  if (o.leaks !== undefined && !LEAKS.includes(o.leaks as string)) fail(where, 'leaks', o.leaks, "'warn', 'error' or 'off'")
  if (o.report !== undefined && (typeof o.report !== 'string' || o.report === '')) fail(where, 'report', o.report, 'a file path')
  if (o.ignoreLeaks !== undefined && (!Array.isArray(o.ignoreLeaks) || o.ignoreLeaks.some((n) => typeof n !== 'string'))) {
    fail(where, 'ignoreLeaks', o.ignoreLeaks, 'an array of names or globs')
  }
  if (o.environment !== undefined && (typeof o.environment !== 'string' || o.environment === '')) {
    fail(where, 'environment', o.environment, "a Jest test environment name or path such as 'jsdom'")
  }
  if (o.processModel !== undefined && !MODELS.includes(o.processModel as string)) fail(where, 'processModel', o.processModel, "'auto', 'fork-server' or 'fresh'")
  if (o.memoryLimit !== undefined && (typeof o.memoryLimit !== 'number' || !Number.isFinite(o.memoryLimit) || o.memoryLimit < MIN_MEMORY_LIMIT_MB || o.memoryLimit > MAX_MEMORY_LIMIT_MB)) {
    fail(where, 'memoryLimit', o.memoryLimit, `a number of MB from ${MIN_MEMORY_LIMIT_MB} to ${MAX_MEMORY_LIMIT_MB} (omit it for no limit)`)
  }
  if (o.cpuLimit !== undefined && (typeof o.cpuLimit !== 'number' || !Number.isFinite(o.cpuLimit) || o.cpuLimit < MIN_CPU_LIMIT_MS || o.cpuLimit > MAX_TIMEOUT)) {
    fail(where, 'cpuLimit', o.cpuLimit, `a number of ms of CPU time from ${MIN_CPU_LIMIT_MS} to ${MAX_TIMEOUT} (omit it for no limit)`)
  }
  return o as IsolatedOptions
}

/**
 * The per-file pragma, the same under Vitest and Jest. `@isolated-test {json}` starts a line of any
 * comment before the file's first statement (after a shebang, `'use strict'`-style directives, a
 * license header, `// @vitest-environment`, tool comments...); several apply in order. The value is one
 * JSON object (nothing after the tag: no change); a `//` comment holds it on its line, a block comment
 * may spread it over lines. Anything else that mentions the tag is pragma-like and gets a warning.
 */
export const PRAGMA_TAG = '@isolated-test'
/** The tag where a pragma starts: at the start of a comment's line. */
export const PRAGMA_START = /^@isolated-test(?=\s|$)/
/** Comments that look meant as a pragma: the tag, misspelt or not (`@isolated-tests`, `@isolatedTest`). */
export const PRAGMA_LIKE = /@isolated[-_]?tests?\b/i

/** The JSON object at the start of `value` (text after the tag), or '' when there is none: the end of its balanced braces. */
function leadingObject(value: string): string {
  if (!value.startsWith('{')) return ''
  let depth = 0
  let inString = false
  for (let i = 0; i < value.length; i++) {
    const c = value[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{') depth++
    else if (c === '}' && --depth === 0) return value.slice(0, i + 1)
  }
  return ''
}

/** A pragma's value (the comment text after the tag) as options; throws a TypeError, as for any bad option, starting with `where`. */
export function parsePragmaValue(value: string, where: string): IsolatedOptions {
  const text = value.trim()
  if (text === '') return {}
  const json = leadingObject(text)
  let parsed: unknown
  try {
    parsed = JSON.parse(json === '' ? text : json)
  } catch (error) {
    throw new TypeError(`${where} must be followed by one JSON object, got ${text} (${(error as Error).message}). Write it as /** ${PRAGMA_TAG} {"timeout": 200} */.`)
  }
  return validateOptions(parsed, where)
}

/** Layers option sets, later ones winning; `env` merges key by key. */
export function mergeOptions(...layers: readonly (IsolatedOptions | undefined)[]): IsolatedOptions {
  let out: Record<string, unknown> = {}
  for (const layer of layers) {
    if (!layer) continue
    const env = layer.env ? { ...(out.env as object | undefined), ...layer.env } : out.env
    out = { ...out, ...layer }
    if (env) out.env = env
  }
  return out as IsolatedOptions
}

export function resolveOptions(o: IsolatedOptions): ResolvedOptions {
  return {
    timeout: o.timeout === 0 || o.timeout === Infinity ? Infinity : o.timeout,
    method: o.method ?? 'fork',
    killSignal: o.killSignal ?? 'SIGTERM',
    forceKillAfterDelay: o.forceKillAfterDelay ?? 500,
    bootTimeout: o.bootTimeout ?? 30_000,
    env: o.env ?? {},
    execArgv: o.execArgv ?? [],
    setup: o.setup,
    maxChildren: o.maxChildren ?? availableParallelism(),
    hooks: o.hooks ?? 'child',
    asyncOrigins: o.asyncOrigins ?? false,
    leaks: o.leaks ?? 'warn',
    report: o.report ?? (process.env.ISOLATED_TEST_REPORT || undefined),
    ignoreLeaks: o.ignoreLeaks ?? [],
    environment: o.environment,
    processModel: o.processModel,
    memoryLimit: o.memoryLimit,
    cpuLimit: o.cpuLimit,
  }
}

/** Stuck-frame capture plus the SIGTERM → SIGKILL grace. */
export function killWindow(o: Pick<ResolvedOptions, 'forceKillAfterDelay'>): number {
  return STUCK_CAPTURE_MS + o.forceKillAfterDelay
}

export interface Limits {
  /** The body's limit in ms (Infinity for none), as the options ask. */
  readonly timeout: number
  /** Limit for every stretch that is not the user's own code: boot, and the framework's and our work between phases. */
  readonly bootTimeout: number
  /**
   * When the framework's own timer for the test fires (monotonicMs(), see clock.ts), when it has one
   * running (isolated() on a test body or called inside a test). Every limit is cut to end a kill window
   * before it, so our verdict comes first.
   */
  readonly frameworkDeadline?: number | undefined
  /** The framework setting behind that deadline ("Vitest's `testTimeout` (now 5000 ms)"), for the message. */
  readonly frameworkSetting?: string | undefined
}

/**
 * Limits under a framework timer of `frameworkLimit` ms that started at `startedAt` (monotonicMs()).
 * A limit that does not fit is not an error: it is cut to what the framework leaves when the phase
 * starts, and the timeout message says so. Only a framework limit shorter than the kill window can never
 * work; that is the message returned.
 */
export function frameworkLimits(o: ResolvedOptions, frameworkLimit: number | undefined, startedAt: number, setting: string): Limits | string {
  const timeout = o.timeout ?? Infinity
  if (!frameworkLimit || frameworkLimit <= 0 || !Number.isFinite(frameworkLimit)) return { timeout, bootTimeout: o.bootTimeout }
  const kill = killWindow(o)
  if (frameworkLimit <= kill) {
    return `${setting} is ${frameworkLimit} ms, which is not even the kill window (${kill} ms: capturing where the child is stuck, then forceKillAfterDelay ${o.forceKillAfterDelay} ms), so no isolated test can finish before it. Raise ${setting} above ${kill} ms, or lower \`forceKillAfterDelay\`.`
  }
  return { timeout, bootTimeout: o.bootTimeout, frameworkDeadline: startedAt + frameworkLimit, frameworkSetting: `${setting} (now ${frameworkLimit} ms)` }
}
