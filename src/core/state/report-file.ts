// The JSON Lines report: one line per isolated test, appended by every worker of a run to one file.
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import type { StuckFrame } from '../errors.js'
import type { StateReport } from './report.js'

/** Set once per run (by the first process that needs it) and inherited by every process it starts. */
export const RUN_ID_ENV = 'ISOLATED_TEST_RUN_ID'

/** When a process started, in clock ticks since boot (Linux), to tell two runs with one pid apart. */
function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

/**
 * The run's id: `ISOLATED_TEST_RUN_ID` if set (the plugin sets it in Vitest's main process; CI may set
 * it), else derived from the process that started the test workers, so every worker of one run agrees
 * without talking: a forked worker (it has an IPC channel) takes its parent, anything else itself.
 * Exported to `env` so our children share it.
 */
export function runId(env: NodeJS.ProcessEnv = process.env): string {
  const existing = env[RUN_ID_ENV]
  if (existing) return existing
  const runner = process.send !== undefined ? process.ppid : process.pid
  const ticks = startTicks(runner)
  const id = ticks ? `run-${runner}-${ticks}` : `${new Date().toISOString().replace(/[-:]|\.\d+/g, '')}-${randomBytes(3).toString('hex')}`
  env[RUN_ID_ENV] = id
  return id
}

/** One line of the report, as written (README: "The JSON Lines report"); JSON has null where a figure is unknown. */
export interface ReportLine {
  /** The line's schema version: bumped only when a field changes meaning or goes. */
  readonly schema: 1
  readonly runId: string
  readonly file: string
  readonly fullName: string
  readonly method: 'fork' | 'spawn'
  readonly limit: number | null
  readonly outcome: 'pass' | 'fail' | 'skip' | 'timeout' | 'crash' | 'boot' | 'memory' | 'cpu'
  readonly durations: { readonly boot: number | null; readonly import: number | null; readonly body: number | null }
  readonly exit: { readonly code: number | null; readonly signal: string | null } | null
  /** A fork of the file's zygote, or a fresh Node process. */
  readonly processModel: 'fresh' | 'fork-server' | null
  /** With coverage on: whether the child sent its coverage; null with coverage off. */
  readonly coverage: 'complete' | 'incomplete' | null
  /** Peak memory in MB: the memoryLimit sampler's peak of the tree, the cgroup's, V8's heap at an out-of-memory crash, or an estimate (source says which). */
  readonly memory: { readonly peakMb: number | null; readonly source: 'sampler' | 'cgroup' | 'v8-heap' | 'vmhwm' | 'wait4' | null; readonly limitMb: number | null }
  /** CPU time of the child (and the children it waited for), ms; with a cpuLimit ('sampler'), the whole tree's. */
  readonly cpu: { readonly ms: number | null; readonly source: 'sampler' | 'proc-stat' | 'wait4' | null; readonly limitMs: number | null }
  readonly stuckFrames: readonly StuckFrame[]
  readonly error: { readonly name: string; readonly message: string; readonly code?: string } | null
  readonly report: StateReport | null
}

/**
 * Appends `record` as one JSON line with a single write(2) to a file opened with O_APPEND. The kernel
 * positions and writes an O_APPEND write as one step, and Linux holds the file's lock for the whole
 * write on local filesystems, so concurrent workers' lines never interleave, whatever their size.
 * POSIX itself promises this only up to PIPE_BUF (4096 bytes, and only for pipes); on NFS nothing is
 * promised. A short write (disk full, a signal) is completed with a second write: that line may then
 * be split by another worker's, and a reader should skip a line that does not parse.
 */
export function appendReportLine(file: string, record: object): void {
  const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8')
  mkdirSync(dirname(file), { recursive: true })
  const fd = openSync(file, 'a')
  try {
    let written = writeSync(fd, line)
    while (written < line.length) written += writeSync(fd, line, written)
  } finally {
    closeSync(fd)
  }
}
