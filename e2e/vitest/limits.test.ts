// V8's heap cap and cpuLimit on real Vitest 4.1 (isolated() bodies), on this run's process model
// (fixtures/vitest4/limits/): a JS heap reaching V8's cap fails with IsolatedMemoryError naming the
// mechanism ('v8-heap') and the heap when a memoryLimit is set, and crashes saying it ran out of memory
// when none is; a memoryLimit gives the child (fresh) or its zygote (fork server) a heap cap derived
// from it; a child or a grandchild burning CPU past cpuLimit fails with IsolatedCpuError within about a
// sampling period, naming the process; our report carries the figures; nothing is left running.
import { beforeAll, expect, test } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { readPids, survivors } from '../helpers/processes.js'
import { runVitest, type VitestRun } from '../helpers/run-vitest.js'
import { checkReportLines, type ReportLine } from '../helpers/report-lines.js'

const project = join(repoRoot, 'fixtures', 'vitest4')
let run: VitestRun
let lines: ReportLine[]
let burnerPids: number[]

beforeAll(() => {
  const pidsFile = join(repoRoot, '.tmp', `limits-pids-${process.pid}.txt`)
  writeFileSync(pidsFile, '')
  run = runVitest(project, ['limits/'], { E2E_LIMITS_PIDS: pidsFile })
  burnerPids = readPids(pidsFile)
  lines = checkReportLines(readFileSync(join(run.dir, 'isolated.jsonl'), 'utf8'))
})

const byName = (name: string): ReportLine => {
  const found = lines.filter((l) => l.fullName === name)
  expect(found, `one report line for ${name}`).toHaveLength(1)
  return found[0]!
}

test("a heap that reaches V8's cap under a memoryLimit fails with IsolatedMemoryError, mechanism 'v8-heap', with the heap at the crash", () => {
  const t = run.test('heap cap under a memoryLimit')
  expect(t.status).toBe('failed')
  const message = t.failureMessages.join('\n')
  expect(message).toMatch(/IsolatedMemoryError: The test "heap cap under a memoryLimit" ran out of memory under its limit of 1000 MB during the test body: its V8 heap reached its cap at (\d+(\.\d+)?) MB and the child crashed with V8's out-of-memory error/)
  const heap = Number(/its cap at (\d+(?:\.\d+)?) MB/.exec(message)![1])
  // V8 gives up close to its 96 MB cap (old space; its last GCs report the heap).
  expect(heap).toBeGreaterThan(60)
  expect(heap).toBeLessThan(200)
  expect(message).toContain("Enforced by V8's heap cap (--max-old-space-size=96), which your execArgv or NODE_OPTIONS set")
  expect(message).toContain('raise your --max-old-space-size (now 96 MB)')
  expect(message).toMatch(/The most was held by pid \d+ \(\d+(\.\d)? MB\): \S*node\S* .*child-entry\.js/)
  const line = byName('heap cap under a memoryLimit')
  expect(line.outcome).toBe('memory')
  expect(line.error).toMatchObject({ name: 'IsolatedMemoryError', code: 'ISOLATED_MEMORY' })
  expect(line.memory.limitMb).toBe(1000)
  expect(line.memory.peakMb).toBeGreaterThan(60)
  expect(['sampler', 'v8-heap']).toContain(line.memory.source)
})

test('without a memoryLimit the same crash stays IsolatedCrashError, saying it ran out of memory', () => {
  const t = run.test('heap cap without a memoryLimit')
  expect(t.status).toBe('failed')
  const message = t.failureMessages.join('\n')
  expect(message).toContain('IsolatedCrashError: The child process')
  expect(message).toContain("It ran out of memory: V8's heap reached its cap (JavaScript heap out of memory).")
  expect(message).toContain('set `memoryLimit` to bound')
  expect(message).toContain('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory')
  expect(byName('heap cap without a memoryLimit').outcome).toBe('crash')
})

test('a memoryLimit gives the child a heap cap derived from it (on the fork server: its zygote)', () => {
  const t = run.test('memoryLimit sets the heap cap')
  expect(t.status, t.failureMessages.join('\n')).toBe('passed')
  expect(byName('memoryLimit sets the heap cap').outcome).toBe('pass')
})

test('a body burning CPU past cpuLimit fails with IsolatedCpuError within about a sampling period, naming the child', () => {
  const t = run.test('burns CPU past cpuLimit')
  expect(t.status).toBe('failed')
  const message = t.failureMessages.join('\n')
  expect(message).toMatch(/IsolatedCpuError: The test "burns CPU past cpuLimit" used more CPU time than its limit of 1500 ms during the test body: its process tree \(\d+ process(es)?\) had used (\d+) ms of CPU/)
  const used = Number(/had used (\d+) ms of CPU/.exec(message)![1])
  // Within about one sampling period of the crossing: 50 ms on each of 2 cores, and 10 ms ticks (wide margin).
  expect(used).toBeGreaterThan(1500)
  expect(used).toBeLessThan(1500 + 500)
  expect(message).toMatch(/The most was used by pid \d+ \(\d+ ms\): \S*node\S* .*child-entry\.js/)
  expect(message).toContain('raise the limit: the `cpuLimit` option (now 1500 ms)')
  const line = byName('burns CPU past cpuLimit')
  expect(line.outcome).toBe('cpu')
  expect(line.cpu).toMatchObject({ source: 'sampler', limitMs: 1500 })
  expect(line.cpu.ms).toBe(used)
  // Before its 19 s loop ended by itself, or its 20 s limit (under load the CPU time comes slower than the clock's).
  expect(line.durations.body).toBeLessThan(19_000)
})

test('a grandchild burning CPU fails the test, naming that process', () => {
  const t = run.test('a grandchild burns CPU past cpuLimit')
  expect(t.status).toBe('failed')
  const message = t.failureMessages.join('\n')
  expect(message).toContain('IsolatedCpuError: The test "a grandchild burns CPU past cpuLimit" used more CPU time than its limit of 1500 ms')
  expect(burnerPids).toHaveLength(1)
  expect(message).toMatch(new RegExp(`pid ${burnerPids[0]} \\(\\d+ ms\\): \\S*node\\S* -e for \\(;;\\) \\{\\}`))
  expect(byName('a grandchild burns CPU past cpuLimit').outcome).toBe('cpu')
})

test('a test idling under cpuLimit passes, with the tree\'s CPU time in the report', () => {
  expect(run.test('idles under cpuLimit').status).toBe('passed')
  const line = byName('idles under cpuLimit')
  expect(line.cpu).toMatchObject({ source: 'sampler', limitMs: 5000 })
  expect(line.cpu.ms, 'the 100 ms of CPU time it burned').toBeGreaterThanOrEqual(50)
  expect(line.cpu.ms).toBeLessThan(5000)
})

test('no process we started is left, the grandchild included', async () => {
  expect(run.pids.length).toBeGreaterThan(0)
  expect(await survivors([...run.pids, ...burnerPids])).toEqual([])
})
