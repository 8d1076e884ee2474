// Runs a runtime's real runner binary in a project directory with its JSON reporter, and logs every
// pid isolated-test starts. The environment is a user's shell: the variables Vitest and Jest set in
// this e2e worker are removed, then this e2e project's process model (e2e/helpers/model.ts), the
// suite's extra env and the run's own are applied; `undefined` removes a variable. Our JSON report
// must then say that every isolated test ran on that model.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { assertModel, modelEnv } from '../helpers/model.js'
import { readPids } from '../helpers/processes.js'
import type { Runtime } from './runtimes.js'

/** A fixture run is ended after this long (a hang in the product must not hang the suite). */
export const RUN_LIMIT_MS = 600_000
/** For beforeAll hooks that run fixture projects: two runs and some slack. */
export const HOOK_LIMIT_MS = 1_500_000

export type Env = Readonly<Record<string, string | undefined>>

/** What Vitest and Jest set for the processes they run (this e2e worker included), and CI. */
export const FRAMEWORK_VARIABLES = ['VITEST', 'VITEST_MODE', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'TEST', 'NODE_ENV', 'FORCE_TTY', 'JEST_WORKER_ID', 'CI'] as const

export interface TestResult {
  /** The test file, relative to the project, with '/' separators. */
  readonly file: string
  readonly fullName: string
  readonly status: string
  readonly failureMessages: readonly string[]
}

export interface RunnerJson {
  readonly snapshot?: Record<string, unknown>
  readonly testResults: readonly { name: string; message?: string; assertionResults: readonly { fullName: string; status: string; failureMessages: string[] }[] }[]
}

export interface FixtureRun {
  /** The runner's own process (Vitest's or Jest's main process). */
  readonly pid: number
  readonly code: number | null
  readonly output: string
  readonly json: RunnerJson
  readonly results: readonly TestResult[]
  readonly pids: readonly number[]
  readonly seconds: number
  /** The one result with this name in this file (relative path); throws when absent or ambiguous. */
  test(file: string, fullName: string): TestResult
}

export interface RunSettings {
  /** Applied after the suite-level env; `undefined` removes a variable. */
  readonly env?: Env
  readonly timeoutMs?: number
  /** Report records that may say 'fresh' under the fork server: a file that falls back on purpose. */
  readonly allowFresh?: (line: { file: string; fullName: string }) => boolean
}

export function runnerEnv(...layers: readonly (Env | undefined)[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }
  for (const name of FRAMEWORK_VARIABLES) delete env[name]
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer ?? {})) {
      if (value === undefined) delete env[name]
      else env[name] = value
    }
  }
  return env
}

export function runFixture(runtime: Runtime, dir: string, args: readonly string[], settings: RunSettings = {}): FixtureRun {
  const work = mkdtempSync(join(tmpdir(), 'isolated-fidelity-run-'))
  const jsonFile = join(work, 'report.json')
  const pidLog = join(work, 'pids.log')
  const reportFile = join(work, 'isolated.jsonl')
  const runnerArgs =
    runtime.framework === 'vitest'
      ? [runtime.bin, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`, ...args]
      : [runtime.bin, '--json', '--outputFile', jsonFile, ...args]
  const started = Date.now()
  const r = spawnSync(runtime.node(), runnerArgs, {
    cwd: dir,
    encoding: 'utf8',
    env: runnerEnv({ ISOLATED_TEST_PID_LOG: pidLog, ISOLATED_TEST_REPORT: reportFile, ...modelEnv() }, settings.env),
    timeout: settings.timeoutMs ?? RUN_LIMIT_MS,
    maxBuffer: 64 * 1024 * 1024,
  })
  const seconds = (Date.now() - started) / 1000
  const output = `${r.stdout}\n${r.stderr}`
  let json: RunnerJson
  try {
    json = JSON.parse(readFileSync(jsonFile, 'utf8')) as RunnerJson
  } catch {
    throw new Error(`${runtime.label} wrote no JSON report in ${dir} (exit ${r.status}, signal ${r.signal}):\n${output}`)
  }
  const pids = readPids(pidLog)
  const results = json.testResults.flatMap((file) =>
    file.assertionResults.map((t) => ({ file: relative(dir, file.name).split(sep).join('/'), fullName: t.fullName, status: t.status, failureMessages: t.failureMessages })),
  )
  // Every fixture run that is not in-process isolates tests: with no record, the model went unchecked.
  const isolating = runnerEnv(settings.env).ISOLATED_TEST !== 'off'
  if (isolating && results.length > 0 && !existsSync(reportFile)) throw new Error(`${runtime.label} ran ${results.length} tests in ${dir} but wrote no ISOLATED_TEST_REPORT:\n${output}`)
  assertModel(reportFile, settings.allowFresh)
  rmSync(work, { recursive: true, force: true })
  return {
    pid: r.pid,
    code: r.status,
    output,
    json,
    results,
    pids,
    seconds,
    test(file, fullName) {
      const found = results.filter((t) => t.file === file && t.fullName === fullName)
      if (found.length !== 1) throw new Error(`expected one test "${fullName}" in ${file}, found ${found.length}; have: ${results.map((t) => `${t.file} > ${t.fullName}`).join(' | ')}`)
      return found[0]!
    },
  }
}
