import { describe, expect, test } from 'vitest'
import { Socket } from 'node:net'
import { HELD_VALUE_MAX_PARTS, holdValue, sameHeld, unreadValue } from './held.js'

describe('holdValue', () => {
  test('plain data is kept as a copy taken now', () => {
    const list = ['Initial value']
    const held = holdValue(list, 'MODULE_SCOPE_LIST')
    list.push('later')
    expect(held).toEqual({ kind: 'copy', value: ['Initial value'], preview: "['Initial value']" })
  })

  test('what cannot cross is described with the reason and where in the value it sits', () => {
    expect(holdValue(function connect() {}, 'connect')).toEqual({ kind: 'uncopyable', reason: 'a function (connect)', preview: '[Function: connect]' })
    const socket = new Socket()
    expect(holdValue(socket, 'conn')).toMatchObject({ kind: 'uncopyable', reason: 'a Socket' })
    expect(holdValue({ conn: socket }, 'db')).toMatchObject({ kind: 'uncopyable', reason: 'a Socket at db.conn' })
    socket.destroy()
  })

  test('every held value survives structured clone (it crosses the IPC channel)', () => {
    const held = [holdValue(new Map([[1, new Set(['a'])]]), 'm'), holdValue(() => 1, 'f'), unreadValue('an accessor property (not read)', '[Getter]')]
    expect(structuredClone(held)).toEqual(held)
  })
})

describe('sameHeld', () => {
  test('copies compare deeply; descriptions by reason and preview', () => {
    expect(sameHeld(holdValue({ a: [1] }, 'x'), holdValue({ a: [1] }, 'x'))).toBe(true)
    expect(sameHeld(holdValue({ a: [1] }, 'x'), holdValue({ a: [2] }, 'x'))).toBe(false)
    expect(sameHeld(holdValue(function f() {}, 'x'), holdValue(function f() {}, 'x'))).toBe(true)
    expect(sameHeld(holdValue(function f() {}, 'x'), holdValue(function spy() {}, 'x'))).toBe(false)
    expect(sameHeld(holdValue(1, 'x'), holdValue(() => 1, 'x'))).toBe(false)
  })
})

describe('a value too large to copy', () => {
  test('is described, not copied, and the walk stops at the bound (a Buffer after it is never reached)', () => {
    const big = [Array.from({ length: HELD_VALUE_MAX_PARTS }, (_, i) => ({ i })), Buffer.alloc(1)]
    const held = holdValue(big, 'data')
    expect(held.kind).toBe('uncopyable')
    expect(held.kind === 'uncopyable' && held.reason).toBe(`larger than the state report copies (over ${HELD_VALUE_MAX_PARTS} objects and elements)`)
  })

  test('a value under the bound is still copied', () => {
    const held = holdValue(Array.from({ length: 100 }, (_, i) => ({ i })), 'data')
    expect(held.kind).toBe('copy')
  })
})
