// The order of test files in a run across files (polluter, issue 14). Both runners order files
// themselves: Vitest's BaseSequencer puts files that failed last time first, then the slowest (its
// results cache), else the largest; Jest's TestSequencer does the same from its perf cache. Both
// caches change with every run, so a search across files observes the order once (a sequencer of ours
// around the runner's records it) and pins it for every later run (the same sequencer orders by a list).

/** A JSON array of absolute (or root-relative) test file paths: the order to run them in. */
export const FILE_ORDER_ENV = 'ISOLATED_TEST_FILE_ORDER'
/** A path: the sequencer writes the order it chose there (a JSON array of absolute paths). */
export const FILE_ORDER_OUT_ENV = 'ISOLATED_TEST_FILE_ORDER_OUT'
/** Jest: the sequencer ours wraps (the project's `testSequencer`, from --showConfig). */
export const BASE_SEQUENCER_ENV = 'ISOLATED_TEST_BASE_SEQUENCER'

/**
 * `items` ordered by `order`: the listed ones first, in the list's order, then the rest in their own
 * (the runner's) order. Stable; an item whose path repeats (a file in two projects) keeps its place
 * among its kind.
 */
export function orderByList<T>(items: readonly T[], pathOf: (item: T) => string, order: readonly string[]): T[] {
  const rank = new Map<string, number>()
  order.forEach((p, i) => {
    if (!rank.has(p)) rank.set(p, i)
  })
  const at = (item: T, i: number): number => rank.get(pathOf(item)) ?? order.length + i
  return items
    .map((item, i) => ({ item, key: at(item, i), i }))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map(({ item }) => item)
}

/** The list in an env var (a JSON array of strings), or undefined when unset or not such an array. */
export function parseOrder(text: string | undefined): string[] | undefined {
  if (!text) return undefined
  try {
    const parsed: unknown = JSON.parse(text)
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined
  } catch {
    return undefined
  }
}
