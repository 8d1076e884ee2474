// memoryLimit on real Vitest 4.1 (isolated() bodies), on this run's process model: a test whose JS heap
// grows to 400 MB and one whose grandchild fills a 400 MB Buffer both fail with IsolatedMemoryError long
// before their 20 s limit, naming the test, the limit and the process that held the memory; a test
// using 30 MB passes, also in a file whose import holds 160 MB (on the fork server: a zygote over
// 150 MB RSS); every line of our JSON report carries peak memory and CPU; nothing is left.
import { beforeAll, expect, test } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { readPids, survivors } from '../helpers/processes.js'
import { runVitest, type VitestRun } from '../helpers/run-vitest.js'
import { FORK_SERVER } from '../helpers/model.js'
import { checkReportLines, type ReportLine } from '../helpers/report-lines.js'

const project = join(repoRoot, 'fixtures', 'vitest4')
let run: VitestRun
let lines: ReportLine[]
let hogPids: number[]

beforeAll(() => {
  const pidsFile = join(repoRoot, '.tmp', `memory-pids-${process.pid}.txt`)
  writeFileSync(pidsFile, '')
  // The sampler always (e2e/vitest/cgroup.test.ts covers the cgroup v2 path where there is one).
  run = runVitest(project, ['memory/'], { E2E_MEMORY_PIDS: pidsFile, ISOLATED_TEST_NO_CGROUP: '1' })
  hogPids = readPids(pidsFile)
  lines = checkReportLines(readFileSync(join(run.dir, 'isolated.jsonl'), 'utf8'))
})

const byName = (name: string): ReportLine => {
  const found = lines.filter((l) => l.fullName === name)
  expect(found, `one report line for ${name}`).toHaveLength(1)
  return found[0]!
}

test('400 MB of JS heap fails with IsolatedMemoryError naming the test, the limit, the peak and the child', () => {
  const t = run.test('allocates 400 MB of JS heap')
  expect(t.status).toBe('failed')
  const message = t.failureMessages.join('\n')
  expect(message).toMatch(/IsolatedMemoryError: The test "allocates 400 MB of JS heap" used more memory than its limit of 150 MB during the test body: its process tree \(\d+ process(es)?\) reached (\d+(\.\d)?) MB/)
  const peak = Number(/reached (\d+(?:\.\d)?) MB/.exec(message)![1])
  expect(peak).toBeGreaterThan(150)
  // The child itself held it: its pid and its command line (our child entry).
  expect(message).toMatch(/The most was held by pid \d+ \(\d+(\.\d)? MB\): \S*node\S* .*child-entry\.js/)
  expect(message).toContain('Enforced by the sampler')
  expect(message).toContain('raise the limit: the `memoryLimit` option (now 150 MB)')
  const line = byName('allocates 400 MB of JS heap')
  expect(line.outcome).toBe('memory')
  expect(line.memory).toMatchObject({ source: 'sampler', limitMb: 150 })
  expect(line.memory.peakMb).toBeGreaterThan(150)
  // Well before the 20 s limit (the body's time as the child measured it; wide margin for a loaded machine).
  expect(line.durations.body).toBeLessThan(12_000)
})

test('a grandchild filling a 400 MB Buffer fails the test, naming that process', () => {
  const t = run.test('a grandchild allocates 400 MB')
  expect(t.status).toBe('failed')
  const message = t.failureMessages.join('\n')
  expect(message).toContain('IsolatedMemoryError: The test "a grandchild allocates 400 MB" used more memory than its limit of 150 MB')
  expect(hogPids).toHaveLength(1)
  // Named with its pid and command among the tree's processes. Under the fork server it holds the most
  // (a forked child's own private memory is a few MB); a fresh child's RSS (Node and the framework,
  // 70-90 MB) may still be the larger when the sum crosses 150 MB.
  expect(message).toMatch(new RegExp(`pid ${hogPids[0]} \\(\\d+(\\.\\d)? MB\\): \\S*node\\S* -e const b = Buffer\\.alloc\\(400`))
  if (FORK_SERVER) expect(message).toContain(`The most was held by pid ${hogPids[0]} (`)
  // The child itself is listed too, with its command line.
  expect(message).toMatch(/\n {4}pid \d+ \(\d+(\.\d)? MB\): \S*node\S* .*child-entry\.js/)
  const line = byName('a grandchild allocates 400 MB')
  expect(line.outcome).toBe('memory')
  expect(line.memory.peakMb).toBeGreaterThan(150)
  expect(line.durations.body).toBeLessThan(12_000)
})

