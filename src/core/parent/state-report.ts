// The parent's side of the state across the boundary: the snapshot at the call, what to do with the
// child's report (print it under a failing test, fail under leaks: 'error', count it otherwise), and
// the JSON Lines record of every isolated test.
import { readFileSync } from 'node:fs'
import { IsolatedLeakError, IsolatedTimeoutError, IsolatedCrashError, IsolatedBootError, IsolatedMemoryError, IsolatedCpuError, isIsolatedTestError } from '../errors.js'
import type { StateRequest } from '../ipc/protocol.js'
import type { ResolvedOptions } from '../options.js'
import type { AnyFunction } from '../state/closure.js'
import type { DiffEntry } from '../state/diff.js'
import { formatReport, summarizeReport, type StateReport } from '../state/report.js'
import { appendReportLine, runId, type ReportLine } from '../state/report-file.js'
import { takeSnapshot, type StateScope } from '../state/snapshot.js'
import type { CpuFigure, MemoryFigure } from './resources/figures.js'


/** What the child needs for the carry and the report, taken now, at the call. */
export function stateRequest(options: ResolvedOptions, body: AnyFunction | undefined, file: string | undefined, scope: StateScope = {}): StateRequest | undefined {
  const carry = options.method === 'fork'
  if (options.leaks === 'off' && !carry) return undefined
  const parent = takeSnapshot({ capture: body, captureFile: file, locateListeners: false, ignoreLeaks: options.ignoreLeaks, global: scope.global, env: scope.env })
  return { parent, carry, leaks: options.leaks, ignoreLeaks: options.ignoreLeaks, file }
}

function isEmpty(report: StateReport): boolean {
  return report.parentToChild.length + report.childToParent.length + report.leftOpen.length === 0
}

/** True when `name` appears in the file outside the body: another test or hook reads it (by name, in source). */
function readElsewhere(name: string, fileSource: string, bodySource: string | undefined): boolean {
  const pattern = new RegExp(`(?<![\\w$.])${name.replace(/[$]/g, '\\$')}(?![\\w$])`, 'g')
  const outside = bodySource && fileSource.includes(bodySource) ? fileSource.replace(bodySource, '') : fileSource
  // The declaration is one occurrence; a reader is a second.
  return (outside.match(pattern)?.length ?? 0) > (bodySource ? 1 : 2)
}

function reliedOn(e: DiffEntry, fileSource: string, bodySource: string | undefined): boolean {
  if (e.where === 'module' || e.where === 'closure' || e.where === 'global') return readElsewhere(e.name, fileSource, bodySource)
  return false
}

export interface StateVerdict {
  /** An error to add to the test's failures: the report under a failing test, or the leaks: 'error' failure. */
  readonly error?: unknown
  /** One line for a passing test whose state differed (leaks: 'warn'). */
  readonly summary?: string
}

/** Decides what the report means for this test. */
export function judgeReport(
  report: StateReport | undefined,
  options: ResolvedOptions,
  failed: boolean,
  file: string | undefined,
  body: AnyFunction | undefined,
  origin?: { readonly file: string; readonly line: number; readonly column: number },
): StateVerdict {
  if (!report || options.leaks === 'off' || isEmpty(report)) return {}
  const block = formatReport(report)
  if (options.leaks === 'error') {
    let source = ''
    try {
      source = file ? readFileSync(file, 'utf8') : ''
    } catch {
      // no source: only left-open resources count
    }
    const bodySource = body ? Function.prototype.toString.call(body) : undefined
    const lost = report.childToParent.filter((e) => reliedOn(e, source, bodySource))
    if (lost.length > 0 || report.leftOpen.length > 0) {
      const error = new IsolatedLeakError(formatReport({ parentToChild: [], childToParent: lost, leftOpen: report.leftOpen }))
      // Reporters show a code frame at the first frame: the test, not our bundle.
      if (origin) error.stack = `${error.name}: ${error.message}\n    at ${origin.file}:${origin.line}:${origin.column}`
      return { error }
    }
  }
  // No frames: the stack is the text itself (reporters that print only stacks still show it).
  if (failed) return { error: { name: 'IsolatedStateReport', message: block, stack: `IsolatedStateReport: ${block}` } }
  return { summary: `isolated-test: state differs across the process boundary (${summarizeReport(report)}); it explains failures only if a test relies on it. Set leaks: 'off' to silence, or see the report file.` }
}

