// An istanbul coverage map (coverage-final.json, what both runners write) flattened to one counter per
// statement, function and branch arm, so two runs' coverage compare as lists with readable keys.
import { relative } from 'node:path'

export interface FileCoverage {
  statementMap: Record<string, { start: { line: number } }>
  fnMap: Record<string, { name: string }>
  branchMap: Record<string, { loc: { start: { line: number } } }>
  s: Record<string, number>
  f: Record<string, number>
  b: Record<string, number[]>
}
export type CoverageMap = Record<string, FileCoverage>

/** One counter of one file, with where it is, for readable failures. */
export interface Counter {
  readonly key: string
  readonly hits: number
}

/** Every counter of a coverage map, by file (relative to the project), metric, id and line or name. */
export function counters(map: CoverageMap, project: string): Counter[] {
  const out: Counter[] = []
  for (const [path, c] of Object.entries(map)) {
    const file = relative(project, path)
    for (const [id, n] of Object.entries(c.s)) out.push({ key: `${file} statement ${id} (line ${c.statementMap[id]!.start.line})`, hits: n })
    for (const [id, n] of Object.entries(c.f)) out.push({ key: `${file} function ${c.fnMap[id]!.name}`, hits: n })
    for (const [id, arms] of Object.entries(c.b)) arms.forEach((n, arm) => out.push({ key: `${file} branch ${id} arm ${arm} (line ${c.branchMap[id]!.loc.start.line})`, hits: n }))
  }
  return out.sort((a, b) => a.key.localeCompare(b.key))
}

/** Covered or not, per counter: what must be identical between an isolated and an in-process run. */
export const status = (cs: readonly Counter[]): string[] => cs.map((c) => `${c.key}: ${c.hits > 0 ? 'covered' : 'uncovered'}`)
