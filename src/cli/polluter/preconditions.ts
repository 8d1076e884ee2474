// Before any search: the file's tests (the listing), and the three preconditions, each confirmed twice:
// the victim passes alone; it fails after the earlier tests; the two runs agree (a stable order).
// When it passes twice after its file's earlier tests, the check goes on across files (across.ts).
import { IsolatedPreconditionError } from '../errors.js'
import type { Progress } from '../progress.js'
import type { ListingRunner, RunResult, Runner, TestRef } from '../runners/types.js'
import { findVerdict, locateVictim } from './victim.js'

export class Interrupted extends Error {
  constructor() {
    super('interrupted')
  }
}

export interface Checked {
  readonly listing: readonly TestRef[]
  readonly victim: TestRef
  /** The victim's earlier tests, in their run order. */
  readonly earlier: readonly TestRef[]
  readonly runs: number
  /** 'passes': the victim passed twice after its file's earlier tests (or none runs before it): look across files. */
  readonly inFile: 'fails' | 'passes'
}

/** A flaky victim: exit 1 (not a usage problem, but no search can help). */
export class FlakyVictimError extends Error {
  readonly exitCode = 1
}

export interface CheckInput {
  readonly runner: Runner & Pick<ListingRunner, 'setListing'>
  readonly file: string
  readonly fullName: string
  readonly line: number | undefined
  readonly shuffled: boolean
  readonly progress: Progress
  readonly signal: AbortSignal
  /** Run alongside the second victim-alone run (the state run), to use the second core. */
  readonly alongside?: (victim: TestRef, earlier: readonly TestRef[]) => Promise<void>
}

function verdict(result: RunResult, test: TestRef, what: string): 'pass' | 'fail' {
  const found = findVerdict(result, test)
  if (!found || found.verdict === 'skip') {
    const why = result.fileErrors[0]?.message
    throw new IsolatedPreconditionError('runs', `${what}: the runner did not run "${test.fullName}"${why ? `: ${why}` : ''}.`)
  }
  return found.verdict
}

export async function checkPreconditions(input: CheckInput): Promise<Checked> {
  const { runner, file, progress, signal } = input
  const guard = <T>(p: Promise<T>): Promise<T> =>
    p.then((v) => {
      if (signal.aborted) throw new Interrupted()
      return v
    })
  // The victim as named on the command line; its line (when the name repeats) comes with the listing.
  const named: TestRef = { file, fullName: input.fullName, line: input.line }
  const alone = (): Promise<RunResult> => runner.run({ files: [file], tests: [named], isolated: false, inBand: true, signal })

  // Round 1, two runs side by side: the whole file (the listing, and the victim after its earlier tests) and the victim alone.
  progress.line(`checking the preconditions (1 of 2): the whole file in its order, and the victim alone; isolation off`)
  const [whole, alone1] = await guard(Promise.all([runner.run({ files: [file], isolated: false, inBand: true, signal }), alone()]))
  const listing = whole.results.filter((r) => r.file === file).map((r): TestRef => ({ file: r.file, fullName: r.fullName, line: r.line }))
  if (listing.length === 0) {
    const why = whole.fileErrors[0]?.message
    throw new IsolatedPreconditionError('runs', `The runner found no tests in ${file}${why ? `: ${why}` : ''}. Check the path (relative to the project's root) and that the runner's config includes it.`)
  }
  runner.setListing(listing)
  const { victim, index } = locateVictim(listing, file, input.fullName, input.line, runner.root)
  const earlier = input.shuffled ? listing.filter((_, i) => i !== index) : listing.slice(0, index)
  const inSuite1 = verdict(whole, victim, 'The whole-file run')
  const a1 = verdict(alone1, victim, 'The victim alone')

  // Round 2: the victim alone again, the victim after exactly its earlier tests, and (optionally) the state run.
  // No earlier test in its file: only other files (across.ts) can pollute it.
  const inFile = a1 === 'pass' && earlier.length > 0
  progress.line(`checking the preconditions (2 of 2): the victim alone again${inFile ? `, and after its ${earlier.length} earlier tests` : ''}`)
  const [alone2, after] = await guard(
    Promise.all([alone(), inFile ? runner.run({ files: [file], tests: [...earlier, victim], isolated: false, inBand: true, signal }) : undefined, inFile ? input.alongside?.(victim, earlier) : undefined]),
  )
  const a2 = verdict(alone2, victim, 'The victim alone')
  if (a1 === 'fail' && a2 === 'fail') {
    throw new IsolatedPreconditionError(
      'passes alone',
      `Precondition "the victim passes alone" does not hold: "${victim.fullName}" failed twice when run alone, so no earlier test is to blame. Fix it alone first:\n  ${runner.repro([victim]).command}\nIts failure: ${(findVerdict(alone1, victim)?.failure ?? '').split('\n')[0]}`,
    )
  }
  if (a1 !== a2) throw new FlakyVictimError(`The victim is flaky: run alone, it passed once and failed once. A search needs a test whose verdict depends only on what ran before it; make it deterministic first.`)
  if (!after) return { listing, victim, earlier, runs: 3, inFile: 'passes' }
  const inSuite2 = verdict(after, victim, 'The victim after its earlier tests')
  if (inSuite1 === 'pass' && inSuite2 === 'pass') return { listing, victim, earlier, runs: 4, inFile: 'passes' }
  if (inSuite1 !== inSuite2) {
    throw new FlakyVictimError(
      `The order is not stable, or the victim is flaky: after its earlier tests it failed once and passed once.${input.shuffled ? '' : ' If the project shuffles tests, pass --seed with the seed of the failing run.'}`,
    )
  }
  return { listing, victim, earlier, runs: 4, inFile: 'fails' }
}
