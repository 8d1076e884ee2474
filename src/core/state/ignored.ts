// What the state report leaves out: what Node, the JS engine, Vitest, Jest and we ourselves put in a
// process, plus the user's `ignoreLeaks`. Everything else that differs is the user's state.
import { runInNewContext } from 'node:vm'
import { perProcess } from './per-process.js'

export type StateWhere = 'env' | 'global' | 'cwd' | 'module' | 'closure' | 'listener' | 'resource'

/**
 * Node's own globals: `Object.getOwnPropertyNames(globalThis)` minus a fresh vm context's, on Node
 * 20.20.2 and 24.21 (checked on this machine); 22's `Navigator`/`WebSocket` family is in 24's list.
 * Some are lazy accessors (`fetch`, `crypto`, `navigator`): a snapshot never reads accessors anyway.
 */
const NODE_GLOBALS = [
  'process', 'global', 'Buffer', 'clearImmediate', 'setImmediate', 'clearInterval', 'clearTimeout', 'setInterval',
  'setTimeout', 'queueMicrotask', 'structuredClone', 'atob', 'btoa', 'URL', 'URLSearchParams', 'URLPattern',
  'DOMException', 'AbortController', 'AbortSignal', 'Event', 'EventTarget', 'CustomEvent', 'MessageEvent',
  'CloseEvent', 'TextEncoder', 'TextDecoder', 'TextEncoderStream', 'TextDecoderStream', 'TransformStream',
  'TransformStreamDefaultController', 'WritableStream', 'WritableStreamDefaultController',
  'WritableStreamDefaultWriter', 'ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader',
  'ReadableStreamBYOBRequest', 'ReadableByteStreamController', 'ReadableStreamDefaultController',
  'ByteLengthQueuingStrategy', 'CountQueuingStrategy', 'CompressionStream', 'DecompressionStream',
  'BroadcastChannel', 'MessageChannel', 'MessagePort', 'Blob', 'File', 'Performance', 'PerformanceEntry',
  'PerformanceMark', 'PerformanceMeasure', 'PerformanceObserver', 'PerformanceObserverEntryList',
  'PerformanceResourceTiming', 'performance', 'fetch', 'FormData', 'Headers', 'Request', 'Response', 'WebSocket',
  'EventSource', 'crypto', 'Crypto', 'CryptoKey', 'SubtleCrypto', 'Navigator', 'navigator', 'Storage',
  'localStorage', 'sessionStorage',
  // CommonJS `node -e` and the REPL also expose the builtin modules and the wrapper's names.
  'require', 'module', 'exports', '__filename', '__dirname',
]

/** vitest.md §8 (exp10, and the same list seen again here under Vitest 4.1.12, forks and threads). */
const VITEST_GLOBALS = ['__vitest_worker__', '__vitest_mocker__', '__vitest_index__', '__vitest_required__', '__vitest_browser__']
/**
 * Coverage counters of instrumented code (Vitest's istanbul provider, babel-plugin-istanbul under Jest):
 * each process keeps its own, merged by the parent (core/parent/coverage-merge.ts); carried into a
 * child they would count the parent's hits twice.
 */
