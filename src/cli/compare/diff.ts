// The tests whose verdict differs between the in-process run and the isolated run (skips ignored).
import type { RunResult, TestResult } from '../runners/types.js'

export interface Differing {
  readonly inProcess: TestResult
  readonly isolated: TestResult
}

const key = (t: TestResult): string => `${t.file}\u0000${t.fullName}\u0000${t.line ?? ''}`

export function differing(inProcess: RunResult, isolated: RunResult): Differing[] {
  const iso = new Map(isolated.results.map((r) => [key(r), r]))
  const out: Differing[] = []
  for (const r of inProcess.results) {
    const other = iso.get(key(r))
    if (!other || r.verdict === 'skip' || other.verdict === 'skip' || r.verdict === other.verdict) continue
    out.push({ inProcess: r, isolated: other })
  }
  return out
}

/** The tests of `first` that differ again, the same way, in the rerun. */
export function confirmedAgain(first: readonly Differing[], again: readonly Differing[]): { confirmed: Differing[]; flaky: Differing[] } {
  const second = new Set(again.map((d) => `${key(d.inProcess)}\u0000${d.inProcess.verdict}`))
  const confirmed = first.filter((d) => second.has(`${key(d.inProcess)}\u0000${d.inProcess.verdict}`))
  return { confirmed, flaky: first.filter((d) => !confirmed.includes(d)) }
}
