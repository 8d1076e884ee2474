// Marks that survive realms: Jest loads test code in a vm context and our environment in the outer
// one, so they recognise each other's functions by registered symbols, never by `instanceof`.
import type { IsolatedOptions } from './options.js'
import type { Site } from './ipc/protocol.js'

const WRAPPER = Symbol.for('isolated-test.wrapper')
const IN_PROCESS = Symbol.for('isolated-test.in-process')

/** What an `isolated(...)(fn)` wrapper carries: the function it wraps, its options and where it was made. */
export interface WrapperMeta {
  readonly fn: (...args: never[]) => unknown
  readonly options: IsolatedOptions
  readonly site: Site
}

export function markWrapper(wrapper: object, meta: WrapperMeta): void {
  Object.defineProperty(wrapper, WRAPPER, { value: meta })
}

export function wrapperMeta(fn: unknown): WrapperMeta | undefined {
  return typeof fn === 'function' ? ((fn as unknown as Record<symbol, WrapperMeta | undefined>)[WRAPPER] ?? undefined) : undefined
}

/**
 * Keeps one test in the test worker when a whole file runs isolated (the `isolated-test/jest`
 * environment): `test('reads the shared cache', inProcess(() => { ... }))`. Its hooks run in-process too.
 */
export function inProcess<F extends (...args: never[]) => unknown>(fn: F): F {
  if (typeof fn !== 'function') throw new TypeError(`inProcess(fn): \`fn\` must be a function, got ${fn === null ? 'null' : typeof fn}.`)
  Object.defineProperty(fn, IN_PROCESS, { value: true, configurable: true })
  return fn
}

export function isInProcess(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[IN_PROCESS] === true
}
