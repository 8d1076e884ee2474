// Reading our JSON Lines report (README: "The JSON Lines report") back: one line per isolated test.
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ReportLine } from '../core/state/report-file.js'
import type { TestRef } from './runners/types.js'

export function readReportLines(file: string): ReportLine[] {
  if (!existsSync(file)) return []
  const lines: ReportLine[] = []
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (!text.trim()) continue
    try {
      const line = JSON.parse(text) as ReportLine
      if (line.schema === 1) lines.push(line)
    } catch {
      // a line split by a short write: skipped, as the README says a reader should
    }
  }
  return lines
}

/** The report's line for a test (the last attempt, when it was retried). */
export function lineFor(lines: readonly ReportLine[], test: TestRef, root: string): ReportLine | undefined {
  return lines.filter((l) => resolve(root, l.file) === test.file && l.fullName === test.fullName).at(-1)
}
