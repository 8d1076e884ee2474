// The answer, as text for people and as one JSON object (--json).
import { relative } from 'node:path'
import type { Repro, TestRef } from '../runners/types.js'
import type { LinkedChange } from './rank.js'

export interface TestView {
  readonly file: string
  readonly fullName: string
  readonly line: number | null
}

export interface PolluterView extends TestView {
  /** Its child -> parent changes from the state report; null when no state run was made. */
  readonly state: readonly LinkedChange[] | null
}

export interface Answer {
  readonly status: 'found' | 'not-found' | 'interrupted'
  readonly runner: { readonly name: string; readonly version: string }
  readonly victim: TestView
  /** How many earlier tests the search started from. */
  readonly candidates: number
  /** found: the polluters; interrupted / not-found: the smallest set of earlier tests known to make the victim fail. */
  readonly polluters: readonly PolluterView[]
  readonly cleaner: TestView | null
  readonly reason: string | null
  /** Probes of the search (and the cleaner), not counting the precondition and state runs. */
  readonly probes: number
  readonly preconditionRuns: number
  readonly stateRuns: number
  /** The process models the state runs' isolated tests ran on (from their report lines), in order of first use. */
  readonly stateProcessModels: readonly ('fresh' | 'fork-server')[]
  /** What ran the probes: forks of the file's zygote, or a fresh runner process each. */
  readonly prober: 'fork-server' | 'fresh'
  /** Across files: the files that ran before the victim's in one worker, in that (pinned) order; null: within its file. */
  readonly acrossFiles: readonly string[] | null
  readonly ms: number
  readonly repro: Repro | null
}

export function view(test: TestRef, root: string): TestView {
  return { file: relative(root, test.file), fullName: test.fullName, line: test.line ?? null }
}

const where = (t: TestView): string => `${t.file}${t.line ? `:${t.line}` : ''}`

function describeChange(c: LinkedChange): string {
  const place = c.where === 'env' ? 'process.env' : c.where === 'global' ? 'global' : c.where === 'cwd' ? 'the working directory' : `${c.where} scope${c.file ? ` of ${c.file}` : ''}`
  const values = c.kind === 'added' ? `added: ${c.after}` : c.kind === 'removed' ? `removed (was ${c.before})` : `${c.before} → ${c.after}`
  return `${c.name} (${place}): ${values}${c.readByVictim ? '   <- the victim reads it' : ''}`
}

export function formatAnswer(a: Answer): string {
  const out: string[] = []
  const seconds = `${(a.ms / 1000).toFixed(1)} s`
  const victim = `"${a.victim.fullName}" (${where(a.victim)})`
  if (a.status === 'found') {
    out.push(`isolated-test polluter: ${a.polluters.length === 1 ? 'the polluter' : `${a.polluters.length} polluters, needed together,`} of ${victim}:`)
  } else if (a.status === 'interrupted') {
    out.push(`isolated-test polluter: interrupted. Best answer so far for ${victim}: it fails after these ${a.polluters.length} of its ${a.candidates} earlier tests:`)
  } else {
    out.push(`isolated-test polluter: no polluter found for ${victim}: ${a.reason ?? 'unknown reason'}.`)
    if (a.polluters.length) out.push(`The smallest set of earlier tests known to make it fail (${a.polluters.length} of ${a.candidates}):`)
  }
  if (a.acrossFiles) out.push(`across files: it passes after its own file's earlier tests, and fails after ${a.acrossFiles.length === 1 ? 'this file' : 'these files'} in one worker, in this order: ${a.acrossFiles.join(', ')}`)
  for (const p of a.polluters) {
    out.push(`  ${where(p)}  ${p.fullName}`)
    if (a.status !== 'found') continue
    if (p.state === null) out.push('    (no state report: the search ran with --no-rank)')
    else if (p.state.length === 0) out.push('    the state report shows no change by this test (state inside an imported module, a file, or something else it cannot see)')
    else {
      const shown = p.state.some((c) => c.readByVictim) ? p.state.filter((c) => c.readByVictim) : p.state
      out.push(`    what it changed (state report)${p.state.some((c) => c.readByVictim) ? ', read by the victim' : ''}:`)
      for (const c of shown) out.push(`      ${describeChange(c)}`)
    }
  }
  if (a.status === 'found') out.push(a.cleaner ? `cleaner: ${where(a.cleaner)}  ${a.cleaner.fullName}  (run after the polluter, it makes the victim pass again)` : 'cleaner: none found')
  out.push(`probes: ${a.probes}${a.probes ? ` (${a.prober === 'fork-server' ? "forks of the file's zygote" : 'fresh runner processes'})` : ''} (plus ${a.preconditionRuns} runs to check the preconditions${a.stateRuns ? ` and ${a.stateRuns} isolated run${a.stateRuns === 1 ? '' : 's'} for the state report` : ''}), ${seconds}`)
  if (a.repro) {
    out.push(`reproduce (fails the victim): ${a.repro.command}`)
    if (a.repro.note) out.push(`  note: ${a.repro.note}`)
  }
  return `${out.join('\n')}\n`
}
