// The seed examples under Vitest with plain isolated(), under fork and spawn: what crosses the boundary,
// checked on Vitest's JSON report and on our JSON Lines report file.
import { beforeAll, describe, expect, test } from 'vitest'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { survivors } from '../helpers/processes.js'
import { runVitest, type VitestRun } from '../helpers/run-vitest.js'

interface Entry {
  where: string
  name: string
  before?: string
  after?: string
  note?: string
}
interface Line {
  runId: string
  file: string
  fullName: string
  method: 'fork' | 'spawn'
  limit: number | null
  outcome: string
  durations: { boot: number | null; import: number | null; body: number | null }
  exit: { code: number | null; signal: string | null } | null
  report: { parentToChild: Entry[]; childToParent: Entry[]; leftOpen: Entry[] } | null
}

const project = join(repoRoot, 'fixtures', 'vitest4')
let run: VitestRun
let lines: Line[]

beforeAll(() => {
  const reportFile = join(repoRoot, '.tmp', `state-report-${process.pid}.jsonl`)
  rmSync(reportFile, { force: true })
  run = runVitest(project, ['state/'], { ISOLATED_TEST_REPORT: reportFile })
  lines = readFileSync(reportFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line)
})

const linesOf = (method: 'fork' | 'spawn', test: string): Line[] => lines.filter((l) => l.method === method && l.fullName.startsWith(test))
const named = (entries: Entry[] | undefined, name: string): Entry | undefined => entries?.find((e) => e.name === name)

describe('Example 1 - Module scope mutable variable', () => {
  test('fork: each child sees the parent\'s update; spawn: the module top level runs again without it; the parent\'s list is unchanged', () => {
    expect(run.test('Example 1 - Module scope mutable variable (fork)').status).toBe('passed')
    expect(run.test('Example 1 - Module scope mutable variable (spawn)').status).toBe('passed')
    // Under spawn the module top level printed again in each child, with the initial list.
    expect(run.output.match(/\[MODULE SCOPE\] List initially: \["Initial value"\]/g)?.length).toBeGreaterThanOrEqual(4)
    expect(run.output).toContain('[FUNC SCOPE] List initially: ["Initial value","Parent process update"]')
  })

  test('the report names MODULE_SCOPE_LIST parent → child under spawn only, and child → parent under both', () => {
    const fork = linesOf('fork', 'Example 1')
    const spawn = linesOf('spawn', 'Example 1')
    expect(fork).toHaveLength(2)
    expect(spawn).toHaveLength(2)
    for (const l of spawn) {
      expect(named(l.report?.parentToChild, 'MODULE_SCOPE_LIST')).toMatchObject({ where: 'module', before: "['Initial value', 'Parent process update']", after: "['Initial value']" })
      expect(named(l.report?.childToParent, 'MODULE_SCOPE_LIST')?.after).toMatch(/^\['Initial value', 'Child process [12] update'\]$/)
    }
    for (const l of fork) {
      expect(named(l.report?.parentToChild, 'MODULE_SCOPE_LIST')).toBeUndefined()
      expect(named(l.report?.childToParent, 'MODULE_SCOPE_LIST')?.after).toMatch(/^\['Initial value', 'Parent process update', 'Child process [12] update'\]$/)
    }
  })

  test('every line has the run id, file, name, method, limit, outcome and durations', () => {
    expect(new Set(lines.map((l) => l.runId)).size).toBe(1)
    for (const l of lines) {
      expect(l.file).toMatch(/fixtures\/vitest4\/state\/seed[12]-\w+\.test\.ts$/)
      expect(l.fullName).toMatch(/ > isolated\(\) call at state\/seed[12]-\w+\.test\.ts:\d+$/)
      expect(l.limit).toBe(5000)
      expect(l.outcome).toBe('pass')
      expect(l.durations.boot).toBeGreaterThan(0)
      expect(l.durations.import).toBeGreaterThan(0)
      expect(l.durations.body).toBeGreaterThanOrEqual(0)
      expect(l.exit?.signal).toBe('SIGKILL')
    }
  })
})

describe('Example 2 - Workers logger', () => {
  test('a spawned child has the default configuration; every line it writes reaches the test\'s output', () => {
    expect(run.test('a spawned child has the default logger configuration').status).toBe('passed')
    expect(run.output).toMatch(/stdout \| state\/seed2-logger\.test\.ts > a spawned child has the default logger configuration\n(?:.*\n)*?child stdout line 1/)
    expect(run.output).toMatch(/stderr \| state\/seed2-logger\.test\.ts > a spawned child has the default logger configuration\n(?:.*\n)*?child stderr line 1/)
    // The child's logger had no sink: its debug line went nowhere.
    expect(run.output).not.toContain('function executed 1')
  })

  test('the setup option configures the logger in the child', () => {
    expect(run.test('setup configures the logger in the child').status).toBe('passed')
    expect(run.output).toMatch(/child \d+: function executed 2/)
  })

  test('the report names the logger the body closes over, not the sinks held inside the logger module', () => {
    const [line] = linesOf('spawn', 'a spawned child has the default logger configuration')
    const log = named(line?.report?.parentToChild, 'log')
    expect(log?.where).toBe('module')
    expect(log?.before).toContain("level: 'debug'")
    expect(log?.after).toContain("level: 'info'")
    // The sinks live in a WeakMap private to src/logger.ts, which no body closes over.
    const names = [...(line?.report?.parentToChild ?? []), ...(line?.report?.childToParent ?? [])].map((e) => e.name)
    expect(names).toEqual(['log'])
  })
})

test('no process we started is left', async () => {
  expect(run.pids.length).toBeGreaterThan(5)
  expect(await survivors(run.pids)).toEqual([])
})
