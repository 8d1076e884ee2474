// `isolated(ms, method)(fn)`: the wrapper. In the test process it hands each call to the adapter of the
// framework that is running (core/adapter.ts); in a child it runs `fn` in place (the child's copy of the
// module created the same wrapper at the same site, and the child finds it there).
import { IsolatedConfigError, pointAtUserCode } from './errors.js'
import { CHILD_ENV, type Site } from './ipc/protocol.js'
import { resolveOptions, validateOptions, type IsolatedOptions, type Method, type ResolvedOptions } from './options.js'
import { getChildState, siteKey } from './child/state.js'
import { captureSite } from './site.js'
import { markWrapper } from './markers.js'
import { isOff } from './off.js'
import { registeredHosts } from './adapter.js'
// Read the worker's start-up cwd now, before test code can change it (see parent/startup-env.ts).
import './parent/startup-env.js'

type AnyFn = (...args: never[]) => unknown

export type Wrapped<F extends AnyFn> = (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>>

/** A function of `F`'s parameters that returns a promise of `F`'s result. */
export type Promised<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never

/**
 * What `isolated(...)` returns. `F` stands alone in the parameter and in the result so TypeScript can
 * infer it from where the wrapper goes: an unannotated body such as `({ db }) => ...` is then typed
 * by the test's context (fixtures, `task`, `test.for` rows) as it would be unwrapped, also when the
 * framework's `test` is itself generic (Vitest's is). The result is `Promised<F>`, and `F` only for
 * that inference: a call resolves to `Promised<F>`'s signature first, so it returns a promise (what
 * reads the last signature, `ReturnType<typeof w>`, sees `F`'s, which for a sync `F` is not one).
 */
export type Decorate = <F>(fn: F & AnyFn) => Promised<F> & F

/** Per-run counters of wrappers created at each site, so a re-import in a new run starts from 0 again. */
const parentOrdinals = new WeakMap<object, Map<string, number>>()
const noScope = {}

function wrapperScope(): object {
  for (const host of registeredHosts()) {
    const scope = host.wrapperScope?.()
    if (scope) return scope
  }
  return noScope
}

function nextOrdinal(key: string): number {
  const child = getChildState()
  let counts = child?.wrapperSites
  if (!counts) {
    const scope = wrapperScope()
    counts = parentOrdinals.get(scope) ?? new Map<string, number>()
    parentOrdinals.set(scope, counts)
  }
  const n = counts.get(key) ?? 0
  counts.set(key, n + 1)
  return n
}

function parseArgs(msOrOptions: unknown, method: unknown): IsolatedOptions {
  if (typeof msOrOptions === 'object' && msOrOptions !== null) {
    if (method !== undefined) throw new TypeError(`isolated(options): pass \`method\` inside the options object, got a second argument ${JSON.stringify(method)}.`)
    return validateOptions(msOrOptions, 'isolated(options)')
  }
  const opts: Record<string, unknown> = {}
  if (msOrOptions !== undefined) opts.timeout = msOrOptions
  if (method !== undefined) opts.method = method
  return validateOptions(opts, 'isolated(ms, method)')
}

/**
 * Wraps a function so every call runs in its own child process, killed (with its whole process tree)
 * when `ms` passes. Use it on a test body, `test('x', isolated(500, 'spawn')(async () => {...}))`, or
 * on a module-scope function called with arguments, `const work = isolated(1000)(fn); await work(1)`.
 */
export function isolated(ms?: number, method?: Method): Decorate
export function isolated(options: IsolatedOptions): Decorate
export function isolated(msOrOptions?: number | IsolatedOptions, method?: Method): Decorate {
  const input = parseArgs(msOrOptions, method)
  const options = resolveOptions(input)
  return function decorate<F>(fn: F & AnyFn): Promised<F> & F {
    if (typeof fn !== 'function') {
      throw new TypeError(`isolated(...)(fn): \`fn\` must be a function, got ${fn === null ? 'null' : typeof fn}.`)
    }
    const at = captureSite(decorate)
    const site: Site = { ...at, ordinal: nextOrdinal(siteKey(at)) }
    const child = getChildState()
    child?.wrappers.set(`${siteKey(site)}#${site.ordinal}`, fn as unknown as (...args: unknown[]) => unknown)
    const setup = options.setup && at.file ? new URL(options.setup, `file://${at.file}`).pathname : options.setup
    const resolved: ResolvedOptions = { ...options, setup }
    if (!child && !isOff()) for (const host of registeredHosts()) host.onWrapperMade?.(resolved)

    const wrapper = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const raw = fn as unknown as (...a: unknown[]) => unknown
      if (process.env[CHILD_ENV] === '1') {
        const inChild = getChildState()
        const call = { fn: raw, thisArg: this, args, site, options: resolved }
        return inChild?.inPlace ? inChild.inPlace(call) : raw.apply(this, args)
      }
      if (isOff()) return raw.apply(this, args)
      const callSite = captureSite(wrapper)
      for (const host of registeredHosts()) {
        const answer = host.call({ wrapper, fn, thisArg: this, args, options: resolved, site, callSite })
        if (answer) return answer
      }
      const needs = registeredHosts().map((h) => h.requirement)
      throw pointAtUserCode(new IsolatedConfigError(`isolated() needs ${needs.length > 0 ? needs.join(' or ') : 'a supported test framework'} to run in; set ISOLATED_TEST=off to run the function in-process.`), callSite)
    }
    Object.defineProperty(wrapper, 'name', { value: fn.name || 'isolated', configurable: true })
    // Adapters running a whole file isolated read the options and the raw body from the wrapper.
    markWrapper(wrapper, { fn, options: { ...input, ...(setup === undefined ? {} : { setup }) }, site })
    // Frameworks that read a body's parameters from its source (fixtures) see the body's in the test
    // process. In a child that runs the whole test (a test target without a wrapper site: the parent
    // never called this body) they see it too; when the parent called the body, its values come from
    // the parent and the framework must set up none. Read when asked: a zygote learns its target later.
    const source = Function.prototype.toString.call(fn)
    const sourceHere = (): string => {
      const target = getChildState()?.request.target
      return !child || (target?.kind === 'test' && target.test.site === undefined) ? source : '({}) => {}'
    }
    Object.defineProperty(wrapper, 'toString', { value: sourceHere, configurable: true })
    return wrapper as unknown as Promised<F> & F
  }
}
