// A slot number for each live child of this process (ISOLATED_TEST_CHILD_ID): concurrent children of
// one worker share its VITEST_POOL_ID / JEST_WORKER_ID, so tests that partition databases or ports by
// worker need a second key. The smallest free number from 1, reused once its child is done.
const taken = new Set<number>()

export function takeChildId(): { readonly id: number; readonly release: () => void } {
  let id = 1
  while (taken.has(id)) id++
  taken.add(id)
  return { id, release: () => taken.delete(id) }
}
