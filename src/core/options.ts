// The one options table: the same names and defaults for `isolated()`, the Vitest plugin, the Jest
// environment and the `@isolated-test` pragma. README.md renders the same table.
import { availableParallelism } from 'node:os'

export type Method = 'fork' | 'spawn'
export type HooksMode = 'child' | 'parent'
export type LeaksMode = 'warn' | 'error' | 'off'

/** Options accepted everywhere. Every field is optional; see `OPTION_TABLE` for defaults. */
export interface IsolatedOptions {
  /** Limit for the body in ms; `0` or `Infinity` means no limit. Default: the framework's test timeout minus the kill window and `bootTimeout`. */
  readonly timeout?: number
  /** `'fork'` carries the parent's env and cwd at call time; `'spawn'` starts from the worker's start-up state. @default 'fork' */
  readonly method?: Method
  /** First signal sent to the child's process group when the limit passes. @default 'SIGTERM' */
  readonly killSignal?: NodeJS.Signals
  /** Delay in ms between `killSignal` and SIGKILL. @default 500 */
  readonly forceKillAfterDelay?: number
  /** Limit in ms for starting the child and importing the test module. @default 30000 */
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
}

export interface ResolvedOptions {
  readonly timeout: number | undefined
  readonly method: Method
  readonly killSignal: NodeJS.Signals
  readonly forceKillAfterDelay: number
  readonly bootTimeout: number
  readonly bootTimeoutExplicit: boolean
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
}

/** The most a timer can wait in Node (setTimeout clamps anything above it to 1 ms). */
export const MAX_TIMEOUT = 2 ** 31 - 1
/** How long we wait for the child's watchdog to report where it is stuck. */
export const STUCK_CAPTURE_MS = 1000

export const OPTION_TABLE = [
  { name: 'timeout', default: "framework test timeout − kill window − bootTimeout", allowed: 'ms ≥ 0, 0 or Infinity = no limit, ≤ 2^31-1', where: 'all' },
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
] as const

const KEYS = new Set<string>(OPTION_TABLE.map((o) => o.name))
const METHODS: readonly string[] = ['fork', 'spawn']
const HOOKS: readonly string[] = ['child', 'parent']
const LEAKS: readonly string[] = ['warn', 'error', 'off']

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
  return o as IsolatedOptions
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
    bootTimeoutExplicit: o.bootTimeout !== undefined,
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
  }
}

/** Stuck-frame capture plus the SIGTERM → SIGKILL grace. */
export function killWindow(o: Pick<ResolvedOptions, 'forceKillAfterDelay'>): number {
  return STUCK_CAPTURE_MS + o.forceKillAfterDelay
}

export interface Limits {
  /** The body's limit in ms (Infinity for none). */
  readonly timeout: number
  readonly bootTimeout: number
}

/**
 * Fits our limits inside the framework's limit for the test. Without an explicit `timeout`, the body
 * gets what is left after the kill window and `bootTimeout`; without an explicit `bootTimeout` and
 * when the framework's limit is short, boot gets what is left (at least 1 s) so that
 * `isolated(500)` works under Vitest's default 5 s. Returns an error message when they cannot fit.
 */
export function fitLimits(o: ResolvedOptions, frameworkLimit: number | undefined, setting: string): Limits | string {
  const kill = killWindow(o)
  const framework = frameworkLimit && frameworkLimit > 0 ? frameworkLimit : Infinity
  if (o.timeout === undefined) {
    if (framework === Infinity) return { timeout: Infinity, bootTimeout: o.bootTimeout }
    const boot = o.bootTimeoutExplicit ? o.bootTimeout : Math.min(o.bootTimeout, Math.max(1000, Math.floor((framework - kill) / 2)))
    const timeout = framework - kill - boot
    if (timeout <= 0) {
      return `${setting} is ${framework} ms, which leaves no time for the test after the kill window (${kill} ms) and bootTimeout (${boot} ms). Raise ${setting} above ${kill + boot} ms, or set \`timeout\` and \`bootTimeout\` explicitly.`
    }
    return { timeout, bootTimeout: boot }
  }
  if (framework === Infinity) return { timeout: o.timeout, bootTimeout: o.bootTimeout }
  if (o.timeout === Infinity) {
    return `the isolated limit is "no limit" (timeout 0/Infinity) but ${setting} is ${framework} ms, so the framework would stop the test first. Raise ${setting} (or set it to 0) or give \`timeout\` a number.`
  }
  const boot = o.bootTimeoutExplicit ? o.bootTimeout : Math.min(o.bootTimeout, framework - o.timeout - kill)
  if (boot < 1000 || o.timeout + kill + boot > framework) {
    const need = o.timeout + kill + Math.max(boot, 1000)
    return `${setting} is ${framework} ms, below the isolated limit ${o.timeout} ms + kill window ${kill} ms + bootTimeout ${Math.max(boot, 1000)} ms = ${need} ms, so the framework's own timer would fire first. Raise ${setting} to at least ${need} ms, or lower \`timeout\`${o.bootTimeoutExplicit ? ' or `bootTimeout`' : ''}.`
  }
  return { timeout: o.timeout, bootTimeout: boot }
}
