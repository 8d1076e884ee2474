// The run summary (issue 13): the heaviest tests of this run by peak memory and by CPU time, from the
// JSON Lines report's lines that carry this run's id. Printed once, at the end of the run, by whoever
// sees the run end (under Vitest: the plugin's reporter in the main process; under Jest: the first
// process of the run that exits, a worker or Jest itself in band, see summaryAtExit).
import { readFileSync, writeSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { realProcess } from '../real-process.js'
import { claimOnce } from './notice.js'

interface Line {
  readonly runId?: unknown
  readonly file?: unknown
  readonly fullName?: unknown
  readonly memory?: { readonly peakMb?: unknown; readonly source?: unknown } | null
  readonly cpu?: { readonly ms?: unknown } | null
}

/** How many tests each list names. */
export const SUMMARY_TOP = 5

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

/** This run's lines of `reportFile`; a line that does not parse (a torn write) is skipped. */
function runLines(reportFile: string, runId: string): Line[] {
  let text: string
  try {
    text = readFileSync(reportFile, 'utf8')
  } catch {
    return []
  }
  const lines: Line[] = []
  for (const raw of text.split('\n')) {
    if (!raw) continue
    try {
      const line = JSON.parse(raw) as Line
      if (line && line.runId === runId) lines.push(line)
    } catch {
      // skipped
    }
  }
  return lines
}

/**
 * The summary block for `runId`, or undefined when the run wrote no line. Names each test as
 * `file > full name` (the file relative to `cwd`) with its figure.
 */
export function runSummary(reportFile: string, runId: string, cwd: string): string | undefined {
  const lines = runLines(reportFile, runId)
  if (lines.length === 0) return undefined
  const name = (l: Line): string => {
    const file = typeof l.file === 'string' ? (isAbsolute(l.file) ? relative(cwd, l.file) : l.file) : '?'
    return `${file} > ${typeof l.fullName === 'string' ? l.fullName : '?'}`
  }
  const top = (figure: (l: Line) => number | undefined, show: (l: Line, v: number) => string): string[] =>
    lines
      .map((l) => ({ l, v: figure(l) }))
      .filter((x): x is { l: Line; v: number } => x.v !== undefined)
      .sort((a, b) => b.v - a.v)
      .slice(0, SUMMARY_TOP)
      .map(({ l, v }) => `    ${show(l, v).padStart(10)}  ${name(l)}`)
  const memory = top(
    (l) => num(l.memory?.peakMb),
    // The sampler's and the cgroup's peaks are the whole tree's, V8's heap at a crash a measure; the others are the child's estimate (README: the report).
    (l, v) => `${v.toFixed(1)} MB${l.memory?.source === 'vmhwm' || l.memory?.source === 'wait4' ? '*' : ''}`,
  )
  const cpu = top((l) => num(l.cpu?.ms), (_l, v) => `${Math.round(v)} ms`)
  const out = [`isolated-test: ${lines.length} isolated test${lines.length === 1 ? '' : 's'} in this run (report: ${reportFile})`]
  const note = memory.some((l) => / MB\* /.test(l)) ? ' (* estimate: the child alone, no memoryLimit)' : ''
  out.push(`  heaviest by peak memory${memory.length ? note : ': no figures'}`, ...memory)
  out.push(`  heaviest by CPU time${cpu.length ? '' : ': no figures'}`, ...cpu)
  return out.join('\n')
}

let armed = false

/**
 * Prints the summary when this process exits, if no other process of the run printed it first (an
 * exclusive marker file, as for the once-per-run notices). For runners whose workers outlive every
 * test of the run and exit only at its end (Jest's workers, or Jest itself in band): by then every line
 * of the run is written. A worker killed mid-run (a signal) runs no exit handler.
 */
export function summaryAtExit(reportFile: string, runId: string): void {
  if (armed) return
  armed = true
  const file = resolve(realProcess.cwd(), reportFile)
  realProcess.once('exit', () => {
    if (!claimOnce(`run-summary ${runId}`)) return
    const text = runSummary(file, runId, realProcess.cwd())
    // Synchronous: nothing asynchronous runs after 'exit'.
    if (text !== undefined) writeSync(1, `${text}\n`)
  })
}
