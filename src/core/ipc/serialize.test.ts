import { describe, expect, test } from 'vitest'
import { createServer } from 'node:net'
import { runInNewContext } from 'node:vm'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deserializeThrown, serializeThrown, withoutOwnFrames } from './serialize.js'
import { findUncopyable } from '../copyable.js'
import { IsolatedTimeoutError, isIsolatedTestError } from '../errors.js'

describe('findUncopyable', () => {
  test('plain data, Maps, Sets, Dates, typed arrays and errors cross', () => {
    expect(findUncopyable({ a: [1, 'x', null], m: new Map([[1, new Set([2])]]), d: new Date(), b: new Uint8Array(2), e: new Error('x'), n: 10n }, 'v')).toBeUndefined()
  })

  test('names the path of a function, a symbol and a class instance', () => {
    expect(findUncopyable({ a: { f: () => 1 } }, 'result')).toEqual({ path: 'result.a.f', reason: 'a function (f) cannot be copied' })
    expect(findUncopyable([1, Symbol('s')], 'args')).toMatchObject({ path: 'args[1]' })
    const server = createServer()
    expect(findUncopyable({ conn: { socket: server } }, 'result')?.path).toBe('result.conn.socket')
    expect(findUncopyable({ conn: { socket: server } }, 'result')?.reason).toMatch(/^a Server cannot be copied/)
    expect(findUncopyable(new Map([['k', () => 1]]), 'm')?.path).toBe('m.get("k")')
  })

  test('survives cycles', () => {
    const a: Record<string, unknown> = {}
    a.self = a
    expect(findUncopyable(a, 'a')).toBeUndefined()
  })
})

describe('thrown values', () => {
  test('an error keeps name, message, code, own props and its cause', () => {
    class DbError extends Error {
      code = 'E_DB'
      constructor(m: string, o?: ErrorOptions) {
        super(m, o)
        this.name = 'DbError'
      }
    }
    const back = deserializeThrown(structuredClone(serializeThrown(new DbError('x', { cause: new TypeError('y') })))) as Error & { code: string }
    expect(back).toBeInstanceOf(Error)
    expect(back).toMatchObject({ name: 'DbError', message: 'x', code: 'E_DB' })
    expect(back.cause).toBeInstanceOf(TypeError)
  })

  test('a non-error comes back as itself', () => {
    expect(deserializeThrown(serializeThrown(42))).toBe(42)
    expect(deserializeThrown(serializeThrown({ reason: 'x' }))).toEqual({ reason: 'x' })
  })

  test('our errors are still recognised after crossing', () => {
    const e = new IsolatedTimeoutError({ limit: 1, method: 'fork', elapsed: 1, state: 'idle', frames: [], resources: [], origins: [], forced: false, setting: 's', phase: 'test body' })
    expect(isIsolatedTestError(deserializeThrown(structuredClone(serializeThrown(e))))).toBe(true)
  })

  test('our own frames are dropped from stacks, causes included', () => {
    // "Ours" is this module's own directory (dist/ when installed), whatever the package is called.
    const own = dirname(fileURLToPath(import.meta.url))
    const e = { stack: `Error: x\n    at body (/p/a.test.ts:1:1)\n    at runInPlace (${own}/index.js:2:2)`, cause: { stack: `E\n    at y (file://${own}/c.js:1:1)` } }
    withoutOwnFrames(e)
    expect(e.stack).toBe('Error: x\n    at body (/p/a.test.ts:1:1)')
    expect(e.cause.stack).toBe('E')
  })
})

describe('findUncopyable across realms', () => {
  test("plain data made in a vm context (Jest's sandbox) crosses; its class instances do not", () => {
    const made = runInNewContext('({ list: ["a"], map: new Map([[1, new Set([2])]]), date: new Date(0), bytes: new Uint8Array(2), plain: Object.create(null), boxed: new String("s"), error: new TypeError("x") })')
    expect(findUncopyable(made, 'v')).toBeUndefined()
    expect(structuredClone(made)).toEqual({ list: ['a'], map: new Map([[1, new Set([2])]]), date: new Date(0), bytes: new Uint8Array(2), plain: {}, boxed: new String('s'), error: expect.any(Error) })
    expect(findUncopyable(runInNewContext('class Map {}; ({ m: new Map() })'), 'v')).toMatchObject({ path: 'v.m', reason: expect.stringMatching(/^a Map cannot be copied/) })
    expect(findUncopyable(runInNewContext('({ m: new (class extends Map {})() })'), 'v')?.path).toBe('v.m')
    expect(findUncopyable(Object.create(Object.create(null)), 'v')?.path).toBe('v')
  })
})