const COVERAGE_GLOBALS = ['__VITEST_COVERAGE__', '__coverage__']
/** With `globals: true` Vitest also installs its test API (seen here under 4.1.12). */
const VITEST_API_GLOBALS = [
  'suite', 'test', 'describe', 'it', 'chai', 'expect', 'assert', 'expectTypeOf', 'assertType', 'vitest', 'vi',
  'beforeAll', 'afterAll', 'beforeEach', 'afterEach', 'aroundEach', 'aroundAll', 'onTestFinished', 'onTestFailed',
]
/** jest.md §3 and §11 (exp9): the test API and `expect` in the sandbox, and Jest's Symbol-shim key. */
const JEST_GLOBALS = [
  'describe', 'fdescribe', 'xdescribe', 'it', 'fit', 'xit', 'test', 'xtest', 'beforeAll', 'afterAll', 'beforeEach',
  'afterEach', 'expect', 'jest-symbol-do-not-touch',
]
/** Symbol descriptions: expect's (shared by Vitest and Jest, vitest.md §8), jest-circus's and jest-util's. */
const FRAMEWORK_SYMBOLS = [
  'matchers-object', '$$jest-matchers-object', 'asymmetric-matchers-object', 'expect-global', 'vitest:SAFE_TIMERS',
  'JEST_STATE_SYMBOL', 'RETRY_TIMES', 'RETRY_IMMEDIATELY', 'WAIT_BEFORE_RETRY', 'TEST_TIMEOUT_SYMBOL',
  'EVENT_HANDLERS', 'LOG_ERRORS_BEFORE_RETRY', 'TEST_NAME_SYMBOL', 'Symbol.toStringTag',
]
const FRAMEWORK_SYMBOL_PREFIX = /^Symbol\((?:jest-|nodejs\.)/

/** vitest.md §8 (Vitest's worker env) and jest.md (Jest sets JEST_WORKER_ID; NODE_ENV=test when unset). */
const FRAMEWORK_ENV = [
  'TEST', 'VITEST', 'NODE_ENV', 'VITEST_MODE', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'MODE', 'DEV', 'PROD', 'SSR',
  'BASE_URL', 'JEST_WORKER_ID',
  // Vitest 5's coverage.autoAttachSubprocess sets it in its worker (a child's own start env drops it).
  'NODE_V8_COVERAGE',
  // Node's IPC channel to a forked process: the child gets ours, a Vitest fork worker has its own.
  'NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE', 'NODE_UNIQUE_ID',
]

/**
 * Variables the module loaders add to a module's scope: Vite's SSR transform (`__vite_ssr_import_0__`,
 * `__vite_ssr_import_meta__`…, and Vitest's `__vi_import_0__` for hoisted mocks), the CommonJS wrapper's
 * parameters (Node, and Jest's extra `jest`), and babel-jest's hoisting helper.
 */
const LOADER_VARIABLE = /^(?:__vite_ssr_\w*|__vi_\w*|module|exports|require|__filename|__dirname|jest|_getJestObj)$/

/** Ours: `isolated()` itself, `__isolated_test__` tags, `ISOLATED_TEST*` env, `Symbol(isolated-test.*)`. */
const OURS = /^(?:isolated|__isolated_test__|ISOLATED_TEST|Symbol\(isolated)/

let engineGlobals: Set<string> | undefined

/** What the JS engine itself defines (Array, Intl, WebAssembly…), as a fresh context shows. */
function isEngineGlobal(name: string): boolean {
  // A new context costs milliseconds: once per process (a forked child would otherwise make one per instance).
  engineGlobals ??= perProcess('engine-globals', () => new Set(runInNewContext('Object.getOwnPropertyNames(globalThis)') as string[]))
  return engineGlobals.has(name)
}

const FIXED: Partial<Record<StateWhere, ReadonlySet<string>>> = {
  global: new Set([...NODE_GLOBALS, ...VITEST_GLOBALS, ...COVERAGE_GLOBALS, ...VITEST_API_GLOBALS, ...JEST_GLOBALS, ...FRAMEWORK_SYMBOLS.map((s) => `Symbol(${s})`)]),
  env: new Set(FRAMEWORK_ENV),
}

/** True for names the loaders put in module scope; they are plumbing, not the user's state. */
export function isLoaderVariable(name: string): boolean {
  return LOADER_VARIABLE.test(name)
}

/**
 * Compiles the user's `ignoreLeaks`: names or globs (`*` any run, `?` one character), optionally
 * limited to one kind with a prefix: `env:CI_*`, `global:__APP__`, `module:cache`.
 */
export function compileIgnoreLeaks(patterns: readonly string[] = []): (where: StateWhere, name: string) => boolean {
  const compiled = patterns.map((p) => {
    const m = /^(env|global|cwd|module|closure|listener|resource):(.*)$/s.exec(p)
    const glob = m ? m[2]! : p
    const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's')
    return { where: m?.[1], re }
  })
  return (where, name) => compiled.some((c) => (c.where === undefined || c.where === where) && c.re.test(name))
}

/** True when `name` under `where` is left out of snapshots: framework, engine, Node, ours, or the user's. */
export function isIgnored(where: StateWhere, name: string, user: (where: StateWhere, name: string) => boolean = () => false): boolean {
  if (OURS.test(name) || user(where, name)) return true
  if (FIXED[where]?.has(name)) return true
  if (where === 'global') return FRAMEWORK_SYMBOL_PREFIX.test(name) || isEngineGlobal(name)
  return false
}
