import { describe, expect, test } from 'vitest'
import { destructuredNames } from './wrapped-call.js'

describe('destructuredNames', () => {
  test.each([
    [({ a, b }: Record<string, unknown>) => [a, b], ['a', 'b']],
    [async function ({ db, user: u = 1 }: Record<string, unknown>) { return [db, u] }, ['db', 'user']],
    [({ nested: { x }, ...rest }: { nested: { x: number } } & Record<string, unknown>) => [x, rest], ['nested', 'rest']],
    [({ a }: Record<string, unknown> = {}) => a, ['a']],
    [() => 1, []],
    [(ctx: unknown) => ctx, []],
  ])('%s', (fn, names) => {
    expect(destructuredNames(fn)).toEqual(names)
  })

  // test.for passes the row first and the context second.
  test.each([
    [([a, b]: number[], { task, db }: Record<string, unknown>) => [a, b, task, db], 1, ['task', 'db']],
    [({ a }: Record<string, unknown>, { db }: Record<string, unknown>) => [a, db], 1, ['db']],
    [({ a }: Record<string, unknown>, { db }: Record<string, unknown>) => [a, db], 0, ['a']],
    [(row: unknown, ctx: unknown) => [row, ctx], 1, []],
    [([a]: number[]) => a, 1, []],
  ])('%s, parameter %i', (fn, index, names) => {
    expect(destructuredNames(fn, index)).toEqual(names)
  })

  test('a one-parameter arrow without parentheses destructures nothing, whatever its body calls', () => {
    const fn = { toString: () => 'ctx => use({ db: ctx.db })' }
    expect(destructuredNames(fn)).toEqual([])
  })
})
