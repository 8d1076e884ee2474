// Runs the real `vitest` binary on a fixture project with the JSON reporter (and the default one, for
// what JSON leaves out: diffs, console output), logging every pid our library starts.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from './package.js'
import { readPids } from './processes.js'
import { assertModel, defaultNode, modelEnv } from './model.js'

export interface AssertionResult {
  fullName: string
  title: string
  ancestorTitles: string[]
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo'
  failureMessages: string[]
  duration?: number
}

export interface VitestRun {
  code: number | null
  stdout: string
  stderr: string
  /** stdout and stderr together: Vitest prints failure details to stderr, console output to stdout. */
  output: string
  results: AssertionResult[]
  pids: number[]
  dir: string
  /** The result of the test with this full name ("describe title"); throws when absent or ambiguous. */
  test(fullName: string, index?: number): AssertionResult
}

/** `allowFresh`: report lines that may say 'fresh' under the fork server (a file that falls back, on purpose). */
export function runVitest(
  projectDir: string,
  args: readonly string[],
  env: Record<string, string> = {},
  vitestBin = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'),
  node = defaultNode(),
  allowFresh?: (line: { file: string; fullName: string }) => boolean,
): VitestRun {
  const dir = mkdtempSync(join(tmpdir(), 'isolated-e2e-'))
  const jsonFile = join(dir, 'report.json')
  const pidLog = join(dir, 'pids.log')
  const reportFile = env.ISOLATED_TEST_REPORT ?? join(dir, 'isolated.jsonl')
  const r = spawnSync(node, [vitestBin, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`, ...args], {
    cwd: projectDir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', ISOLATED_TEST_PID_LOG: pidLog, ISOLATED_TEST_REPORT: reportFile, ...modelEnv(), ...env },
    timeout: 170_000,
  })
  assertModel(reportFile, allowFresh)
  let json: { testResults: { assertionResults: AssertionResult[] }[] }
  try {
    json = JSON.parse(readFileSync(jsonFile, 'utf8'))
  } catch {
    throw new Error(`vitest wrote no JSON report (exit ${r.status}, signal ${r.signal}).\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`)
  }
  const results = json.testResults.flatMap((f) => f.assertionResults)
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    output: `${r.stdout}\n${r.stderr}`,
    results,
    pids: readPids(pidLog),
    dir,
    test(fullName, index = 0) {
      const found = results.filter((t) => t.fullName === fullName)
      const hit = found[index]
      if (!hit) throw new Error(`no test "${fullName}" #${index} in the report; have: ${results.map((t) => t.fullName).join(' | ')}`)
      return hit
    },
  }
}
