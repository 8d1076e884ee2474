// memoryLimit on real Jest 30 (the environment, the limit from the @isolated-test pragma), on this run's
// process model: a test whose JS heap grows to 400 MB and one whose grandchild fills a 400 MB Buffer
// both fail with IsolatedMemoryError long before their 20 s limit, naming the test and the process
// that held the memory; a test using 30 MB passes, also in a file whose import holds 160 MB (on the fork
// server: a zygote over 150 MB RSS); every report line has peak memory and CPU; nothing
// is left running.
import { beforeAll, describe, expect, test } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { leftovers, runJest, type JestRun } from './helpers.js'
import { FORK_SERVER } from '../helpers/model.js'
import { checkReportLines, type ReportLine } from '../helpers/report-lines.js'

describe('jest 30: memoryLimit 150 MB (pragma)', () => {
  let run: JestRun
  let lines: ReportLine[]
  beforeAll(async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'isolated-e2e-memory-')), 'isolated.jsonl')
    // The sampler always (e2e/vitest/cgroup.test.ts covers the cgroup v2 path where there is one).
    run = await runJest('jest30', ['memory/'], { env: { ISOLATED_TEST_REPORT: report, ISOLATED_TEST_NO_CGROUP: '1' } })
    lines = checkReportLines(readFileSync(report, 'utf8'))
  })

  const line = (name: string): ReportLine => {
    const found = lines.filter((l) => l.fullName === name)
    expect(found, `one report line for ${name}`).toHaveLength(1)
    return found[0]!
  }

  test('400 MB of JS heap fails with IsolatedMemoryError naming the test, the limit, the peak and the child', () => {
    expect(run.result('allocates 400 MB of JS heap').status).toBe('failed')
    const message = run.failure('allocates 400 MB of JS heap')
    expect(message).toMatch(/IsolatedMemoryError: The test "allocates 400 MB of JS heap" used more memory than its limit of 150 MB during the test body: its process tree \(\d+ process(es)?\) reached \d+(\.\d)? MB/)
    expect(message).toMatch(/The most was held by pid \d+ \(\d+(\.\d)? MB\): \S*node\S* .*child-entry\.js/)
    expect(message).toContain('Enforced by the sampler')
    expect(message).toContain('the `memoryLimit` option (now 150 MB)')
    const l = line('allocates 400 MB of JS heap')
    expect(l.outcome).toBe('memory')
    expect(l.memory).toMatchObject({ source: 'sampler', limitMb: 150 })
    expect(l.memory.peakMb).toBeGreaterThan(150)
    expect(l.durations.body).toBeLessThan(12_000)
  })

  test('a grandchild filling a 400 MB Buffer fails the test, naming that process', () => {
    const hog = run.log.filter((e) => e.what === 'memory grandchild')
    expect(hog).toHaveLength(1)
    const message = run.failure('a grandchild allocates 400 MB')
    expect(message).toContain('IsolatedMemoryError: The test "a grandchild allocates 400 MB" used more memory than its limit of 150 MB')
    // Named with its pid and command among the tree's processes. Under the fork server it holds the most
    // (a forked child's own private memory is a few MB); a fresh child's RSS (Node and the framework,
    // 70-90 MB) may still be the larger when the sum crosses 150 MB.
    expect(message).toMatch(new RegExp(`pid ${hog[0]!.pid} \\(\\d+(\\.\\d)? MB\\): \\S*node\\S* -e const b = Buffer\\.alloc\\(400`))
    if (FORK_SERVER) expect(message).toContain(`The most was held by pid ${hog[0]!.pid} (`)
    // The child itself is listed too, with its command line.
    expect(message).toMatch(/\n {4}pid \d+ \(\d+(\.\d)? MB\): \S*node\S* .*child-entry\.js/)
    const l = line('a grandchild allocates 400 MB')
    expect(l.outcome).toBe('memory')
    expect(l.durations.body).toBeLessThan(12_000)
  })

  test('a test using 30 MB passes under the same limit', () => {
    expect(run.result('uses 30 MB').status).toBe('passed')
    const l = line('uses 30 MB')
    expect(l.memory.source).toBe('sampler')
    expect(l.memory.peakMb).toBeGreaterThan(30)
    expect(l.memory.peakMb).toBeLessThanOrEqual(150)
  })

  // memory/big-zygote.test.js fills a 160 MB Buffer at import, so the process that imported it is over the
  // 150 MB limit before the body runs. On the fork server that process is the zygote, and a fork counts
  // only the pages it writes: the test passes. On fresh processes the child imports the file itself and
  // its own RSS counts: the limit is crossed while it imports the file, and the test fails, naming the limit.
  const bigZygote = 'uses 30 MB beside a 160 MB import'
  if (FORK_SERVER) {
    test('a test using 30 MB passes in a file whose zygote is over 150 MB RSS (the fork counts only what it writes)', () => {
      expect(run.result(bigZygote).status, run.failure(bigZygote)).toBe('passed')
      const l = line(bigZygote)
      expect(l).toMatchObject({ outcome: 'pass', processModel: 'fork-server' })
      expect(l.memory).toMatchObject({ source: 'sampler', limitMb: 150 })
      // The body checked that its own RSS (the zygote's pages) is over 160 MB; the counted peak is what it
      // wrote (the 30 MB it holds, read exactly once it answered), never the zygote's 160 MB.
      expect(l.memory.peakMb).toBeGreaterThan(30)
      expect(l.memory.peakMb).toBeLessThan(150)
    })
  } else {
    test('fresh processes: a 160 MB import is the child\'s own RSS, so a 150 MB limit fails that test with IsolatedMemoryError', () => {
      expect(run.result(bigZygote).status).toBe('failed')
      expect(run.failure(bigZygote)).toContain(`IsolatedMemoryError: The test "${bigZygote}" used more memory than its limit of 150 MB`)
      const l = line(bigZygote)
      expect(l).toMatchObject({ outcome: 'memory', processModel: 'fresh' })
      expect(l.memory.peakMb).toBeGreaterThan(150)
    })
  }

  test('every report line has peak memory and CPU time', () => {
    expect(lines).toHaveLength(4)
    for (const l of lines) {
      expect(l.memory.peakMb, l.fullName).toEqual(expect.any(Number))
      expect(l.cpu.ms, l.fullName).toBeGreaterThan(0)
    }
  })

  // The run summary (a report is set): printed once, by the first process of the run to exit, naming
  // file > test with the report's figures, heaviest first.
  test('the run summary is printed once and names the heaviest tests with their report figures', () => {
    const starts = run.output.split('isolated-test: 4 isolated tests in this run').length - 1
    expect(starts, run.output).toBe(1)
    const block = run.output.slice(run.output.indexOf('isolated-test: 4 isolated tests in this run'))
    const section = (heading: string): string[] =>
      (block.split('\n  heaviest by ').find((s) => s.startsWith(heading)) ?? '').split('\n').slice(1).filter((l) => /^ {4,}\d/.test(l))
    const memory = section('peak memory')
    const cpu = section('CPU time')
    expect(memory).toHaveLength(4)
    expect(cpu).toHaveLength(4)
    const heaviest = [...lines].sort((a, b) => b.memory.peakMb! - a.memory.peakMb!)[0]!
    expect(memory[0]).toMatch(new RegExp(`^ +${heaviest.memory.peakMb!.toFixed(1).replace('.', '\\.')} MB {2}memory/[\\w-]+\\.test\\.js > ${heaviest.fullName}$`))
    expect(memory.join('\n')).toMatch(/ MB {2}memory\/memory\.test\.js > allocates 400 MB of JS heap$/m)
    const busiest = [...lines].sort((a, b) => b.cpu.ms! - a.cpu.ms!)[0]!
    expect(cpu[0]).toMatch(new RegExp(`^ +${Math.round(busiest.cpu.ms!)} ms {2}memory/[\\w-]+\\.test\\.js > ${busiest.fullName}$`))
  })

  test('nothing is left running', async () => {
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(leftovers(run)).toEqual([])
  })
})
