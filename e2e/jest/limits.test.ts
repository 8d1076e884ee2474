// cpuLimit on real Jest 30 (the environment, the limit from the @isolated-test pragma), on this run's
// process model: a body spinning past 3000 ms of CPU (a fresh child's own start counts too) fails with
// IsolatedCpuError within about one sampling period of the limit, naming the test and the child; an
// idle test passes, and the report has the tree's CPU time with the limit; nothing is left running.
import { beforeAll, describe, expect, test } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { leftovers, runJest, type JestRun } from './helpers.js'
import { checkReportLines, type ReportLine } from '../helpers/report-lines.js'

describe('jest 30: cpuLimit 3000 ms (pragma)', () => {
  let run: JestRun
  let lines: ReportLine[]
  beforeAll(async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'isolated-e2e-limits-')), 'isolated.jsonl')
    run = await runJest('jest30', ['limits/'], { env: { ISOLATED_TEST_REPORT: report } })
    lines = checkReportLines(readFileSync(report, 'utf8'))
  })

  const line = (name: string): ReportLine => lines.find((l) => l.fullName === name)!

  test('the body burning CPU fails with IsolatedCpuError, naming the test, the limit, the CPU used and the child', () => {
    expect(run.result('burns CPU past cpuLimit').status).toBe('failed')
    const message = run.failure('burns CPU past cpuLimit')
    expect(message).toMatch(/IsolatedCpuError: The test "burns CPU past cpuLimit" used more CPU time than its limit of 3000 ms during the test body: its process tree \(\d+ process(es)?\) had used (\d+) ms of CPU/)
    const used = Number(/had used (\d+) ms of CPU/.exec(message)![1])
    expect(used).toBeGreaterThan(3000)
    // Within about one sampling period: 50 ms on each of 2 cores, and 10 ms ticks (wide margin).
    expect(used).toBeLessThan(3000 + 500)
    expect(message).toMatch(/The most was used by pid \d+ \(\d+ ms\): \S*node\S* .*child-entry\.js/)
    expect(message).toContain('the `cpuLimit` option (now 3000 ms)')
    expect(line('burns CPU past cpuLimit')).toMatchObject({ outcome: 'cpu', cpu: { source: 'sampler', limitMs: 3000, ms: used } })
  })

  test('an idle test passes, with the tree\'s CPU time under the limit in the report', () => {
    expect(run.result('idles under cpuLimit').status).toBe('passed')
    const l = line('idles under cpuLimit')
    expect(l).toMatchObject({ outcome: 'pass', cpu: { source: 'sampler', limitMs: 3000 } })
    expect(l.cpu.ms, 'the 100 ms of CPU time it burned').toBeGreaterThanOrEqual(50)
    expect(l.cpu.ms).toBeLessThan(3000)
  })

  test('nothing is left running', async () => {
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(leftovers(run)).toEqual([])
  })
})
