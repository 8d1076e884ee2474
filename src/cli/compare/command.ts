// `isolated-test compare [runner args]`: the suite once with isolation off and once with every test
// isolated (the plugin / the Jest environment added to the project's config), the differing tests'
// files rerun both ways, and each test that differs both times listed with the state report lines
// that explain it. Exit 0: no difference; 1: order-dependent tests found.
import { relative } from 'node:path'
import type { ReportLine } from '../../core/state/report-file.js'
import { changesOf, identifiers, toChange, victimSource, type LinkedChange } from '../polluter/rank.js'
import { Interrupted } from '../polluter/preconditions.js'
import type { Progress } from '../progress.js'
import { lineFor, readReportLines } from '../report-lines.js'
import type { ListingRunner } from '../runners/detect.js'
import { shellQuote } from '../runners/names.js'
import { tempFile } from '../runners/temp.js'
import type { RunResult, TestRef, TestResult } from '../runners/types.js'
import { confirmedAgain, differing, type Differing } from './diff.js'

export interface CompareInput {
  readonly runner: ListingRunner
  readonly json: boolean
  readonly progress: Progress
  readonly signal: AbortSignal
  readonly write: (text: string) => void
}

interface TestView {
  readonly file: string
  readonly fullName: string
  readonly line: number | null
}

interface Listed extends TestView {
  /** 'after-others': fails in-process, passes isolated (an earlier test pollutes it). 'needs-others': passes in-process only. */
  readonly kind: 'after-others' | 'needs-others'
  readonly inProcess: 'pass' | 'fail'
  readonly isolated: 'pass' | 'fail'
  readonly failure: string | null
  /** Earlier tests of its file whose changes (state report) it reads. */
  readonly suspects: readonly (TestView & { readonly state: readonly LinkedChange[] })[]
  /** Its own report: what the parent had that its child lacked. */
  readonly parentToChild: readonly LinkedChange[]
  readonly next: string
}

const firstLine = (s: string | undefined): string | null => (s ? (s.split('\n').find((l) => l.trim()) ?? '').trim() : null)

function explain(d: Differing, all: RunResult, lines: readonly ReportLine[], root: string): Listed {
  const t = d.inProcess
  const view = (r: TestRef): TestView => ({ file: relative(root, r.file), fullName: r.fullName, line: r.line ?? null })
  const listing = all.results.filter((r) => r.file === t.file)
  const index = listing.findIndex((r) => r.fullName === t.fullName && r.line === t.line)
  const read = identifiers(victimSource(t, listing))
  const suspects = listing
    .slice(0, Math.max(index, 0))
    .map((e) => ({ ...view(e), state: changesOf(lineFor(lines, e, root), read, root).filter((c) => c.readByVictim) }))
    .filter((s) => s.state.length > 0)
  const own = lineFor(lines, t, root)
  const parentToChild = (own?.report?.parentToChild ?? []).map((e) => toChange(e, read, root))
  const kind = t.verdict === 'fail' ? 'after-others' : 'needs-others'
  const file = relative(root, t.file)
  const next =
    kind === 'after-others'
      ? `npx isolated-test polluter ${shellQuote(t.line ? `${file}:${t.line}` : file)} -t ${shellQuote(t.fullName)}`
      : 'it relies on state an earlier test (or hook) sets: give it its own set-up'
  return { ...view(t), kind, inProcess: t.verdict as 'pass' | 'fail', isolated: d.isolated.verdict as 'pass' | 'fail', failure: firstLine(kind === 'after-others' ? t.failure : d.isolated.failure), suspects, parentToChild, next }
}

function count(r: RunResult): string {
  const pass = r.results.filter((x) => x.verdict === 'pass').length
  const fail = r.results.filter((x) => x.verdict === 'fail').length
  return `${pass} passed, ${fail} failed (${(r.ms / 1000).toFixed(1)} s)`
}

