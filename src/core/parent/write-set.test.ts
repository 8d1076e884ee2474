import { expect, test } from 'vitest'
import { intersect, toRuns, withinMappingsOf, writtenPages } from './write-set.js'

test('runs of consecutive pages, as addresses', () => {
  expect(toRuns([1, 2, 3, 7, 9, 10])).toEqual([
    { start: 4096n, pages: 3 },
    { start: 7n * 4096n, pages: 1 },
    { start: 9n * 4096n, pages: 2 },
  ])
  expect(toRuns([])).toEqual([])
})

test('the pages both children wrote', () => {
  expect(intersect([1, 3, 5, 8], [2, 3, 4, 5, 9])).toEqual([3, 5])
  expect(intersect([], [1])).toEqual([])
})

test.runIf(process.platform === 'linux' && process.arch === 'x64')('a process\'s written pages grow by what it writes, and lie in its own writable mappings', () => {
  const before = writtenPages(process.pid)!
  expect(before.length).toBeGreaterThan(0)
  expect([...before].sort((a, b) => a - b)).toEqual(before)
  // 16 MiB written: at least that many more pages are present and ours alone.
  const kept = Buffer.alloc(16 << 20, 1)
  const after = writtenPages(process.pid)!
  expect(after.length - before.length).toBeGreaterThan((16 << 20) / 4096 - 64)
  expect(withinMappingsOf(process.pid, after)).toEqual(after)
  // A page number in no mapping of ours is left out.
  expect(withinMappingsOf(process.pid, [1])).toEqual([])
  expect(kept[0]).toBe(1)
})

test('a process that is gone has no written pages', () => {
  expect(writtenPages(2 ** 22 + 12345)).toBeUndefined()
})
