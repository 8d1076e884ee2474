// Runs the real `jest` binary of a fixture project with a JSON report, and checks afterwards that no
// process it started is left. The fixtures record every process they run in (and every process they
// start) in the file named by ISOLATED_E2E_LOG.
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { assertModel, defaultNode, modelEnv } from '../helpers/model.js'

export const fixturesDir = resolve(import.meta.dirname, '../../fixtures')

export interface AssertionResult {
  readonly title: string
  readonly fullName: string
  readonly ancestorTitles: readonly string[]
  readonly status: 'passed' | 'failed' | 'pending' | 'skipped' | 'todo'
  readonly failureMessages: readonly string[]
  readonly duration: number | null
}

export interface JestJson {
  readonly success: boolean
  readonly numFailedTests: number
  readonly numPassedTests: number
  readonly testResults: readonly { name: string; message: string; status: string; assertionResults: readonly AssertionResult[] }[]
}

export interface LogEntry {
  readonly pid: number
  readonly what: string
  readonly child: boolean
}

export interface JestRun {
  readonly json: JestJson
  readonly output: string
  readonly code: number | null
  readonly log: readonly LogEntry[]
  readonly jestPid: number
  readonly fixture: string
  readonly logFile: string
  /** Every assertion result of the run, by its full name; duplicates keep their order. */
  results(fullName: string): AssertionResult[]
  result(fullName: string): AssertionResult
  /** The text Jest printed for the failure (message, diff, code frame). */
  failure(fullName: string): string
}

export interface RunOptions {
  readonly cwd?: string
  readonly env?: Readonly<Record<string, string>>
  /** Pass --ci (the default) or --ci=false. */
  readonly ci?: boolean
  /** The Node binary: by default this run's (e2e/helpers/model.ts). */
  readonly node?: string
  /** Report lines that may say 'fresh' under the fork server (a file that falls back, on purpose). */
  readonly allowFresh?: (line: { file: string; fullName: string }) => boolean
}

export async function runJest(fixture: string, args: readonly string[], options: RunOptions = {}): Promise<JestRun> {
  const dir = join(fixturesDir, fixture)
  const work = mkdtempSync(join(tmpdir(), `isolated-e2e-${fixture}-`))
  const outputFile = join(work, 'report.json')
  const logFile = join(work, 'log.jsonl')
  const bin = join(dir, 'node_modules', 'jest', 'bin', 'jest.js')
  if (!existsSync(bin)) throw new Error(`fixtures/${fixture} is not installed: run \`node scripts/install-fixtures.mjs\`.`)
  const reportFile = options.env?.ISOLATED_TEST_REPORT ?? join(work, 'isolated.jsonl')
  const child = spawn(options.node ?? defaultNode(), [bin, options.ci === false ? '--ci=false' : '--ci', '--json', '--outputFile', outputFile, ...args], {
    cwd: options.cwd ?? dir,
    env: { ...process.env, FORCE_COLOR: '0', ISOLATED_E2E_LOG: logFile, ISOLATED_E2E_RUN: String(process.pid) + Date.now(), ISOLATED_TEST_REPORT: reportFile, ...modelEnv(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)))
  if (!existsSync(outputFile)) throw new Error(`jest wrote no report (exit ${code}):\n${output}`)
  assertModel(reportFile, options.allowFresh)
  const json = JSON.parse(readFileSync(outputFile, 'utf8')) as JestJson
  const log = existsSync(logFile)
    ? readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogEntry)
    : []
  rmSync(work, { recursive: true, force: true })
  const all = json.testResults.flatMap((f) => f.assertionResults)
  const results = (fullName: string): AssertionResult[] => all.filter((r) => r.fullName === fullName)
  const result = (fullName: string): AssertionResult => {
    const found = results(fullName)
    if (found.length !== 1) throw new Error(`expected one test named ${JSON.stringify(fullName)}, found ${found.length}. Tests: ${all.map((r) => r.fullName).join(' | ')}\n${output}`)
    return found[0]!
  }
  return { json, output, code, log, jestPid: child.pid!, fixture, logFile, results, result, failure: (name) => result(name).failureMessages.join('\n') }
}

/** Gone, or a zombie waiting for a reaper we do not control (it runs no code). */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}

/** Pids of the run (Jest, its workers, our children, what they started) that are still alive. */
export function leftovers(run: JestRun): string[] {
  const alive = [{ pid: run.jestPid, what: 'jest' }, ...run.log].filter((e) => e.pid !== process.pid && !isGone(e.pid)).map((e) => `${e.pid} (${e.what})`)
  // And any child of ours from this fixture that was never recorded.
  alive.push(...liveChildren(run.fixture, run.logFile))
  return alive
}

/**
 * Children of ours from this fixture's installed copy that are still running and belong to the run
 * that logged to `logFile` (they inherit its environment), so runs in parallel do not see each other.
 */
export function liveChildren(fixture: string, logFile: string): string[] {
  const marker = join(fixturesDir, fixture, 'node_modules', 'isolated-test', 'dist', 'child-entry.js')
  const ps = execFileSync('ps', ['-A', '-o', 'pid=,stat=,args='], { encoding: 'utf8' })
  const alive: string[] = []
  for (const line of ps.split('\n')) {
    const m = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line)
    if (m && m[3]!.includes(marker) && !m[2]!.startsWith('Z') && belongsTo(Number(m[1]), logFile)) alive.push(`${m[1]} (${m[3]})`)
  }
  return alive
}

function belongsTo(pid: number, logFile: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`ISOLATED_E2E_LOG=${logFile}`)
  } catch {
    // No /proc (macOS) or gone: count it.
    return !isGone(pid)
  }
}
