import { describe, expect, test } from 'vitest'
import { runInNewContext } from 'node:vm'
import { encodeValue, REBUILD_SOURCE } from './encode.js'

const rebuildHere = (0, eval)(`(${REBUILD_SOURCE})`) as (tree: unknown) => unknown

describe('encodeValue and REBUILD_SOURCE', () => {
  test('round trip of everything structured clone copies', () => {
    const value = {
      s: 'x', n: -0, nan: NaN, inf: -Infinity, big: 12345678901234567890n, u: undefined, nil: null, t: true,
      list: ['Initial value', 'Parent process update'], map: new Map<unknown, unknown>([[{ k: 1 }, new Set([1, 'a'])]]),
      date: new Date(86_400_000), re: /a+/gi, bytes: new Uint8Array([1, 255]), floats: new Float64Array([1.5]),
      buffer: new Uint16Array([7]).buffer, view: new DataView(new Uint8Array([9]).buffer), boxed: Object('s'),
      bare: Object.assign(Object.create(null) as object, { a: 1 }), error: Object.assign(new TypeError('bad'), { code: 'E_X' }),
    }
    const back = rebuildHere(JSON.parse(JSON.stringify(encodeValue(value)))) as typeof value
    expect(back).toEqual(value)
    expect(Object.is(back.n, -0)).toBe(true)
    expect(Object.getPrototypeOf(back.bare)).toBe(null)
    expect(back.error).toMatchObject({ name: 'TypeError', message: 'bad', code: 'E_X' })
  })

  test('shared and cyclic references are kept', () => {
    const shared = { id: 1 }
    const cyclic: Record<string, unknown> = { both: [shared, shared] }
    cyclic.self = cyclic
    const back = rebuildHere(encodeValue(cyclic)) as { both: unknown[]; self: unknown }
    expect(back.self).toBe(back)
    expect(back.both[0]).toBe(back.both[1])
  })

  test("values are made by the target realm, so its instanceof and toEqual hold (Jest's sandbox)", () => {
    const check = runInNewContext(`(tree) => { const v = (${REBUILD_SOURCE})(tree); return [v.list instanceof Array, v.map instanceof Map, v.o.constructor === Object] }`)
    expect(check(encodeValue({ list: [1], map: new Map(), o: {} }))).toEqual([true, true, true])
  })

  test('refuses what cannot cross', () => {
    expect(() => encodeValue({ f: () => 1 })).toThrow(/cannot encode function/)
  })
})