/** The one line per file that counts its isolated tests that passed with state differing across the boundary. */
export function fileSummary(count: number): string {
  return `isolated-test: ${count} isolated test(s) of this file passed with state that differs across the process boundary; failing tests show the report. Set leaks: 'off' to silence this line, or report: 'file.jsonl' for the details.`
}

export interface RecordInput {
  readonly options: ResolvedOptions
  readonly file: string
  readonly fullName: string
  readonly limit: number | undefined
  readonly record: RunRecord
  readonly error: unknown
  readonly skipped: boolean
}

/** Filled by runInChild as the run goes: the JSON Lines record reads it. */
export interface RunRecord {
  boot?: number
  import?: number
  body?: number
  exit?: { code: number | null; signal: string | null }
  report?: StateReport
  /** Which process model ran the test: a fork of the file's zygote, or a fresh Node process. */
  processModel?: 'fresh' | 'fork-server'
  /** With coverage on: whether the child sent its coverage (not when it was killed at its limit or died). */
  coverage?: 'complete' | 'incomplete'
  /** Peak memory: the sampled peak of the tree with a memoryLimit, else an estimate (resources/figures.ts). */
  memory?: MemoryFigure
  /** CPU time of the child. */
  cpu?: CpuFigure
}

/** The version of a report line's shape (README: "The JSON Lines report"); bumped when a field changes meaning or goes. */
export const REPORT_SCHEMA = 1

/** One line per isolated test in the `report` file (or ISOLATED_TEST_REPORT), for CI to keep. */
export function writeRecord(r: RecordInput): void {
  const file = r.options.report
  if (!file) return
  const e = r.error
  const outcome =
    e instanceof IsolatedTimeoutError
      ? 'timeout'
      : e instanceof IsolatedMemoryError
        ? 'memory'
      : e instanceof IsolatedCpuError
        ? 'cpu'
      : e instanceof IsolatedCrashError
        ? 'crash'
        : e instanceof IsolatedBootError
          ? 'boot'
          : r.skipped
            ? 'skip'
            : e !== undefined
              ? 'fail'
              : 'pass'
  try {
    const line: ReportLine = {
      schema: REPORT_SCHEMA,
      runId: runId(),
      file: r.file,
      fullName: r.fullName,
      method: r.options.method,
      limit: r.limit === undefined || r.limit === Infinity ? null : r.limit,
      outcome,
      durations: { boot: round(r.record.boot), import: round(r.record.import), body: round(r.record.body) },
      exit: r.record.exit ?? null,
      processModel: r.record.processModel ?? null,
      coverage: r.record.coverage ?? null,
      memory: r.record.memory ?? { peakMb: null, source: null, limitMb: r.options.memoryLimit ?? null },
      cpu: { ...(r.record.cpu ?? { ms: null, source: null }), limitMs: r.options.cpuLimit ?? null },
      stuckFrames: e instanceof IsolatedTimeoutError ? e.frames : [],
      error: e === undefined ? null : isIsolatedTestError(e) ? { name: e.name, code: e.code, message: e.message } : describeError(e),
      report: r.record.report ?? null,
    }
    appendReportLine(file, line)
  } catch {
    // the report file is an aid; a full disk must not fail the test
  }
}

/** To 0.01 ms: on the fork server a phase (the framework's path to the body, say) often takes less than 1 ms. */
function round(n: number | undefined): number | null {
  return n === undefined ? null : Math.round(n * 100) / 100
}

function describeError(e: unknown): { name: string; message: string } {
  const first = Array.isArray(e) ? e[0] : e
  const o = (typeof first === 'object' && first !== null ? first : { message: String(first) }) as { name?: unknown; message?: unknown }
  return { name: String(o.name ?? 'Error'), message: String(o.message ?? '') }
}
