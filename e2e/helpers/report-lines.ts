// Our JSON Lines report, read and checked line by line against its documented schema (README: "The
// JSON Lines report", schema 1): every field present, with its type.
import type { ReportLine } from '../../src/core/state/report-file.js'

export type { ReportLine }

const numberOrNull = (v: unknown): boolean => v === null || typeof v === 'number'
const oneOf = (v: unknown, values: readonly unknown[]): boolean => values.includes(v)

/** What is wrong with one parsed line (empty when it fits schema 1). */
export function schemaProblems(l: Record<string, unknown>): string[] {
  const problems: string[] = []
  const check = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what)
  }
  const d = l.durations as Record<string, unknown> | undefined
  const m = l.memory as Record<string, unknown> | undefined
  const c = l.cpu as Record<string, unknown> | undefined
  check(l.schema === 1, `schema is ${JSON.stringify(l.schema)}, not 1`)
  check(typeof l.runId === 'string', 'runId')
  check(typeof l.file === 'string', 'file')
  check(typeof l.fullName === 'string', 'fullName')
  check(oneOf(l.method, ['fork', 'spawn']), 'method')
  check(numberOrNull(l.limit), 'limit')
  check(oneOf(l.outcome, ['pass', 'fail', 'skip', 'timeout', 'crash', 'boot', 'memory', 'cpu']), 'outcome')
  check(typeof d === 'object' && d !== null && numberOrNull(d.boot) && numberOrNull(d.import) && numberOrNull(d.body), 'durations')
  check(l.exit === null || (typeof l.exit === 'object' && 'code' in (l.exit as object) && 'signal' in (l.exit as object)), 'exit')
  check(oneOf(l.processModel, ['fresh', 'fork-server', null]), 'processModel')
  check(Array.isArray(l.stuckFrames), 'stuckFrames')
  check(l.error === null || (typeof l.error === 'object' && typeof (l.error as { name?: unknown }).name === 'string'), 'error')
  check('report' in l, 'report')
  check(typeof m === 'object' && m !== null && numberOrNull(m.peakMb) && oneOf(m.source, ['sampler', 'cgroup', 'v8-heap', 'vmhwm', 'wait4', null]) && numberOrNull(m.limitMb), 'memory')
  check(typeof c === 'object' && c !== null && numberOrNull(c.ms) && oneOf(c.source, ['sampler', 'proc-stat', 'wait4', null]) && numberOrNull(c.limitMs), 'cpu')
  check(oneOf(l.coverage, ['complete', 'incomplete', null]), 'coverage')
  return problems
}

/** Parses the report and throws, naming the line, when one does not parse or does not fit schema 1. */
export function checkReportLines(text: string): ReportLine[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((raw, i) => {
      const line = JSON.parse(raw) as Record<string, unknown>
      const problems = schemaProblems(line)
      if (problems.length > 0) throw new Error(`report line ${i + 1} does not fit schema 1 (${problems.join(', ')}): ${raw.slice(0, 300)}`)
      return line as unknown as ReportLine
    })
}
