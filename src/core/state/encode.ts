// Plain data as JSON that `REBUILD_SOURCE` turns back into values inside another realm. A carried value
// must be made by the paused frame's own realm (Jest runs tests in a vm context), where `instanceof Map`
// and `toEqual` against that realm's arrays hold; so it travels as source, not as an object handle.
import { types } from 'node:util'

/** JSON: plain JSON values stand for themselves; anything else is a tagged array `[tag, ...]`. */
export type Encoded = null | boolean | number | string | readonly unknown[]

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** Encodes a value that `findUncopyable` accepts; throws on anything else. Shared and cyclic references are kept. */
export function encodeValue(value: unknown): Encoded {
  const ids = new Map<object, number>()
  const encode = (v: unknown): Encoded => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v
      case 'number':
        return Number.isFinite(v) && !Object.is(v, -0) ? v : ['n', Object.is(v, -0) ? '-0' : String(v)]
      case 'bigint':
        return ['i', v.toString()]
      case 'undefined':
        return ['u']
      case 'object':
        break
      default:
        throw new TypeError(`cannot encode ${typeof v}`)
    }
    if (v === null) return null
    const seen = ids.get(v)
    if (seen !== undefined) return ['@', seen]
    const id = ids.size
    ids.set(v, id)
    if (Array.isArray(v)) return ['A', id, Array.from(v, encode)]
    if (types.isMap(v)) return ['M', id, [...(v as Map<unknown, unknown>)].map(([k, x]) => [encode(k), encode(x)])]
    if (types.isSet(v)) return ['S', id, [...(v as Set<unknown>)].map(encode)]
    if (types.isDate(v)) return ['D', id, String(v.getTime())]
    if (types.isRegExp(v)) return ['R', id, v.source, v.flags, v.lastIndex]
    if (types.isBoxedPrimitive(v)) return ['W', id, encode(v.valueOf())]
    if (types.isArrayBuffer(v)) return ['B', id, hex(new Uint8Array(v))]
    if (types.isArrayBufferView(v)) {
      const name = types.isDataView(v) ? 'DataView' : Object.prototype.toString.call(v).slice(8, -1)
      return ['T', id, name, hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))]
    }
    const own = Object.keys(v).map((k) => [k, encode((v as Record<string, unknown>)[k])])
    if (types.isNativeError(v) || v instanceof Error) {
      const e = v as Error
      return ['E', id, String(e.name), String(e.message), typeof e.stack === 'string' ? e.stack : '', own]
    }
    return ['O', id, Object.getPrototypeOf(v) === null, own]
  }
  return encode(value)
}

/**
 * Source of a function, evaluated in the target realm, that rebuilds an `Encoded` value there. It is a
 * string so that no bundler or coverage instrumentation rewrites it for our realm.
 */
export const REBUILD_SOURCE = `(tree) => {
  const refs = new Map();
  const bytes = (h) => { const u = new Uint8Array(h.length / 2); for (let i = 0; i < u.length; i++) u[i] = parseInt(h.substr(i * 2, 2), 16); return u.buffer; };
  const keep = (id, v) => (refs.set(id, v), v);
  const fill = (o, own) => { for (const [k, v] of own) Object.defineProperty(o, k, { value: build(v), writable: true, enumerable: true, configurable: true }); return o; };
  const build = (n) => {
    if (!Array.isArray(n)) return n;
    switch (n[0]) {
      case 'u': return undefined;
      case 'n': return Number(n[1]);
      case 'i': return BigInt(n[1]);
      case '@': return refs.get(n[1]);
      case 'A': { const a = keep(n[1], []); for (const x of n[2]) a.push(build(x)); return a; }
      case 'M': { const m = keep(n[1], new Map()); for (const [k, v] of n[2]) m.set(build(k), build(v)); return m; }
      case 'S': { const s = keep(n[1], new Set()); for (const v of n[2]) s.add(build(v)); return s; }
      case 'D': return keep(n[1], new Date(Number(n[2])));
      case 'R': { const r = keep(n[1], new RegExp(n[2], n[3])); r.lastIndex = n[4]; return r; }
      case 'W': return keep(n[1], Object(build(n[2])));
      case 'B': return keep(n[1], bytes(n[2]));
      case 'T': { const b = bytes(n[3]); return keep(n[1], n[2] === 'DataView' ? new DataView(b) : new globalThis[n[2]](b)); }
      case 'E': { const e = keep(n[1], new Error(n[3])); Object.defineProperty(e, 'name', { value: n[2], writable: true, configurable: true }); e.stack = n[4]; return fill(e, n[5]); }
      case 'O': return fill(keep(n[1], n[2] ? Object.create(null) : {}), n[3]);
      default: throw new TypeError('unknown tag ' + n[0]);
    }
  };
  return build(tree);
}`
