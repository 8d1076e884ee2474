// Runs the real `vitest` or `jest` binary of a runtime on the fault-matrix fixture, in its own process
// group and with a token in its environment, and collects everything the checks read: the runner's
// JSON report, our JSON Lines report, ISOLATED_TEST_PID_LOG, the pids the fixture recorded, the text
// its reporters printed. A run that goes on past its deadline is killed and marked `hung`.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { readPids } from '../helpers/processes.js'
import { OutputSink } from './output.js'
import { killByToken, TOKEN_ENV } from './processes.js'
import { processModelEnv } from './process-model.js'
import { nodeFor, type Mode, type Runtime } from './runtimes.js'

export interface RunSpec {
  readonly runtime: Runtime
  readonly mode: Mode
  /** Which files: Vitest file filters, or one Jest path regex. */
  readonly files: readonly string[]
  /** Extra environment for the runner (and so for every process it starts). */
  readonly env?: Readonly<Record<string, string>>
  /** The run is killed and marked hung after this long (default 170 s). */
  readonly limitMs?: number
}

export interface CaseResult {
  readonly status: string
  /** The failure messages, joined: the error's message and stack as the runner reports them. */
  readonly failure: string
  readonly duration: number | undefined
}

/** One line of our JSON Lines report (the fields the checks read; `processModel` comes with the fork server). */
export interface ReportLine {
  readonly fullName: string
  readonly outcome: string
  readonly processModel?: string
  readonly [key: string]: unknown
}

export interface Recorded {
  readonly case: string
  readonly what: string
  readonly pid: number
}

/** What the Vitest fixture's console reporter saw (faults-matrix/console-reporter.ts). */
export interface ConsoleEntry {
  readonly test: string
  readonly type?: string
  readonly content?: string
  readonly stdoutChars?: number
}

export interface FixtureRun {
  readonly spec: RunSpec
  /** Scratch directory of the run (E2E_FAULTS_DIR): handshake files, pid files. */
  readonly dir: string
  readonly token: string
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly hung: boolean
  readonly wallMs: number
  /** stdout, then stderr, with long runs of '#' shortened. */
  readonly output: string
  readonly fullMegabyteLines: number
  /** '=' characters in long runs (OutputSink.equalsInRuns), stdout and stderr. */
  readonly equalsInRuns: number
  readonly pidLog: readonly number[]
  readonly recorded: readonly Recorded[]
  readonly report: readonly ReportLine[]
  readonly console: readonly ConsoleEntry[]
  /** Every result, by full name. */
  readonly results: readonly (CaseResult & { readonly fullName: string })[]
  /** The runner's result for the test with this full name; a run without it fails the check that asks. */
  result(fullName: string): CaseResult
  /** Our report line for the test with this full name, if it wrote one. */
  reportLine(fullName: string): ReportLine | undefined
  /** Pids the fixture recorded for a case. */
  pids(caseName: string): number[]
}

export interface StartedRun {
  readonly pid: number
  readonly dir: string
  readonly token: string
  /** Resolves when the runner has exited (or was killed at its limit) and its files are read. */
  readonly finished: Promise<FixtureRun>
  /** Resolves at the runner's exit, before its output has drained. */
  readonly exited: Promise<void>
  /** SIGKILL to the runner's process group and to every process with the run's token. */
  kill(): void
  /** Replaces the run's limit: killed and marked hung if still running `ms` from now. */
  stopAfter(ms: number): void
}

interface RunnerJson {
  readonly testResults: readonly { readonly assertionResults: readonly { fullName: string; status: string; failureMessages: string[]; duration?: number | null }[] }[]
}

function jsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return []
  const out: T[] = []
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue
    try {
      out.push(JSON.parse(line) as T)
    } catch {
      // a line cut short by a kill
    }
  }
  return out
}

/** At least two workers, so that a case waiting on its limit does not hold up the others. */
const WORKERS = Math.max(2, availableParallelism() - 1)

