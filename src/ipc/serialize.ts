// What may cross the process boundary, and how thrown values cross it.
// Values go by structured clone (IPC 'advanced'); this module finds, before sending, the first part
// that would not survive, so the error can name its path instead of a bare DataCloneError.
import { serializeError, deserializeError } from 'serialize-error'
import { IsolatedSerializationError, rebrand } from '../errors.js'
import type { SerializedThrown } from './protocol.js'

const CLONEABLE_PROTOTYPES = new Set<unknown>([
  Object.prototype,
  null,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Boolean.prototype,
  String.prototype,
  Number.prototype,
  BigInt.prototype,
])
const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Uint8Array.prototype)

function describe(value: object): string {
  const name = (value as { constructor?: { name?: string } }).constructor?.name
  return name ? `a ${name}` : 'an object with a custom prototype'
}

function key(path: string, k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`
}

/** Returns why `value` cannot be copied, with the path of the offending part, or undefined. */
export function findUncopyable(value: unknown, path: string, seen = new Set<object>()): { path: string; reason: string } | undefined {
  if (typeof value === 'function') return { path, reason: `a function (${value.name || 'anonymous'}) cannot be copied` }
  if (typeof value === 'symbol') return { path, reason: 'a symbol cannot be copied' }
  if (typeof value !== 'object' || value === null) return undefined
  if (seen.has(value)) return undefined
  seen.add(value)
  const proto = Object.getPrototypeOf(value)
  if (value instanceof Error) {
    // Errors cross, but lose their class: callers get name, message, stack, cause and own props.
    return undefined
  }
  if (Object.getPrototypeOf(proto ?? {}) === TYPED_ARRAY_PROTOTYPE || proto === TYPED_ARRAY_PROTOTYPE) return undefined
  if (!CLONEABLE_PROTOTYPES.has(proto)) {
    return { path, reason: `${describe(value)} cannot be copied (only plain data crosses; a class instance would lose its class and methods)` }
  }
  if (value instanceof Map) {
    let i = 0
    for (const [k, v] of value) {
      const found = findUncopyable(k, `${path}.keys()[${i}]`, seen) ?? findUncopyable(v, `${path}.get(${typeof k === 'string' ? JSON.stringify(k) : i})`, seen)
      if (found) return found
      i++
    }
    return undefined
  }
  if (value instanceof Set) {
    let i = 0
    for (const v of value) {
      const found = findUncopyable(v, `${path}.values()[${i++}]`, seen)
      if (found) return found
    }
    return undefined
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUncopyable(value[i], `${path}[${i}]`, seen)
      if (found) return found
    }
    return undefined
  }
  for (const k of Object.keys(value)) {
    const found = findUncopyable((value as Record<string, unknown>)[k], key(path, k), seen)
    if (found) return found
  }
  return undefined
}

/** Throws IsolatedSerializationError naming the first part of `value` that cannot cross. */
export function assertCopyable(value: unknown, path: string): void {
  const found = findUncopyable(value, path)
  if (found) throw new IsolatedSerializationError(found.path, found.reason)
}

/** Serializes a thrown value: errors keep class name, message, stack, code, own props, cause chains and AggregateError.errors. */
export function serializeThrown(thrown: unknown): SerializedThrown {
  if (thrown instanceof Error || (typeof thrown === 'object' && thrown !== null && 'message' in thrown && 'stack' in thrown)) {
    return { isError: true, error: serializeError(thrown) as Record<string, unknown> }
  }
  return findUncopyable(thrown, 'thrown') ? { isError: false, value: String(thrown) } : { isError: false, value: thrown }
}

/** Rebuilds what the child threw; a non-error comes back as itself, as it was thrown. */
export function deserializeThrown(s: SerializedThrown): unknown {
  if (!s.isError) return s.value
  const error = deserializeError(s.error)
  // serialize-error keeps the class name as `name`; keep the reporter's "Name: message" header right.
  if (typeof s.error.name === 'string' && error.name !== s.error.name) {
    Object.defineProperty(error, 'name', { value: s.error.name, configurable: true, writable: true })
  }
  rebrand(error)
  return error
}

const OWN_FRAME = /\/isolated-test\/dist\//

/** Drops our own frames (the wrapper calling the body) from a stack: they are noise to the user. */
export function withoutOwnFrames<T>(error: T, depth = 0): T {
  if (typeof error !== 'object' || error === null || depth > 5) return error
  const e = error as Record<string, unknown>
  if (typeof e.stack === 'string') e.stack = e.stack.split('\n').filter((line) => !OWN_FRAME.test(line)).join('\n')
  if (e.cause) withoutOwnFrames(e.cause, depth + 1)
  if (Array.isArray(e.errors)) for (const inner of e.errors) withoutOwnFrames(inner, depth + 1)
  return error
}