function format(listed: readonly Listed[], flaky: readonly TestResult[], runs: { inProcess: RunResult; isolated: RunResult }): string {
  const out = [`isolated-test compare: in-process ${count(runs.inProcess)}; isolated ${count(runs.isolated)}.`]
  if (listed.length === 0) out.push('No test changes its verdict when isolated.')
  else out.push(`${listed.length} test${listed.length === 1 ? '' : 's'} changed verdict both times (rerun):`)
  for (const l of listed) {
    out.push(`  ${l.file}${l.line ? `:${l.line}` : ''}  ${l.fullName}`)
    out.push(l.kind === 'after-others' ? '    fails in-process, passes isolated: an earlier test changes what it reads' : '    passes in-process, fails isolated: it needs what an earlier test (or hook) left behind')
    if (l.failure) out.push(`    ${l.kind === 'after-others' ? 'in-process' : 'isolated'} failure: ${l.failure}`)
    for (const s of l.suspects) {
      out.push(`    changed by ${s.file}${s.line ? `:${s.line}` : ''}  ${s.fullName}:`)
      for (const c of s.state) out.push(`      ${c.name} (${c.where}${c.file ? ` of ${c.file}` : ''}): ${c.before ?? 'unset'} → ${c.after ?? 'unset'}`)
    }
    if (l.kind === 'after-others' && l.suspects.length === 0) out.push('    the state report names no earlier change it reads (state inside an imported module, a file, ...)')
    for (const c of l.kind === 'needs-others' ? l.parentToChild : []) out.push(`    parent → child: ${c.name} (${c.where}): parent ${c.before ?? 'unset'}, child ${c.after ?? 'unset'}`)
    out.push(`    next: ${l.next}`)
  }
  if (flaky.length) out.push(`Not listed, their verdicts changed in the first runs but not in the rerun (flaky): ${flaky.map((f) => JSON.stringify(f.fullName)).join(', ')}`)
  return `${out.join('\n')}\n`
}

export async function compare(input: CompareInput): Promise<number> {
  try {
    return await compareRuns(input)
  } catch (error) {
    if (!(error instanceof Interrupted) && !input.signal.aborted) throw error
    input.write(input.json ? `${JSON.stringify({ status: 'interrupted' })}\n` : 'isolated-test compare: interrupted; no list (it needs both runs).\n')
    return 130
  }
}

async function compareRuns(input: CompareInput): Promise<number> {
  const { runner, progress, signal } = input
  const root = runner.root
  /** In-process, the files' tests run as in the suite; isolated, a test does not depend on the others, so `only` those are rerun. */
  const both = async (files: readonly string[], label: string, only?: readonly TestRef[]): Promise<{ inProcess: RunResult; isolated: RunResult; lines: ReportLine[] }> => {
    progress.line(`${label}: isolation off`)
    const inProcess = await runner.run({ files, isolated: false, inBand: false, signal })
    guard()
    progress.line(`${label}: ${only ? `the ${only.length} differing tests` : 'every test'} isolated`)
    const report = tempFile('compare.jsonl')
    const isolated = await runner.run({ files, tests: only, isolated: true, report, inBand: false, signal })
    guard()
    return { inProcess, isolated, lines: readReportLines(report) }
  }
  const guard = (): void => {
    if (signal.aborted) throw new Interrupted()
  }
  const first = await both([], 'the suite')
  const diffs = differing(first.inProcess, first.isolated)
  let confirmed: Differing[] = []
  let flaky: Differing[] = []
  if (diffs.length) {
    const files = [...new Set(diffs.map((d) => d.inProcess.file))]
    const again = await both(files, `rerunning ${files.length} file${files.length === 1 ? '' : 's'} with differing tests`, diffs.map((d) => d.inProcess))
    ;({ confirmed, flaky } = confirmedAgain(diffs, differing(again.inProcess, again.isolated)))
  }
  const listed = confirmed.map((d) => explain(d, first.inProcess, first.lines, root))
  const runs = { inProcess: first.inProcess, isolated: first.isolated }
  if (input.json) {
    const summary = (r: RunResult) => ({ passed: r.results.filter((x) => x.verdict === 'pass').length, failed: r.results.filter((x) => x.verdict === 'fail').length, ms: r.ms })
    input.write(`${JSON.stringify({ status: listed.length ? 'differences' : 'none', runner: { name: runner.name, version: runner.version }, inProcess: summary(runs.inProcess), isolated: summary(runs.isolated), differing: listed, flaky: flaky.map((f) => ({ file: relative(root, f.inProcess.file), fullName: f.inProcess.fullName, line: f.inProcess.line ?? null })), ms: progress.elapsed() })}\n`)
  } else {
    input.write(format(listed, flaky.map((f) => f.inProcess), runs))
  }
  return listed.length ? 1 : 0
}