function command(spec: RunSpec, jsonFile: string): { args: string[]; cwd: string } {
  const { runtime, mode, files } = spec
  if (runtime.framework === 'vitest') {
    return {
      cwd: runtime.project,
      args: [runtime.bin, 'run', '--config', `faults-matrix/${mode}.config.ts`, ...files, `--maxWorkers=${WORKERS}`, '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`, '--reporter=./faults-matrix/console-reporter.ts'],
    }
  }
  // Under a plain Jest setup the child reads the config found from the cwd, so each mode runs from its own directory.
  return {
    cwd: join(runtime.project, 'matrix', mode === 'environment' ? 'env' : 'helper'),
    args: [runtime.bin, '--ci', '--json', '--outputFile', jsonFile, `--maxWorkers=${WORKERS}`, files.join('|')],
  }
}

export function startFixture(spec: RunSpec): StartedRun {
  const dir = mkdtempSync(join(tmpdir(), 'isolated-faults-'))
  const token = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`
  const files = {
    json: join(dir, 'runner.json'),
    pidLog: join(dir, 'pids.log'),
    report: join(dir, 'isolated.jsonl'),
    recorded: join(dir, 'recorded.jsonl'),
    console: join(dir, 'console.jsonl'),
  }
  const { args, cwd } = command(spec, files.json)
  const started = Date.now()
  const runner = spawn(nodeFor(spec.runtime), args, {
    cwd,
    env: {
      ...process.env,
      CI: 'true',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      [TOKEN_ENV]: token,
      E2E_FAULTS_DIR: dir,
      E2E_FAULTS_RECORD: files.recorded,
      E2E_CONSOLE_LOG: files.console,
      ISOLATED_TEST_PID_LOG: files.pidLog,
      ISOLATED_TEST_REPORT: files.report,
      ...processModelEnv(),
      ...spec.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a hung run can be ended as a whole.
    detached: true,
  })
  if (runner.pid === undefined) throw new Error(`could not start ${spec.runtime.label}`)
  const pid = runner.pid
  const stdout = new OutputSink()
  const stderr = new OutputSink()
  runner.stdout.setEncoding('utf8').on('data', (text: string) => stdout.write(text))
  runner.stderr.setEncoding('utf8').on('data', (text: string) => stderr.write(text))
  let hung = false
  const kill = (): void => {
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      // already gone
    }
    killByToken(token)
  }
  let limit: NodeJS.Timeout | undefined
  let hasExited = false
  const stopAfter = (ms: number): void => {
    clearTimeout(limit)
    if (hasExited) return
    limit = setTimeout(() => {
      hung = true
      kill()
    }, ms)
  }
  stopAfter(spec.limitMs ?? 170_000)
  const exited = new Promise<void>((resolve) => runner.on('exit', () => resolve()))
  // A process that outlives the runner (an orphaned worker, a daemon) may still hold its stdout:
  // after the runner exits, its output gets 2 s to drain, no more.
  const closed = new Promise<void>((resolve) => runner.on('close', () => resolve()))
  // Whatever goes wrong reading the run's files rejects `finished`: a helper that throws must not hang the suite.
  const finished = new Promise<FixtureRun>((resolve, reject) => {
    runner.on('exit', (code, signal) => void (async () => {
      hasExited = true
      clearTimeout(limit)
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))])
      runner.stdout.destroy()
      runner.stderr.destroy()
      const wallMs = Date.now() - started
      let json: RunnerJson = { testResults: [] }
      try {
        json = JSON.parse(readFileSync(files.json, 'utf8')) as RunnerJson
      } catch {
        // no report: the runner was killed, or it failed before writing one
      }
      const results = json.testResults.flatMap((f) => f.assertionResults)
      const report = jsonLines<ReportLine>(files.report)
      const recorded = jsonLines<Recorded>(files.recorded)
      const output = `${stdout.end()}\n${stderr.end()}`
      const fullMegabyteLines = stdout.fullMegabyteLines + stderr.fullMegabyteLines
      const equalsInRuns = stdout.equalsInRuns + stderr.equalsInRuns
      resolve({
        spec,
        dir,
        token,
        code,
        signal,
        hung,
        wallMs,
        output,
        fullMegabyteLines,
        equalsInRuns,
        pidLog: readPids(files.pidLog),
        recorded,
        report,
        console: jsonLines<ConsoleEntry>(files.console),
        results: results.map((r) => ({ fullName: r.fullName, status: r.status, failure: r.failureMessages.join('\n'), duration: r.duration ?? undefined })),
        result(fullName) {
          const found = results.filter((r) => r.fullName === fullName)
          if (found.length !== 1) {
            const why = hung ? `the run was killed after ${wallMs} ms without finishing` : `${found.length} results with that name`
            throw new Error(`no single result for "${fullName}" (${why}); the run had: ${results.map((r) => r.fullName).join(' | ')}\n${output.slice(-3000)}`)
          }
          const r = found[0]!
          return { status: r.status, failure: r.failureMessages.join('\n'), duration: r.duration ?? undefined }
        },
        reportLine: (fullName) => report.find((l) => l.fullName === fullName),
        pids: (caseName) => recorded.filter((r) => r.case === caseName).map((r) => r.pid),
      })
    })().catch(reject))
  })
  return { pid, dir, token, finished, exited, kill, stopAfter }
}

export function runFixture(spec: RunSpec): Promise<FixtureRun> {
  return startFixture(spec).finished
}

/** Resolves once `ready()` holds (checked every 25 ms), or rejects when the run ends or `ms` pass first. */
export async function waitUntil(what: string, ready: () => boolean, run: StartedRun, ms: number): Promise<void> {
  let ended = false
  void run.finished.then(() => (ended = true))
  const until = Date.now() + ms
  while (!ready()) {
    if (ended) throw new Error(`the run ended before ${what}`)
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
