// Ranking by the state report: an earlier test whose child -> parent changes name something the
// victim's code reads is probed first. The same entries are the "linking state" printed with the answer.
import { readFileSync } from 'node:fs'
import { isAbsolute, relative } from 'node:path'
import type { DiffEntry } from '../../core/state/diff.js'
import type { ReportLine } from '../../core/state/report-file.js'
import { lineFor } from '../report-lines.js'
import type { TestRef } from '../runners/types.js'

export interface LinkedChange {
  readonly where: DiffEntry['where']
  readonly name: string
  readonly file?: string | undefined
  readonly before?: string | undefined
  readonly after?: string | undefined
  readonly kind: DiffEntry['kind']
  /** The victim's code names it. */
  readonly readByVictim: boolean
}

/** The victim's own source: from its line to the next test's line in its file (or the end of the file). */
export function victimSource(victim: TestRef, listing: readonly TestRef[]): string {
  const lines = readFileSync(victim.file, 'utf8').split('\n')
  if (victim.line === undefined) return lines.join('\n')
  const next = listing.map((t) => t.line ?? 0).filter((l) => l > (victim.line ?? 0))
  return lines.slice(victim.line - 1, next.length ? Math.min(...next) - 1 : undefined).join('\n')
}

export function identifiers(source: string): Set<string> {
  return new Set(source.match(/[A-Za-z_$][\w$]*/g) ?? [])
}

const head = (name: string): string => name.split(/[.[\]\s]/)[0] ?? name

export function toChange(e: DiffEntry, read: ReadonlySet<string>, root: string): LinkedChange {
  const file = e.file && isAbsolute(e.file) ? relative(root, e.file) : e.file
  return { where: e.where, name: e.name, file, before: e.before, after: e.after, kind: e.kind, readByVictim: read.has(head(e.name)) }
}

export function changesOf(line: ReportLine | undefined, read: ReadonlySet<string>, root: string): LinkedChange[] {
  return (line?.report?.childToParent ?? []).map((e) => toChange(e, read, root))
}

export interface Ranking {
  /** Indices (into `earlier`) of tests whose changes the victim reads. */
  readonly ranked: number[]
  /** Per earlier test, its changes. */
  readonly changes: LinkedChange[][]
  /** Tests after the first polluter that change what the polluters change (cleaner candidates). */
  likelyCleaners(polluters: readonly number[]): number[]
}

export function rank(earlier: readonly TestRef[], victim: TestRef, listing: readonly TestRef[], lines: readonly ReportLine[], root: string): Ranking {
  const read = identifiers(victimSource(victim, listing))
  const changes = earlier.map((t) => changesOf(lineFor(lines, t, root), read, root))
  const ranked = changes.flatMap((c, i) => (c.some((e) => e.readByVictim) ? [i] : []))
  return {
    ranked,
    changes,
    likelyCleaners(polluters) {
      const names = new Set(polluters.flatMap((p) => (changes[p] ?? []).map((e) => `${e.where}:${e.name}`)))
      const first = Math.min(...polluters)
      return changes.flatMap((c, i) => (i > first && !polluters.includes(i) && c.some((e) => names.has(`${e.where}:${e.name}`)) ? [i] : []))
    },
  }
}
