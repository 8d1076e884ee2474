// Issue 10, item 1: snapshots under isolation behave as in-process. Each scenario runs the same suite
// twice on fresh temporary copies, isolated and in-process (ISOLATED_TEST=off), in three modes at once
// (isolated() with fork, with spawn, and the project mode: the Vitest plugin or the Jest environment),
// then compares byte for byte the snapshot files and inline-rewritten sources per mode, the runner's
// snapshot summary, the verdicts and the exit code.
import { fidelityRuns } from './runtimes.js'
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { repoRoot } from '../helpers/package.js'
import { survivors } from '../helpers/processes.js'
import { HOOK_LIMIT_MS, runFixture, type Env, type FixtureRun } from './run.js'
import type { Runtime } from './runtimes.js'
import { copyTree, readTree, tempProject } from './temp-project.js'

export const MODES = ['fork', 'spawn', 'project'] as const
export type Mode = (typeof MODES)[number]

export interface Scenario {
  readonly name: string
  /** What the copy starts from: the bare suite, or what the in-process "new" run wrote (edited). */
  readonly start: 'bare' | 'stored' | 'stored, edited'
  /** Vitest: CI=true and --update=none; Jest: --ci. Otherwise Vitest --update=new, Jest --ci=false. */
  readonly ci: boolean
  /** -u */
  readonly update: boolean
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'new', start: 'bare', ci: false, update: false },
  { name: 'new under --ci', start: 'bare', ci: true, update: false },
  { name: 'matching under --ci', start: 'stored', ci: true, update: false },
  { name: 'changed and obsolete', start: 'stored, edited', ci: false, update: false },
  { name: '-u on changed and obsolete', start: 'stored, edited', ci: false, update: true },
]

export type Aspect = 'files' | 'verdicts' | 'obsolete keys' | 'summary' | 'exit code'

/** An expected failure: `${scenario} / ${mode} / ${aspect}`, or `${scenario} / ${aspect}` for the whole run. */
export type KnownFailures = ReadonlySet<string>

export interface SnapshotSuiteOptions {
  /** Extra environment for every run (e.g. ISOLATED_TEST_PROCESS_MODEL), so the suite runs on each process model. */
  readonly env?: Env
  readonly knownFailures: KnownFailures
}

function sourceDir(runtime: Runtime): string {
  return join(repoRoot, 'fixtures', runtime.framework === 'vitest' ? 'fidelity-vitest-snapshots' : 'fidelity-jest-snapshots')
}

/** The bare suite: suite/ copied into each mode's folder with that mode's mode file. */
function fillBare(runtime: Runtime, dir: string): void {
  const src = sourceDir(runtime)
  const ext = runtime.framework === 'vitest' ? 'ts' : 'js'
  for (const file of ['package.json', runtime.framework === 'vitest' ? 'vitest.config.ts' : 'jest.config.js']) cpSync(join(src, file), join(dir, file))
  for (const mode of MODES) {
    copyTree(join(src, 'suite'), join(dir, mode))
    cpSync(join(src, 'modes', `${mode}.${ext}`), join(dir, mode, `mode.${ext}`))
  }
}

