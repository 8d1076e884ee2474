import { describe, expect, test } from 'vitest'
import { foldIstanbul, mergeIstanbul } from './coverage-merge.js'

const file = (s: number[], f: number[], b: number[][], hash = 'h1') => ({
  hash,
  statementMap: { 0: {}, 1: {} },
  s: Object.fromEntries(s.map((n, i) => [String(i), n])),
  f: Object.fromEntries(f.map((n, i) => [String(i), n])),
  b: Object.fromEntries(b.map((n, i) => [String(i), n])),
})

describe('istanbul counters', () => {
  test('merge adds hit counts per statement, function and branch arm, and leaves both inputs as they were', () => {
    const parent = { '/a.ts': file([1, 0], [1, 0], [[1, 0]]) }
    const child = { '/a.ts': file([0, 2], [0, 1], [[0, 3]]) }
    const merged = mergeIstanbul(parent, child)
    expect(merged['/a.ts']).toMatchObject({ s: { 0: 1, 1: 2 }, f: { 0: 1, 1: 1 }, b: { 0: [1, 3] }, statementMap: parent['/a.ts'].statementMap })
    expect(parent['/a.ts'].s).toEqual({ 0: 1, 1: 0 })
    expect(child['/a.ts'].s).toEqual({ 0: 0, 1: 2 })
  })

  test('a file only the child ran comes in whole; a file instrumented differently (another hash) is not mixed in', () => {
    const merged = mergeIstanbul({ '/a.ts': file([1], [1], []) }, { '/b.ts': file([4], [2], []), '/a.ts': file([5], [5], [], 'other') })
    expect(merged['/b.ts']!.s).toEqual({ 0: 4 })
    expect(merged['/a.ts']!.s).toEqual({ 0: 1 })
  })

  test('fold adds into the live map in place (the objects instrumented code writes to stay the same)', () => {
    const live = { '/a.ts': file([1, 0], [1, 0], [[1, 0]]) }
    const counters = live['/a.ts'].s
    foldIstanbul(live, { '/a.ts': file([0, 2], [0, 1], [[0, 3]]), '/b.ts': file([1], [1], []) })
    expect(live['/a.ts'].s).toBe(counters)
    expect(live['/a.ts']).toMatchObject({ s: { 0: 1, 1: 2 }, f: { 0: 1, 1: 1 }, b: { 0: [1, 3] } })
    expect((live as Record<string, unknown>)['/b.ts']).toBeDefined()
  })
})
