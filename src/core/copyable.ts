// What may cross the process boundary. Values go by structured clone (IPC 'advanced'); this finds,
// before sending, the first part that would not survive, so an error can name its path instead of a
// bare DataCloneError. A leaf module: the IPC layer and the state snapshots both use it.
import { types } from 'node:util'

// Builtins whose instances structured clone copies with their type, by how to recognise one from any
// realm: values made in a vm context (Jest's sandbox) have that realm's prototypes, not ours.
const CLONEABLE_BUILTINS: Readonly<Record<string, (value: object) => boolean>> = {
  Array: (v) => Array.isArray(v),
  Map: types.isMap,
  Set: types.isSet,
  Date: types.isDate,
  RegExp: types.isRegExp,
  ArrayBuffer: types.isArrayBuffer,
  DataView: types.isDataView,
  Boolean: types.isBooleanObject,
  String: types.isStringObject,
  Number: types.isNumberObject,
  BigInt: types.isBigIntObject,
}
const TYPED_ARRAY_NAME = /^(?:Int8|Uint8|Uint8Clamped|Int16|Uint16|Int32|Uint32|Float32|Float64|BigInt64|BigUint64)Array$/

/** True when `proto` is some realm's own prototype of a builtin that clones with its type (not a subclass). */
function isCloneablePrototype(value: object, proto: object | null): boolean {
  if (proto === null) return true
  const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value
  if (typeof ctor !== 'function') return false
  const parent = Object.getPrototypeOf(proto) as object | null
  if (parent === null) return ctor.name === 'Object' // some realm's Object.prototype
  const grand = Object.getPrototypeOf(parent) as object | null
  if (TYPED_ARRAY_NAME.test(ctor.name)) return types.isTypedArray(value) && grand !== null && Object.getPrototypeOf(grand) === null
  const isBrand = CLONEABLE_BUILTINS[ctor.name]
  return isBrand !== undefined && grand === null && isBrand(value)
}

function describe(value: object): string {
  const name = (value as { constructor?: { name?: string } }).constructor?.name
  return name ? `a ${name}` : 'an object with a custom prototype'
}

function key(path: string, k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`
}

/** How many more objects and elements a walk may visit (the state report's bound; IPC arguments have none). */
export interface WalkBudget {
  left: number
}

/**
 * Returns why `value` cannot be copied, with the path of the offending part, or undefined. With a
 * `budget`, a value with more parts than it allows is "too large" (checked on the way, not after).
 */
export function findUncopyable(value: unknown, path: string, seen = new Set<object>(), budget?: WalkBudget): { path: string; reason: string } | undefined {
  if (budget && --budget.left < 0) return { path, reason: 'too large to copy' }
  if (typeof value === 'function') return { path, reason: `a function (${value.name || 'anonymous'}) cannot be copied` }
  if (typeof value === 'symbol') return { path, reason: 'a symbol cannot be copied' }
  if (typeof value !== 'object' || value === null) return undefined
  if (seen.has(value)) return undefined
  seen.add(value)
  const proto = Object.getPrototypeOf(value) as object | null
  if (value instanceof Error || types.isNativeError(value)) {
    // Errors cross, but lose their class: callers get name, message, stack, cause and own props.
    return undefined
  }
  if (!isCloneablePrototype(value, proto)) {
    return { path, reason: `${describe(value)} cannot be copied (only plain data crosses; a class instance would lose its class and methods)` }
  }
  if (types.isMap(value)) {
    let i = 0
    for (const [k, v] of value as Map<unknown, unknown>) {
      const found = findUncopyable(k, `${path}.keys()[${i}]`, seen, budget) ?? findUncopyable(v, `${path}.get(${typeof k === 'string' ? JSON.stringify(k) : i})`, seen, budget)
      if (found) return found
      i++
    }
    return undefined
  }
  if (types.isSet(value)) {
    let i = 0
    for (const v of value as Set<unknown>) {
      const found = findUncopyable(v, `${path}.values()[${i++}]`, seen, budget)
      if (found) return found
    }
    return undefined
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUncopyable(value[i], `${path}[${i}]`, seen, budget)
      if (found) return found
    }
    return undefined
  }
  for (const k of Object.keys(value)) {
    const found = findUncopyable((value as Record<string, unknown>)[k], key(path, k), seen, budget)
    if (found) return found
  }
  return undefined
}
