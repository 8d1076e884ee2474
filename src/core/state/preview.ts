// One-line previews of values for the state report, at most 80 characters: `['Initial value', 'Parent
// process update']`. They never run user code: no getters, no toString, no custom inspect, no proxy traps.
import { types } from 'node:util'

export const PREVIEW_LENGTH = 80
const ITEMS = 8
const DEPTH = 2
const STRING = 60

/** A short, single-line preview of `value`. */
export function preview(value: unknown, max = PREVIEW_LENGTH): string {
  return truncate(show(value, 0, new Set()), max)
}

/** Cuts `text` to `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max = PREVIEW_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

function show(value: unknown, depth: number, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return quote(value)
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'bigint':
      return `${value}n`
    case 'symbol':
      return value.toString()
    case 'undefined':
    case 'boolean':
      return String(value)
    case 'function':
      return types.isProxy(value) ? '[Proxy]' : showFunction(value)
    default:
      if (value === null) return 'null'
      return showObject(value as object, depth, seen)
  }
}

function quote(s: string): string {
  const cut = s.length > STRING ? `${s.slice(0, STRING)}…` : s
  return `'${cut.replace(/[\\']/g, '\\$&').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`
}

function showFunction(fn: Function): string {
  const source = Function.prototype.toString.call(fn)
  if (source.startsWith('class')) return `[class ${fn.name || '(anonymous)'}]`
  return fn.name ? `[Function: ${fn.name}]` : '[Function (anonymous)]'
}

/** The constructor's name read from the prototype's own data property, so no getter runs. */
function className(obj: object): string | undefined {
  const proto = Object.getPrototypeOf(obj) as object | null
  if (proto === null) return undefined
  const ctor: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value
  return typeof ctor === 'function' ? ctor.name || '(anonymous)' : '(anonymous)'
}

function list(items: Iterable<string>, total: number): string {
  const shown = [...items]
  return total > shown.length ? [...shown, `… ${total - shown.length} more`].join(', ') : shown.join(', ')
}

function first<T>(iterable: Iterable<T>, n: number): T[] {
  const out: T[] = []
  for (const item of iterable) {
    if (out.length >= n) break
    out.push(item)
  }
  return out
}

function showObject(obj: object, depth: number, seen: Set<object>): string {
  if (types.isProxy(obj)) return '[Proxy]'
  if (seen.has(obj)) return '[Circular]'
  const name = className(obj)
  if (types.isDate(obj)) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString()
  if (types.isRegExp(obj)) return `/${obj.source}/${obj.flags}`
  if (types.isNativeError(obj) || obj instanceof Error) return `${String(Reflect.get(obj, 'name'))}: ${String(Reflect.get(obj, 'message'))}`
  if (types.isBoxedPrimitive(obj)) return `[${name}: ${show(obj.valueOf(), depth, seen)}]`
  if (types.isArrayBuffer(obj) || types.isSharedArrayBuffer(obj)) return `${name} { byteLength: ${obj.byteLength} }`
  if (types.isPromise(obj)) return 'Promise {…}'
  if (types.isWeakMap(obj) || types.isWeakSet(obj)) return `${name} {…}`
  if (depth > DEPTH) return Array.isArray(obj) ? '[Array]' : `[${name ?? 'Object'}]`
  seen.add(obj)
  try {
    const inner = (v: unknown): string => show(v, depth + 1, seen)
    if (Array.isArray(obj)) return `[${list(first(obj as unknown[], ITEMS).map(inner), obj.length)}]`
    if (types.isTypedArray(obj)) return `${name}(${obj.length}) [${list(first(obj as unknown as Iterable<unknown>, ITEMS).map(inner), obj.length)}]`
    if (types.isMap(obj)) {
      const m = obj as Map<unknown, unknown>
      return `${name}(${m.size}) {${list(first(m, ITEMS).map(([k, v]) => `${inner(k)} => ${inner(v)}`), m.size)}}`
    }
    if (types.isSet(obj)) {
      const s = obj as Set<unknown>
      return `${name}(${s.size}) {${list(first(s, ITEMS).map(inner), s.size)}}`
    }
    const keys = Object.keys(obj)
    const props = first(keys, ITEMS).map((k) => {
      const d = Object.getOwnPropertyDescriptor(obj, k)
      const shownKey = /^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k)
      if (!d) return `${shownKey}: undefined`
      return `${shownKey}: ${'value' in d ? inner(d.value) : d.set ? (d.get ? '[Getter/Setter]' : '[Setter]') : '[Getter]'}`
    })
    const body = props.length ? `{ ${list(props, keys.length)} }` : '{}'
    if (name === 'Object') return body
    return name === undefined ? `[Object: null prototype] ${body}` : `${name} ${body}`
  } finally {
    seen.delete(obj)
  }
}
