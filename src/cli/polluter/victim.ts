// Finding the victim (and the tests before it) in a runner's results.
import { relative } from 'node:path'
import { IsolatedUsageError } from '../errors.js'
import type { RunResult, TestRef, TestResult } from '../runners/types.js'

export function findVerdict(result: RunResult, test: TestRef): TestResult | undefined {
  const same = result.results.filter((r) => r.file === test.file && r.fullName === test.fullName)
  if (same.length <= 1 || test.line === undefined) return same.find((r) => r.verdict !== 'skip') ?? same[0]
  return same.find((r) => r.line === test.line)
}

/** The victim in a file's listing, by full name (and line, when given or when the name repeats). */
export function locateVictim(listing: readonly TestRef[], file: string, fullName: string, line: number | undefined, root: string): { victim: TestRef; index: number } {
  const named = listing.map((t, index) => ({ t, index })).filter(({ t }) => t.fullName === fullName && (line === undefined || t.line === line))
  const shown = relative(root, file)
  if (named.length === 1) return { victim: named[0]!.t, index: named[0]!.index }
  if (named.length > 1) {
    throw new IsolatedUsageError(
      `-t "${fullName}": ${named.length} tests of ${shown} have this full name (lines ${named.map(({ t }) => t.line ?? '?').join(', ')}); name one by its line: ${shown}:${named[0]!.t.line ?? 'LINE'}.`,
    )
  }
  const near = listing
    .filter((t) => t.fullName.toLowerCase().includes(fullName.toLowerCase()) || fullName.toLowerCase().includes(t.fullName.toLowerCase()))
    .slice(0, 5)
    .map((t) => `  ${JSON.stringify(t.fullName)}${t.line ? ` (line ${t.line})` : ''}`)
  const where = line === undefined ? '' : ` at line ${line}`
  throw new IsolatedUsageError(
    `-t "${fullName}": no test of ${shown}${where} has this full name (${listing.length} tests; the full name is the describe blocks' names and the test's, joined by spaces, as the runner's JSON reporter prints it).${near.length ? `\nSimilar names:\n${near.join('\n')}` : ''}`,
  )
}