test('a test using 30 MB passes under the same limit, with its sampled peak below it', () => {
  expect(run.test('uses 30 MB').status).toBe('passed')
  const line = byName('uses 30 MB')
  expect(line.outcome).toBe('pass')
  expect(line.memory.source).toBe('sampler')
  expect(line.memory.peakMb).toBeGreaterThan(30)
  expect(line.memory.peakMb).toBeLessThanOrEqual(150)
})

// The big-zygote file: its import fills a 160 MB Buffer, so the process that imported it is over the
// 150 MB limit before the body runs. On the fork server that process is the zygote, and a fork counts
// only the pages it writes: the test passes. On fresh processes the child imports the file itself and
// its own RSS counts: the limit is crossed while it imports the file, and the test fails, naming the limit.
const bigZygote = 'uses 30 MB beside a 160 MB import'
if (FORK_SERVER) {
  test('a test using 30 MB passes in a file whose zygote is over 150 MB RSS (the fork counts only what it writes)', () => {
    const t = run.test(bigZygote)
    expect(t.status, t.failureMessages.join('\n')).toBe('passed')
    const line = byName(bigZygote)
    expect(line).toMatchObject({ outcome: 'pass', processModel: 'fork-server' })
    expect(line.memory).toMatchObject({ source: 'sampler', limitMb: 150 })
    // The body checked that its own RSS (the zygote's pages) is over 160 MB; the counted peak is what it wrote.
    expect(line.memory.peakMb).toBeGreaterThan(30)
    expect(line.memory.peakMb).toBeLessThan(150)
  })
} else {
  test('fresh processes: a 160 MB import is the child\'s own RSS, so a 150 MB limit fails that test with IsolatedMemoryError', () => {
    const t = run.test(bigZygote)
    expect(t.status).toBe('failed')
    expect(t.failureMessages.join('\n')).toContain(`IsolatedMemoryError: The test "${bigZygote}" used more memory than its limit of 150 MB`)
    const line = byName(bigZygote)
    expect(line).toMatchObject({ outcome: 'memory', processModel: 'fresh' })
    expect(line.memory.peakMb).toBeGreaterThan(150)
  })
}

test('without a limit, the figures are the estimate: the child\'s high-water mark (a fork: above its size at the fork)', () => {
  expect(run.test('no limit: nothing sampled, figures estimated').status).toBe('passed')
  const line = byName('no limit: nothing sampled, figures estimated')
  expect(line.memory).toMatchObject({ source: 'vmhwm', limitMb: null })
  // It filled 20 MB itself.
  expect(line.memory.peakMb).toBeGreaterThan(19)
  expect(line.cpu.source).toBe('proc-stat')
})

test('every report line has peak memory and CPU time', () => {
  expect(lines).toHaveLength(5)
  for (const line of lines) {
    expect(line.memory.peakMb, line.fullName).toEqual(expect.any(Number))
    expect(line.cpu.ms, line.fullName).toEqual(expect.any(Number))
    expect(line.cpu.ms, line.fullName).toBeGreaterThan(0)
  }
})

test('no process we started is left, the grandchildren included', async () => {
  expect(run.pids.length).toBeGreaterThan(0)
  expect(await survivors([...run.pids, ...hogPids])).toEqual([])
})