function replaceIn(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8')
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}:\n${text}`)
  writeFileSync(file, text.replace(from, to))
}

/** Stored snapshots also hold the skipped test's key, which must never count as obsolete. */
function addSkippedKey(runtime: Runtime, modeDir: string): void {
  const ext = runtime.framework === 'vitest' ? 'ts' : 'js'
  appendFileSync(join(modeDir, '__snapshots__', `basic.test.${ext}.snap`), '\nexports[`skipped: its stored snapshot is not obsolete 1`] = `"skipped value"`;\n')
}

/** A changed file snapshot, inline snapshot and file-snapshot file, and a key of a test that no longer exists. */
function editStored(runtime: Runtime, modeDir: string): void {
  const ext = runtime.framework === 'vitest' ? 'ts' : 'js'
  const snap = join(modeDir, '__snapshots__', `basic.test.${ext}.snap`)
  replaceIn(snap, '`"value one"`', '`"value zero"`')
  appendFileSync(snap, '\nexports[`a removed test 1`] = `"gone"`;\n')
  replaceIn(join(modeDir, `inline.test.${ext}`), '"answer": 42,', '"answer": 41,')
  if (runtime.framework === 'vitest') writeFileSync(join(modeDir, '__file_snapshots__', 'hello.html'), '<p>changed</p>\n')
}

function scenarioArgs(runtime: Runtime, scenario: Scenario): { args: string[]; env: Env } {
  const env: Env = { CI: scenario.ci ? 'true' : undefined }
  if (runtime.framework === 'vitest') return { args: [scenario.update ? '--update=all' : scenario.ci ? '--update=none' : '--update=new'], env }
  return { args: [scenario.ci ? '--ci' : '--ci=false', ...(scenario.update ? ['-u'] : [])], env }
}

interface Pair {
  readonly isolated: FixtureRun
  readonly inProcess: FixtureRun
  readonly isolatedDir: string
  readonly inProcessDir: string
}

/** Paths made relative to the project and lists sorted, so two copies' summaries compare. */
export function normalizeSummary(summary: Record<string, unknown> | undefined, dir: string): unknown {
  const rel = (p: unknown): unknown => (typeof p === 'string' ? p.split(`${dir}/`).join('') : p)
  if (!summary) return undefined
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(summary).sort()) {
    const value = summary[key]
    if (key === 'filesRemovedList' && Array.isArray(value)) out[key] = value.map(rel).sort()
    else if (key === 'uncheckedKeysByFile' && Array.isArray(value))
      out[key] = (value as { filePath: string; keys: string[] }[]).map((f) => ({ filePath: rel(f.filePath), keys: [...f.keys].sort() })).sort((a, b) => (String(a.filePath) < String(b.filePath) ? -1 : 1))
    else out[key] = value
  }
  return out
}

function uncheckedKeysOf(run: FixtureRun, dir: string, mode: Mode): unknown {
  const summary = normalizeSummary(run.json.snapshot, dir) as { uncheckedKeysByFile?: { filePath: string; keys: string[] }[] } | undefined
  return (summary?.uncheckedKeysByFile ?? []).filter((f) => f.filePath.startsWith(`${mode}/`))
}

function verdictsOf(run: FixtureRun, mode: Mode): Record<string, string> {
  const out: Record<string, string> = {}
  for (const t of run.results) if (t.file.startsWith(`${mode}/`)) out[`${t.file.slice(mode.length + 1)} > ${t.fullName}`] = t.status
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)))
}

export function snapshotSuite(runtime: Runtime, options: SnapshotSuiteOptions): void {
  const env = options.env ?? {}
  let stored: string | undefined

  const run = (dir: string, scenario: Scenario, inProcess: boolean): FixtureRun => {
    const { args, env: scenarioEnv } = scenarioArgs(runtime, scenario)
    // Marks for the retried test: one directory per run.
    const marks = mkdtempSync(join(tmpdir(), 'isolated-fidelity-marks-'))
    return runFixture(runtime, dir, args, { env: { ...env, ...scenarioEnv, E2E_MARK_DIR: marks, ISOLATED_TEST: inProcess ? 'off' : undefined } })
  }

  /** The in-process "new" run: what stored scenarios start from. */
  const inProcessNew = (() => {
    let pair: { dir: string; run: FixtureRun } | undefined
    return () => {
      if (!pair) {
        const dir = tempProject(runtime, 'in-process-new', (d) => fillBare(runtime, d))
        pair = { dir, run: run(dir, SCENARIOS[0]!, true) }
        stored = dir
      }
      return pair
    }
  })()

  const prepare = (scenario: Scenario, label: string): string =>
    tempProject(runtime, `${scenario.name}-${label}`, (dir) => {
      if (scenario.start === 'bare') return fillBare(runtime, dir)
      inProcessNew()
      copyTree(stored!, dir)
      for (const mode of MODES) {
        addSkippedKey(runtime, join(dir, mode))
        if (scenario.start === 'stored, edited') editStored(runtime, join(dir, mode))
      }
    })

  const check = (id: string, name: string, fn: () => unknown): void => {
    ;(options.knownFailures.has(id) ? test.fails : test)(name, fn as () => void)
  }

  describe.skipIf(!fidelityRuns(runtime))(`${runtime.label}: snapshots match the in-process run`, () => {
    for (const scenario of SCENARIOS) {
      describe(scenario.name, () => {
        let pair: Pair
        beforeAll(() => {
          const isolatedDir = prepare(scenario, 'isolated')
          let inProcessDir: string
          let inProcessRun: FixtureRun
          if (scenario.name === 'new') {
            ;({ dir: inProcessDir, run: inProcessRun } = inProcessNew())
          } else {
            inProcessDir = prepare(scenario, 'in-process')
            inProcessRun = run(inProcessDir, scenario, true)
          }
          // Before the isolated run writes anything: the in-process run of "new" is the stored state.
          const isolatedRun = run(isolatedDir, scenario, false)
          pair = { isolated: isolatedRun, inProcess: inProcessRun, isolatedDir, inProcessDir }
          // Both runs reached every test: a difference below is about snapshots, not a broken run.
          const names = (r: FixtureRun): string[] => r.results.map((t) => `${t.file} > ${t.fullName}`).sort()
          if (pair.inProcess.results.length === 0 || names(pair.isolated).join('\n') !== names(pair.inProcess).join('\n')) {
            throw new Error(`the two runs did not report the same tests:\nisolated:\n${names(pair.isolated).join('\n')}\nin-process:\n${names(pair.inProcess).join('\n')}\n${pair.isolated.output}`)
          }
          if (!existsSync(join(isolatedDir, 'fork'))) throw new Error('the copy lost its suite')
        }, HOOK_LIMIT_MS)

        for (const mode of MODES) {
          check(`${scenario.name} / ${mode} / files`, `${mode}: snapshot files and inline-rewritten sources equal the in-process run's`, () => {
            expect(readTree(join(pair.isolatedDir, mode))).toEqual(readTree(join(pair.inProcessDir, mode)))
          })
          check(`${scenario.name} / ${mode} / verdicts`, `${mode}: test verdicts equal the in-process run's`, () => {
            expect(verdictsOf(pair.isolated, mode)).toEqual(verdictsOf(pair.inProcess, mode))
          })
          check(`${scenario.name} / ${mode} / obsolete keys`, `${mode}: obsolete (unchecked) keys equal the in-process run's`, () => {
            expect(uncheckedKeysOf(pair.isolated, pair.isolatedDir, mode)).toEqual(uncheckedKeysOf(pair.inProcess, pair.inProcessDir, mode))
          })
        }
        check(`${scenario.name} / summary`, "the snapshot summary (written, updated, obsolete, total) equals the in-process run's", () => {
          expect(normalizeSummary(pair.isolated.json.snapshot, pair.isolatedDir)).toEqual(normalizeSummary(pair.inProcess.json.snapshot, pair.inProcessDir))
        })
        check(`${scenario.name} / exit code`, "the exit code equals the in-process run's", () => {
          expect(pair.isolated.code).toBe(pair.inProcess.code)
        })
        test('no process we started is left', async () => {
          expect(await survivors([...pair.isolated.pids, ...pair.inProcess.pids])).toEqual([])
        })
      })
    }
  })
}
