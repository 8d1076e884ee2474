import { describe, expect, test } from 'vitest'
import { encodeValue } from './encode.js'
import { carryExpression, isIdentifier } from './frame-source.js'

// Direct eval inside this function evaluates in its scope, as Debugger.evaluateOnCallFrame does in a frame's.
function scope(expression: string): unknown[] {
  let db: unknown
  const LIST = ['Initial value']
  const MAP = new Map([['a', 1]])
  const SET = new Set([1])
  const FROZEN = Object.freeze(['x'])
  const CONFIG = { level: 'info' } as Record<string, unknown>
  const N = 1
  const answer = eval(expression) as unknown
  return [answer, { db, LIST, MAP, SET, FROZEN, CONFIG, N }]
}

const carry = (name: string, value: unknown) => scope(carryExpression(name, encodeValue(value)))

describe('carryExpression', () => {
  test('reassigns a let', () => {
    expect(carry('db', { users: ['ann'] })).toEqual(['assigned', expect.objectContaining({ db: { users: ['ann'] } })])
  })

  test('refills const arrays, Maps, Sets and plain objects in place', () => {
    expect(carry('LIST', ['Initial value', 'Parent process update'])).toEqual(['refilled', expect.objectContaining({ LIST: ['Initial value', 'Parent process update'] })])
    expect(carry('MAP', new Map([['b', 2]]))).toEqual(['refilled', expect.objectContaining({ MAP: new Map([['b', 2]]) })])
    expect(carry('SET', new Set([2, 3]))).toEqual(['refilled', expect.objectContaining({ SET: new Set([2, 3]) })])
    expect(carry('CONFIG', { level: 'debug', sinks: ['stdout'] })).toEqual(['refilled', expect.objectContaining({ CONFIG: { level: 'debug', sinks: ['stdout'] } })])
  })

  test('says why a const cannot take the value', () => {
    expect(carry('N', 1)[0]).toBe('unchanged')
    expect(carry('N', 2)[0]).toBe('a const binding holding a number cannot be reassigned')
    expect(carry('LIST', new Map())[0]).toBe('a const binding holding an array cannot take a Map')
    expect(carry('FROZEN', ['y'])[0]).toBe('a const binding holding a frozen array cannot be refilled')
  })

  test('only identifiers are named in source', () => {
    expect(isIdentifier('MODULE_SCOPE_LIST')).toBe(true)
    expect(isIdentifier('ünïcode$')).toBe(true)
    expect(isIdentifier('.generator_object')).toBe(false)
    expect(isIdentifier('a; process.exit()')).toBe(false)
    expect(isIdentifier('arguments')).toBe(false)
  })
})
