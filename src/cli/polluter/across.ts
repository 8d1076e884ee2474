// The victim passed twice after its own file's earlier tests: the check goes on across files (issue 14,
// items 2-3). The suite selection (the files the runner picks with the user's extra args) runs in ONE
// worker in the runner's own file order (Vitest --no-isolate --no-file-parallelism, Jest --runInBand),
// which a sequencer of ours records; that order is then pinned for every later run (the second check,
// the probes, the state run). If the victim fails both times, the candidates are the tests of the files
// that ran before its file, in that order, then its file's earlier tests.
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { IsolatedPreconditionError, IsolatedRunnerError } from '../errors.js'
import type { Progress } from '../progress.js'
import type { ListingRunner } from '../runners/detect.js'
import { tempFile } from '../runners/temp.js'
import type { RunResult, TestRef, TestResult } from '../runners/types.js'
import { FlakyVictimError, Interrupted, type Checked } from './preconditions.js'
import { findVerdict } from './victim.js'

export interface Across {
  /** Every file of the run, in its (pinned) run order. */
  readonly order: readonly string[]
  /** The tests of the files before the victim's, in run order, then the victim file's earlier tests. */
  readonly candidates: readonly TestRef[]
  /** How many files the candidates come from (the victim's included when it has earlier tests). */
  readonly files: number
  /** Every test of the run (for the runners' name filters: full names that repeat across files). */
  readonly listing: readonly TestRef[]
}

/**
 * The candidates across files: each file before the victim's in `order`, its tests in the reporter's
 * order (a file's tests in definition order), the skipped ones left out; then the in-file earlier tests.
 */
export function acrossCandidates(order: readonly string[], results: readonly TestResult[], victimFile: string, inFileEarlier: readonly TestRef[]): TestRef[] {
  const at = order.indexOf(victimFile)
  const before = at < 0 ? [] : order.slice(0, at)
  const ran = (f: string): TestRef[] => results.filter((r) => r.file === f && r.verdict !== 'skip').map((r) => ({ file: r.file, fullName: r.fullName, line: r.line }))
  return [...before.flatMap(ran), ...inFileEarlier]
}

/** The recorded order: a JSON array of absolute paths, written by our sequencer. */
function readOrder(path: string, runner: string): string[] {
  try {
    const order: unknown = JSON.parse(readFileSync(path, 'utf8'))
    if (Array.isArray(order) && order.every((p) => typeof p === 'string')) return order
  } catch {
    // not written: below
  }
  throw new IsolatedRunnerError(`The ${runner} run across files did not record its file order (our sequencer was not used: does the project's config or the extra args set its own?).`)
}

export interface AcrossInput {
  readonly runner: ListingRunner
  readonly checked: Checked
  readonly progress: Progress
  readonly signal: AbortSignal
}

export async function checkAcross(input: AcrossInput): Promise<Across> {
  const { runner, checked, progress, signal } = input
  const { victim } = checked
  const root = runner.root
  const flags = runner.name === 'vitest' ? '--no-isolate --no-file-parallelism --sequence.shuffle=false' : '--runInBand'
  const suite = async (n: 1 | 2, record?: string): Promise<RunResult> => {
    progress.line(
      n === 1
        ? `checking across files (1 of 2): the victim passed after its file's earlier tests; the suite in one worker (${flags}), files in the runner's order (recorded)`
        : `checking across files (2 of 2): the suite again, files in the recorded order (pinned from now on)`,
    )
    const result = await runner.run({ files: [], isolated: false, inBand: true, recordOrder: record, signal })
    if (signal.aborted) throw new Interrupted()
    return result
  }
  const verdictIn = (result: RunResult): 'pass' | 'fail' => {
    const found = findVerdict(result, victim)
    if (!found || found.verdict === 'skip') {
      const why = result.fileErrors[0]?.message
      throw new IsolatedPreconditionError('runs', `The run across files did not run "${victim.fullName}": the suite selection (the runner's config and the extra args) does not include ${relative(root, victim.file)}${why ? `, or: ${why}` : ''}.`)
    }
    return found.verdict
  }

  const record = tempFile('file-order.json')
  const first = await suite(1, record)
  const order = readOrder(record, runner.name)
  runner.pinFileOrder(order)
  const v1 = verdictIn(first)
  const second = await suite(2)
  const v2 = verdictIn(second)
  const others = order.indexOf(victim.file)
  const inFile = checked.earlier.length ? `after the ${checked.earlier.length} tests before it in ${relative(root, victim.file)}, and twice ` : ''
  const before = Math.max(others, 0)
  if (v1 === 'pass' && v2 === 'pass') {
    throw new IsolatedPreconditionError(
      'fails after the earlier tests',
      `Precondition "the victim fails after the earlier tests" does not hold: "${victim.fullName}" passed twice ${inFile}after the ${before} file${before === 1 ? '' : 's'} that run${before === 1 ? 's' : ''} before its file in one worker (${flags}). If it fails only in the suite, the failing run differs (another order, --seed, parallel workers, other extra args): check with \`isolated-test compare\`.`,
    )
  }
  if (v1 !== v2) throw new FlakyVictimError(`The order is not stable, or the victim is flaky: in the suite, files in one fixed order, it failed once and passed once.`)
  const candidates = acrossCandidates(order, first.results, victim.file, checked.earlier)
  if (!candidates.some((c) => c.file !== victim.file)) {
    throw new FlakyVictimError(
      `"${victim.fullName}" fails in the suite but passes ${checked.earlier.length ? 'after its earlier tests' : 'alone'}, and no other file runs before its file: no earlier test is to blame (a later file's top-level code, a setup file, or the worker's reuse may be).`,
    )
  }
  const listing = first.results.map((r): TestRef => ({ file: r.file, fullName: r.fullName, line: r.line }))
  return { order, candidates, files: new Set(candidates.map((c) => c.file)).size, listing }
}
