// `isolated-test polluter <file> -t "<full name>"`: preconditions (within the file, then across files
// when the file alone does not fail the victim), the state run for the ranking, the search, and the
// answer (text or --json). Exit 0: found; 1: not found (or a flaky victim); 2: usage
// or a precondition; 130: interrupted (the best answer so far is printed).
import { relative, resolve } from 'node:path'
import type { ReportLine } from '../../core/state/report-file.js'
import type { Progress } from '../progress.js'
import { readReportLines } from '../report-lines.js'
import type { ListingRunner } from '../runners/detect.js'
import type { TestRef } from '../runners/types.js'
import { tempFile } from '../runners/temp.js'
import { checkAcross } from './across.js'
import { formatAnswer, view, type Answer } from './output.js'
import { checkPreconditions, FlakyVictimError, Interrupted, type Checked } from './preconditions.js'
import { FreshProber } from './prober.js'
import { ForkServerProber, forkServerBlocker, type ProberName } from './fork-server-prober.js'
import { rank, type Ranking } from './rank.js'
import { estimateProbes, Search } from './search.js'
import type { RankMode } from '../args.js'

/**
 * Up to this many earlier tests, the state run comes first and ranks them (it runs beside a
 * precondition run). Beyond it, isolating every earlier test costs more than the bisection it could
 * save (a 200-test file: ~200 s isolated against ~50 s of probes on the development VM), so the state
 * run comes after the search, with the polluters and the victim only, for the linking state.
 */
export const RANK_UP_TO = 24

export interface PolluterInput {
  readonly runner: ListingRunner
  readonly file: string
  readonly fullName: string
  readonly line: number | undefined
  readonly seed: number | undefined
  readonly json: boolean
  readonly rank: RankMode
  /** --fresh-probes: no fork server, a fresh runner process per probe. */
  readonly freshProbes: boolean
  readonly progress: Progress
  readonly signal: AbortSignal
  readonly write: (text: string) => void
}

