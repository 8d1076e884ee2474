// The seed examples of issue 5 under Jest 30, under 'fork' and 'spawn': what crosses the process
// boundary, what Jest reports, and what the JSON Lines report file says about each isolated run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { fixturesDir, isGone, leftovers, runJest, type JestRun, type RunOptions } from './helpers.js'
import { FORK_SERVER } from '../helpers/model.js'

interface Entry {
  readonly where: string
  readonly name: string
  readonly file?: string
  readonly kind: string
  readonly note?: string
}

interface ReportLine {
  readonly runId: string
  readonly file: string
  readonly fullName: string
  readonly method: string
  readonly limit: number | null
  readonly outcome: string
  readonly durations: { readonly boot: number | null; readonly import: number | null; readonly body: number | null }
  readonly exit: { readonly code: number | null; readonly signal: string | null } | null
  readonly stuckFrames: readonly unknown[]
  readonly error: { readonly name: string; readonly message: string } | null
  readonly report: { readonly parentToChild: readonly Entry[]; readonly childToParent: readonly Entry[]; readonly leftOpen: readonly Entry[] } | null
}

const plain = join(fixturesDir, 'jest30', 'plain')
const work = mkdtempSync(join(tmpdir(), 'isolated-e2e-seeds-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Runs Jest with the JSON Lines report written to a file of its own, and reads its lines. */
async function runWithReport(name: string, args: readonly string[], options: RunOptions & { reportVia: 'env' | 'option' }): Promise<{ run: JestRun; lines: ReportLine[] }> {
  const file = join(work, `${name}.jsonl`)
  const viaOption = ['--testEnvironmentOptions', JSON.stringify({ isolated: { bootTimeout: 20000, report: file } })]
  const run = await runJest('jest30', options.reportVia === 'option' ? [...viaOption, ...args] : args, {
    ...options,
    env: { ...options.env, ...(options.reportVia === 'env' ? { ISOLATED_TEST_REPORT: file } : {}) },
  })
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ReportLine)
  return { run, lines }
}

const names = (entries: readonly Entry[] | undefined): string[] => (entries ?? []).map((e) => e.name)

/** The pids the seed files print ("[MODULE SCOPE] child 1234: ..."): every process that ran them. */
function printedPids(output: string, tag: string): number[] {
  return [...output.matchAll(new RegExp(`\\[${tag}\\] (?:parent|child) (\\d+):`, 'g'))].map((m) => Number(m[1]))
}

/** Every line shares one run id, though Jest's workers write them (Jest's main pid and seed). */
function expectOneRunId(lines: readonly ReportLine[], run: JestRun): void {
  expect(new Set(lines.map((l) => l.runId)).size).toBe(1)
  expect(lines[0]!.runId).toMatch(new RegExp(`^jest-${run.jestPid}-[0-9a-f]+$`))
}

function expectDurations(line: ReportLine): void {
  for (const d of [line.durations.boot, line.durations.import, line.durations.body]) expect(d).toBeGreaterThanOrEqual(0)
  // The parent ends the child once it has the answer.
  expect(line.exit).toEqual({ code: null, signal: 'SIGKILL' })
  expect(line.stuckFrames).toEqual([])
}

describe.each(['fork', 'spawn'] as const)('the seed examples with isolated() under a plain Jest setup, %s', (method) => {
  let run: JestRun
  let lines: ReportLine[]
  beforeAll(async () => {
    ;({ run, lines } = await runWithReport(`plain-${method}`, ['--maxWorkers=2', '__tests__/seed-module-scope.test.js', '__tests__/seed-logger.test.js'], {
      cwd: plain,
      env: { SEED_METHOD: method },
      reportVia: 'env',
    }))
  })

  test('every test passes, and the report file has one line per isolated run', () => {
    const failed = run.json.testResults.flatMap((f) => f.assertionResults).filter((r) => r.status !== 'passed')
    expect(failed.map((r) => `${r.fullName}: ${r.failureMessages.join('\n')}`)).toEqual([])
    expect(run.json.numPassedTests).toBe(5)
    // 2 calls of appendToList, 2 + 2 logger calls, 1 wrapped body.
    expect(lines).toHaveLength(7)
    expectOneRunId(lines, run)
    for (const line of lines) {
      expect(line).toMatchObject({ method, limit: 5000, outcome: 'pass', error: null })
      expectDurations(line)
    }
  })

  test('Example 1: each child sees the module-scope list as the method leaves it, and the parent keeps its own', () => {
    // The test's own assertions check the lists (fork: with the parent's update; spawn: without).
    expect(run.result('each child appends to its own copy of the list').status).toBe('passed')
    // Fresh processes: each child imports the file again, so the module scope runs in the parent and in
    // each child. The fork server: it runs once more, in the zygote both children are forked from.
    expect(printedPids(run.output, 'MODULE SCOPE')).toHaveLength(FORK_SERVER ? 2 : 3)
    const inherited = method === 'fork' ? '["Initial value","Parent process update"]' : '["Initial value"]'
    expect(run.output.split(`[FUNC SCOPE] child`).length - 1).toBe(2)
    expect(run.output).toMatch(new RegExp(`\\[FUNC SCOPE\\] child \\d+: list initially ${inherited.replace(/[[\]]/g, '\\$&')}\\n`))
  })

  test('Example 1: the report names MODULE_SCOPE_LIST child → parent, and parent → child only under spawn', () => {
    const calls = lines.filter((l) => l.fullName === 'each child appends to its own copy of the list > anonymous()')
    expect(calls).toHaveLength(2)
    for (const call of calls) {
      expect(call.file).toBe(join(plain, '__tests__', 'seed-module-scope.test.js'))
      expect(names(call.report?.childToParent)).toEqual(['MODULE_SCOPE_LIST'])
      expect(call.report?.childToParent[0]).toMatchObject({ where: 'module', file: call.file, kind: 'changed' })
      expect(names(call.report?.parentToChild)).toEqual(method === 'spawn' ? ['MODULE_SCOPE_LIST'] : [])
      expect(call.report?.leftOpen).toEqual([])
    }
  })

  test("Example 2: a child starts from the logger module's defaults; its debug lines go nowhere", () => {
    expect(run.result("a child has the logger module's defaults: its debug lines go nowhere").status).toBe('passed')
    expect(run.output).toContain(`seed: start subprocess with '${method}' method`)
    expect(run.output).not.toContain('seed: function executed (')
  })

  test('Example 2: every line a child writes to stdout or stderr reaches the test output', () => {
    for (const line of ['child stdout: a raw line', 'child stderr: a raw line', 'child console.log: a line']) expect(run.output).toContain(line)
  })

  test('Example 2: the setup option configures logging in the child', () => {
    expect(run.output).toMatch(/child \d+ - seed: function executed with setup \(1\)/)
    expect(run.output).toMatch(/child \d+ - seed: function executed with setup \(2\)/)
  })

  test('Example 2: the report names the logger the body closes over, not the sinks private to the logger module', () => {
    const defaults = lines.filter((l) => l.fullName.startsWith("a child has the logger module's defaults"))
    expect(defaults).toHaveLength(2)
    for (const call of defaults) {
      expect(names(call.report?.parentToChild)).toEqual(['logger'])
      // It holds functions: reported with the reason, never carried (not even by fork).
      expect(call.report?.parentToChild[0]?.note).toContain('a function (setLevel) at logger.setLevel')
      expect(JSON.stringify(call.report)).not.toContain('sinks')
    }
    const withSetup = lines.filter((l) => l.fullName.startsWith('the setup option configures logging'))
    expect(withSetup).toHaveLength(2)
    for (const call of withSetup) expect(call.report?.parentToChild).toEqual([])
  })

  test('one summary line per file counts the runs that passed with state differing', () => {
    expect(run.output.match(/isolated-test: 2 isolated test\(s\) of this file passed with state that differs/g)).toHaveLength(1)
    expect(run.output.match(/isolated-test: 3 isolated test\(s\) of this file passed with state that differs/g)).toHaveLength(1)
  })

  test('no process is left', () => {
    const pids = [...printedPids(run.output, 'MODULE SCOPE'), ...printedPids(run.output, 'LOGGER MODULE SCOPE')]
    // The parent's, then each child's (fresh) or each zygote's: the calls with the `setup` option are
    // forks of a zygote of their own (fork server).
    expect(pids).toHaveLength(FORK_SERVER ? 2 + 3 : 3 + 6)
    expect(pids.filter((pid) => !isGone(pid))).toEqual([])
    expect(leftovers(run)).toEqual([])
  })
})

describe('a beforeEach-filled `let db` read by the body, hooks in the parent (the environment)', () => {
  let run: JestRun
  let lines: ReportLine[]
  beforeAll(async () => {
    ;({ run, lines } = await runWithReport('env-db', ['__tests__/seed-db.test.js'], { reportVia: 'option' }))
  })

  test('fork carries db into the body: it passes', () => {
    expect(run.result('fork: the body reads the db its beforeEach filled in the parent').status).toBe('passed')
  })

  test('spawn fails, and the failure includes the report naming db', () => {
    const failure = run.failure('spawn: the body reads a db that was never filled, and the failure names it')
    expect(failure).toContain("TypeError: Cannot read properties of undefined (reading 'users')")
    expect(failure).toContain('IsolatedStateReport: State across the process boundary')
    expect(failure).toMatch(/parent → child[^\n]*\n\s+db \(module scope of __tests__\/seed-db\.test\.js\)\n\s+parent: \{ users: \['ada', 'grace'\] \}\n\s+child: +undefined/)
  })

  test('the report file: one line per test, the spawned ones naming db parent → child', () => {
    const file = join(fixturesDir, 'jest30', '__tests__', 'seed-db.test.js')
    expect(lines.map((l) => [l.fullName, l.method, l.outcome])).toEqual([
      ['fork: the body reads the db its beforeEach filled in the parent', 'fork', 'pass'],
      ['spawn: the body reads a db that was never filled, and the failure names it', 'spawn', 'fail'],
      ["spawn: a body that expects the child's own db passes, and the file's summary counts it", 'spawn', 'pass'],
    ])
    expectOneRunId(lines, run)
    for (const line of lines) {
      expect(line.file).toBe(file)
      expect(line.limit).toBe(10000)
      expectDurations(line)
      expect(names(line.report?.parentToChild)).toEqual(line.method === 'spawn' ? ['db'] : [])
      expect(line.report?.childToParent).toEqual([])
    }
    expect(lines[1]!.error).toEqual({ name: 'TypeError', message: "Cannot read properties of undefined (reading 'users')" })
    expect(lines[1]!.report?.parentToChild[0]).toMatchObject({ where: 'module', name: 'db', file, kind: 'changed' })
  })

  test("one summary line for the file counts the passing test whose state differed, printed at the file's end", () => {
    expect(run.output.match(/isolated-test: 1 isolated test\(s\) of this file passed with state that differs/g)).toHaveLength(1)
  })

  test('no process is left', () => {
    expect(leftovers(run)).toEqual([])
  })
})
