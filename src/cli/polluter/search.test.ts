import { describe, expect, test } from 'vitest'
import { Search } from './search.js'

/** A victim that fails when every test of one of `causes` ran before it, unless `cleaner` ran after them. */
function model(causes: number[][], cleaner?: number) {
  const probes: number[][] = []
  const fails = async (s: readonly number[]): Promise<boolean> => {
    probes.push([...s])
    return causes.some((c) => c.every((i) => s.includes(i)) && !(cleaner !== undefined && s.includes(cleaner) && c.every((i) => i < cleaner)))
  }
  return { fails, probes }
}

describe('Search', () => {
  test.each([1, 2, 3, 7, 11, 64, 199])('finds a single polluter among %i tests in at most ceil(log2 N) + 1 probes', async (n) => {
    for (const culprit of new Set([0, Math.floor(n / 2), n - 1])) {
      const { fails, probes } = model([[culprit]])
      const out = await new Search(n, fails).run()
      expect(out.polluters).toEqual([culprit])
      const search = probes.length - (culprit < n - 1 ? 1 : 0) // the cleaner check
      expect(search).toBeLessThanOrEqual(Math.ceil(Math.log2(Math.max(n, 2))) + 1)
    }
  })

  test('finds two polluters that only pollute together', async () => {
    const { fails } = model([[2, 9]])
    const out = await new Search(12, fails).run()
    expect(out.polluters).toEqual([2, 9])
  })

  test('finds two polluters in the same half', async () => {
    const { fails } = model([[1, 3]])
    expect((await new Search(16, fails).run()).polluters).toEqual([1, 3])
  })

  test('a correct ranking costs one probe', async () => {
    const { fails, probes } = model([[40]])
    const out = await new Search(100, fails).run([40])
    expect(out.polluters).toEqual([40])
    expect(probes.length).toBe(2) // the ranked probe and the cleaner check
  })

  test('a wrong ranking falls back to the bisection', async () => {
    const { fails } = model([[40]])
    expect((await new Search(100, fails).run([3, 7])).polluters).toEqual([40])
  })

  test('reports a cleaner between the polluter and the victim', async () => {
    // 1 pollutes, 4 cleans what 1 did, 6 pollutes again: every prefix still fails.
    const { fails } = model([[1], [6]], 4)
    const out = await new Search(8, fails).run([1], () => [4])
    expect(out.polluters).toEqual([1])
    expect(out.cleaner).toBe(4)
  })

  test('says so when no smaller set reproduces (flaky)', async () => {
    let calls = 0
    const out = await new Search(8, async () => ++calls < 0).run()
    expect(out.polluters).toBeUndefined()
    expect(out.reason).toMatch(/flaky/)
  })

  test('keeps the smallest failing subset as the best answer so far', async () => {
    const { fails } = model([[5]])
    const seen: number[][] = []
    const search = new Search(16, fails, { onBest: (s) => seen.push([...s]) })
    await search.run()
    expect(seen.map((s) => s.length)).toEqual([...seen.map((s) => s.length)].sort((a, b) => b - a))
    expect(search.bestSoFar()).toEqual([5])
  })
})

test('two ranked polluters needed together cost three probes and the cleaner check', async () => {
  const { fails, probes } = model([[1, 4]])
  const out = await new Search(6, fails).run([1, 4])
  expect(out.polluters).toEqual([1, 4])
  expect(probes.length).toBe(4)
})
