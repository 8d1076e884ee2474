// How both sides name and number a test: its describe names then its own, and its place in
// registration order. Describe callbacks run synchronously as they are declared, so a depth-first walk
// of the tree before the run starts (before `--randomize` shuffles it) is the order of `test()` calls.
import type { DescribeBlock, TestEntry } from './circus-types.js'

export function namePath(test: TestEntry): string[] {
  const names = [test.name]
  // The root block has no parent and is not part of the name.
  for (let block = test.parent; block.parent; block = block.parent) names.unshift(block.name)
  return names
}

/** Jest's full test name (what `-t` and `expect.getState().currentTestName` see). */
export function fullName(test: TestEntry): string {
  return namePath(test).join(' ')
}

export function testsInOrder(root: DescribeBlock): TestEntry[] {
  const out: TestEntry[] = []
  const walk = (block: DescribeBlock): void => {
    for (const child of block.children) {
      if (child.type === 'test') out.push(child)
      else walk(child)
    }
  }
  walk(root)
  return out
}

export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i])
}

/** The describe blocks a test sits in, innermost first. */
export function ancestors(test: TestEntry): DescribeBlock[] {
  const out: DescribeBlock[] = []
  for (let block: DescribeBlock | undefined = test.parent; block; block = block.parent) out.push(block)
  return out
}
