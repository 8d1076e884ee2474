// The search, over indices of the victim's earlier tests (kept in their run order). Known before it
// starts: the victim passes alone and fails after all of them.
//
// 1. Ranked candidates (from the state report) first: one probe of them all; if the victim fails,
//    the search continues inside them only.
// 2. Binary search, optimistic: when the first half does not reproduce, the second half is assumed to
//    (one culprit, the common case) and not probed; the single survivor is then confirmed.
// 3. If that confirmation fails, several tests are to blame together: the search runs again, probing
//    both halves, and recurses into both when neither reproduces alone (RSpec's bisect does the same).
//    Probes already made are not repeated.
// 4. A cleaner: among the tests between the first polluter and the victim, one whose presence makes
//    the victim pass again.

export type Fails = (subset: readonly number[]) => Promise<boolean>

export interface SearchHooks {
  /** The smallest subset known (probed) to make the victim fail so far. */
  onBest?(subset: readonly number[]): void
}

export interface SearchOutcome {
  /** The polluters, or undefined when no subset smaller than all of them was confirmed. */
  readonly polluters: readonly number[] | undefined
  readonly cleaner: number | undefined
  /** Why the polluters are undefined. */
  readonly reason?: string
}

const union = (...parts: (readonly number[])[]): number[] => [...new Set(parts.flat())].sort((a, b) => a - b)
const keyOf = (s: readonly number[]): string => union(s).join(',')

export class Search {
  private readonly known = new Map<string, boolean>()
  private best: readonly number[]

  constructor(
    private readonly count: number,
    private readonly fails: Fails,
    private readonly hooks: SearchHooks = {},
  ) {
    this.best = union([...Array(count).keys()])
    this.known.set(keyOf(this.best), true)
    this.known.set('', false)
  }

  bestSoFar(): readonly number[] {
    return this.best
  }

  private async probe(subset: readonly number[]): Promise<boolean> {
    const key = keyOf(subset)
    const cached = this.known.get(key)
    if (cached !== undefined) return cached
    const failed = await this.fails(union(subset))
    this.known.set(key, failed)
    if (failed && subset.length < this.best.length) {
      this.best = union(subset)
      this.hooks.onBest?.(this.best)
    }
    return failed
  }

  /** Invariant: fixed ∪ cands makes the victim fail, fixed alone does not (probed, or assumed when optimistic). */
  private async bisect(cands: readonly number[], fixed: readonly number[], optimistic: boolean): Promise<number[]> {
    if (cands.length <= 1) return [...cands]
    const half = Math.ceil(cands.length / 2)
    const a = cands.slice(0, half)
    const b = cands.slice(half)
    if (await this.probe(union(fixed, a))) return this.bisect(a, fixed, optimistic)
    if (optimistic || (await this.probe(union(fixed, b)))) return this.bisect(b, fixed, optimistic)
    // Neither half alone: some of each are needed together.
    const fromA = await this.bisect(a, union(fixed, b), optimistic)
    const fromB = await this.bisect(b, union(fixed, fromA), optimistic)
    return union(fromA, fromB)
  }

  private async confirmed(found: readonly number[]): Promise<boolean> {
    return this.probe(found)
  }

  async polluters(ranked: readonly number[]): Promise<readonly number[] | undefined> {
    const all = union([...Array(this.count).keys()])
    const pool = ranked.length > 0 && ranked.length < all.length && (await this.probe(ranked)) ? union(ranked) : all
    const optimistic = await this.bisect(pool, [], true)
    if (await this.confirmed(optimistic)) return optimistic
    const exact = await this.bisect(pool, [], false)
    // Every earlier test together, and no fewer: no answer a bisection can give (or the failure is flaky).
    if (exact.length === this.count && this.count > 2) return undefined
    return (await this.confirmed(exact)) ? exact : undefined
  }

  /**
   * A test after the first polluter whose presence makes the victim pass again. One probe of them all:
   * if the victim passes, halve. If it fails (another test pollutes again after the cleaner), only the
   * `likely` ones (the state report: they change what the polluters change) are tried, one probe each.
   */
  async cleaner(polluters: readonly number[], likely: readonly number[] = []): Promise<number | undefined> {
    const first = Math.min(...polluters)
    let cands = [...Array(this.count).keys()].filter((i) => i > first && !polluters.includes(i))
    if (cands.length === 0) return undefined
    if (await this.probe(union(polluters, cands))) {
      for (const c of likely.filter((i) => cands.includes(i)).slice(0, 3)) if (!(await this.probe(union(polluters, [c])))) return c
      return undefined
    }
    while (cands.length > 1) {
      const half = Math.ceil(cands.length / 2)
      const a = cands.slice(0, half)
      const b = cands.slice(half)
      if (!(await this.probe(union(polluters, a)))) cands = a
      else if (!(await this.probe(union(polluters, b)))) cands = b
      else return undefined
    }
    const only = cands[0]
    return only !== undefined && !(await this.probe(union(polluters, [only]))) ? only : undefined
  }

  async run(ranked: readonly number[] = [], likelyCleaners: (polluters: readonly number[]) => readonly number[] = () => []): Promise<SearchOutcome> {
    const polluters = await this.polluters(ranked)
    if (!polluters) return { polluters, cleaner: undefined, reason: 'no smaller set of earlier tests made the victim fail again: the failure needs the whole prefix (or more tests together than a bisection can split), or it is flaky' }
    return { polluters, cleaner: await this.cleaner(polluters, likelyCleaners(polluters)) }
  }
}

/** A rough number of probes for the progress line: one per halving, one confirmation, one for the ranked, one for a cleaner. */
export function estimateProbes(count: number, ranked: number): number {
  return Math.max(1, Math.ceil(Math.log2(Math.max(count, 2)))) + 1 + (ranked > 0 && ranked < count ? 1 : 0) + 1
}
