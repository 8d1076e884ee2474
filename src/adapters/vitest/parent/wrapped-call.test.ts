import { describe, expect, test } from 'vitest'
import { destructuredNames } from './wrapped-call.js'

describe('destructuredNames', () => {
  test.each([
    [({ a, b }: Record<string, unknown>) => [a, b], ['a', 'b']],
    [async function ({ db, user: u = 1 }: Record<string, unknown>) { return [db, u] }, ['db', 'user']],
    [({ nested: { x }, ...rest }: { nested: { x: number } } & Record<string, unknown>) => [x, rest], ['nested', 'rest']],
    [() => 1, []],
    [(ctx: unknown) => ctx, []],
  ])('%s', (fn, names) => {
    expect(destructuredNames(fn)).toEqual(names)
  })
})