export async function polluter(input: PolluterInput): Promise<number> {
  const { runner, progress, signal } = input
  const root = runner.root
  const file = resolve(root, input.file)
  let stateLines: ReportLine[] = []
  let stateRuns = 0
  const stateProcessModels = new Set<'fresh' | 'fork-server'>()
  let checked: Checked | undefined
  let search: Search | undefined
  let probes = 0
  let proberName: ProberName = 'fresh'
  /** Across files: the files that ran before the victim's, in the pinned order. */
  let acrossFiles: string[] | null = null

  const answer = (status: Answer['status'], tests: readonly number[], extra: Partial<Answer>, ranking?: Ranking): Answer => {
    const c = checked!
    const chosen = tests.map((i) => c.earlier[i]!)
    return {
      status,
      runner: { name: runner.name, version: runner.version },
      victim: view(c.victim, root),
      candidates: c.earlier.length,
      polluters: tests.map((i) => ({ ...view(c.earlier[i]!, root), state: ranking ? (ranking.changes[i] ?? []) : null })),
      cleaner: null,
      reason: null,
      probes,
      preconditionRuns: c.runs,
      stateRuns,
      stateProcessModels: [...stateProcessModels],
      prober: proberName,
      acrossFiles,
      ms: progress.elapsed(),
      repro: chosen.length ? runner.repro([...chosen, c.victim]) : null,
      ...extra,
    }
  }
  /** The state run: these tests, each in its own child, the JSON Lines report to a file (across files: in the pinned order). */
  const stateRun = async (tests: readonly TestRef[]): Promise<ReportLine[]> => {
    const report = tempFile('state.jsonl')
    await runner.run({ files: [...new Set(tests.map((t) => t.file))], tests, isolated: true, report, inBand: true, signal })
    stateRuns++
    const lines = readReportLines(report)
    for (const line of lines) if (line.processModel) stateProcessModels.add(line.processModel)
    return lines
  }
  const print = (a: Answer): void => input.write(input.json ? `${JSON.stringify(a)}\n` : formatAnswer(a))

  let blocker = input.freshProbes ? '--fresh-probes' : forkServerBlocker(runner)
  let prober: ForkServerProber | FreshProber = blocker === undefined ? new ForkServerProber(runner, file, signal, (why) => progress.line(why)) : new FreshProber(runner)
  // The probe server boots beside the precondition runs (closed below on every path).
  if (prober instanceof ForkServerProber) prober.warm()
  try {
    checked = await checkPreconditions({
      runner,
      file,
      fullName: input.fullName,
      line: input.line,
      shuffled: input.seed !== undefined,
      progress,
      signal,
      alongside: async (victim, earlier) => {
        if (input.rank === 'always' || (input.rank === 'auto' && earlier.length <= RANK_UP_TO)) stateLines = await stateRun([...earlier, victim])
      },
    })
    if (checked.inFile === 'passes') {
      // Across files: the fork server serves only the victim's file; every probe is a fresh run, in the pinned file order.
      if (prober instanceof ForkServerProber) await prober.close()
      const across = await checkAcross({ runner, checked, progress, signal })
      checked = { ...checked, earlier: across.candidates, runs: checked.runs + 2 }
      runner.setListing(across.listing)
      acrossFiles = across.order.slice(0, Math.max(0, across.order.indexOf(checked.victim.file))).map((f) => relative(root, f))
      prober = new FreshProber(runner)
      blocker = `the candidates span ${across.files} file${across.files === 1 ? '' : 's'}`
      progress.line(`across files: the victim fails after the ${acrossFiles.length} file${acrossFiles.length === 1 ? '' : 's'} run before its own in one worker: ${across.candidates.length} candidate tests`)
    }
    const c = checked
    // The state run of the preconditions covered the victim's file only: across files, the linking state comes after the search.
    const ranking = stateRuns > 0 && acrossFiles === null ? rank(c.earlier, c.victim, c.listing, stateLines, root) : undefined
    const ranked = ranking?.ranked ?? []
    if (ranking) progress.line(`state report: ${ranked.length} of ${c.earlier.length} earlier tests changed something the victim reads${ranked.length ? ` (${ranked.map((i) => JSON.stringify(c.earlier[i]!.fullName)).join(', ')})` : ''}`)
    let about = estimateProbes(c.earlier.length, ranked.length)
    proberName = prober instanceof ForkServerProber ? 'fork-server' : 'fresh'
    progress.line(prober instanceof ForkServerProber ? "probes: forks of the file's zygote, served by one run of the file" : `probes: a fresh ${runner.name} run each (${blocker})`)
    search = new Search(c.earlier.length, async (subset) => {
      probes++
      if (probes > about) about = probes + 1
      progress.line(`probe ${probes} of about ${about}: ${subset.length} of ${c.earlier.length} earlier tests, then the victim`)
      const outcome = await prober.probe(
        subset.map((i) => c.earlier[i]!),
        c.victim,
        signal,
      )
      if (signal.aborted) throw new Interrupted()
      progress.line(`probe ${probes}: the victim ${outcome.victim === 'fail' ? 'failed' : 'passed'} (${outcome.ms < 1000 ? `${outcome.ms} ms` : `${(outcome.ms / 1000).toFixed(1)} s`})`)
      return outcome.victim === 'fail'
    })
    let outcome: Awaited<ReturnType<Search['run']>>
    try {
      outcome = await search.run(ranked, (p) => ranking?.likelyCleaners(p) ?? [])
    } finally {
      // The probe server's run ends before anything else runs (and on Ctrl-C, with its zygote).
      if (prober instanceof ForkServerProber) {
        await prober.close()
        proberName = prober.name
      }
    }
    if (!outcome.polluters) {
      print(answer('not-found', search.bestSoFar(), { reason: outcome.reason ?? null }))
      return 1
    }
    const cleaner = outcome.cleaner === undefined ? null : view(c.earlier[outcome.cleaner]!, root)
    let linking = ranking
    if (!linking && input.rank !== 'never') {
      progress.line(`state report: the polluter${outcome.polluters.length === 1 ? '' : 's'} and the victim, each isolated`)
      linking = rank(c.earlier, c.victim, c.listing, await stateRun([...outcome.polluters.map((i) => c.earlier[i]!), c.victim]), root)
    }
    print(answer('found', outcome.polluters, { cleaner }, linking))
    return 0
  } catch (error) {
    if (error instanceof FlakyVictimError) {
      input.write(input.json ? `${JSON.stringify({ status: 'not-found', reason: error.message, probes: 0, ms: progress.elapsed() })}\n` : `isolated-test polluter: no search: ${error.message}\n`)
      return 1
    }
    if (!(error instanceof Interrupted) && !signal.aborted) throw error
    if (!checked || (checked.inFile === 'passes' && acrossFiles === null)) {
      input.write(input.json ? `${JSON.stringify({ status: 'interrupted', reason: 'interrupted while checking the preconditions: no answer yet', probes: 0 })}\n` : 'isolated-test polluter: interrupted while checking the preconditions: no answer yet.\n')
      return 130
    }
    print(answer('interrupted', search?.bestSoFar() ?? [...checked.earlier.keys()], { reason: 'interrupted (Ctrl-C)' }))
    return 130
  } finally {
    // A precondition that failed (or Ctrl-C before the search): the probe server's run ends too.
    if (prober instanceof ForkServerProber) await prober.close()
  }
}

