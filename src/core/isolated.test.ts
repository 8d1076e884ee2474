import { describe, expect, test } from 'vitest'
import { isolated } from './isolated.js'

describe('isolated() input', () => {
  test.each([
    [() => isolated(-1), /isolated\(ms, method\): the `timeout` option must be a number of milliseconds ≥ 0/],
    [() => isolated(Number.NaN), /`timeout` option must be a number of milliseconds, got NaN/],
    [() => isolated(100, 'forkk' as 'fork'), /`method` option must be 'fork' or 'spawn', got "forkk"/],
    [() => (isolated as (...args: unknown[]) => unknown)({ timeout: 1 }, 'fork'), /pass `method` inside the options object/],
    [() => isolated(100)('nope' as never), /`fn` must be a function, got string/],
  ])('throws a TypeError at definition time: %#', (define, message) => {
    expect(define).toThrow(TypeError)
    expect(define).toThrow(message)
  })

  test('a wrapped function keeps its name and shows the body to Vitest for fixture parsing', () => {
    const body = async ({ db, user: u }: { db: number; user: string }) => db + u
    const wrapped = isolated(100)(body)
    expect(wrapped.name).toBe('body')
    expect(wrapped.toString()).toBe(body.toString())
  })
})
