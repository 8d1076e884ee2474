import { describe, expect, test } from 'vitest'
import { createServer } from 'node:net'
import { runInNewContext } from 'node:vm'
import { preview, truncate } from './preview.js'

describe('preview', () => {
  test('reads like the seed: arrays and strings in single quotes', () => {
    expect(preview(['Initial value', 'Parent process update'])).toBe("['Initial value', 'Parent process update']")
  })

  test('primitives, containers and instances', () => {
    expect(preview(undefined)).toBe('undefined')
    expect(preview(-0)).toBe('-0')
    expect(preview(10n)).toBe('10n')
    expect(preview(Symbol('s'))).toBe('Symbol(s)')
    expect(preview("it's\n")).toBe("'it\\'s\\n'")
    expect(preview({ a: 1, 'b-c': [true] })).toBe("{ a: 1, 'b-c': [true] }")
    expect(preview(new Map([['k', { n: 1 }]]))).toBe("Map(1) {'k' => { n: 1 }}")
    expect(preview(new Set([1, 2]))).toBe('Set(2) {1, 2}')
    expect(preview(Object.create(null))).toBe('[Object: null prototype] {}')
    expect(preview(new Date(0))).toBe('1970-01-01T00:00:00.000Z')
    expect(preview(/x/g)).toBe('/x/g')
    expect(preview(new TypeError('bad'))).toBe('TypeError: bad')
    expect(preview(function connect() {})).toBe('[Function: connect]')
    expect(preview(class Db {})).toBe('[class Db]')
    expect(preview(new Uint8Array([1, 2]))).toBe('Uint8Array(2) [1, 2]')
    expect(preview(createServer())).toMatch(/^Server \{ /)
  })

  test('never runs user code: getters, proxies and custom inspect stay untouched', () => {
    let ran = false
    const trap = () => ((ran = true), 1)
    expect(preview({ get x() { return trap() }, [Symbol.for('nodejs.util.inspect.custom')]: trap })).toBe('{ x: [Getter] }')
    expect(preview(new Proxy({}, { ownKeys: () => (trap(), []) }))).toBe('[Proxy]')
    expect(ran).toBe(false)
  })

  test('cycles, depth and length are bounded to 80 characters', () => {
    const a: Record<string, unknown> = { name: 'a' }
    a.self = a
    expect(preview(a)).toBe("{ name: 'a', self: [Circular] }")
    expect(preview({ a: { b: { c: { d: 1 } } } })).toBe('{ a: { b: { c: [Object] } } }')
    expect(preview(Array.from({ length: 20 }, (_, i) => i))).toBe('[0, 1, 2, 3, 4, 5, 6, 7, … 12 more]')
    const long = preview('x'.repeat(200))
    expect(long.length).toBeLessThanOrEqual(80)
    expect(truncate('abcdef', 4)).toBe('abc…')
  })

  test('values from another realm (a vm context) look the same', () => {
    expect(preview(runInNewContext('[["a"], new Map([[1, 2]]), { k: 1 }]'))).toBe("[['a'], Map(1) {1 => 2}, { k: 1 }]")
  })
})
