// memoryLimit enforced by the kernel: where this process's cgroup (inherited by Vitest and its workers)
// lies under a delegated, writable cgroup v2 with the memory controller enabled for its children, each
// child gets a cgroup of its own with memory.max. On real Vitest 4.1 (fixtures/vitest4/memory/), on this
// run's process model: the 400 MB heap and the 400 MB grandchild fail with IsolatedMemoryError
// "Enforced by the kernel", the report's memory source is 'cgroup', the 30 MB test passes; nothing is
// left. Skipped, with the reason in the test's name, where no such cgroup exists (cgroup v1, a
// cgroup v2 without the memory controller, or one we may not write: this development VM, hybrid).
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { findDelegatedCgroup } from '../../src/core/parent/containment/cgroup.js'
import { repoRoot } from '../helpers/package.js'
import { readPids, survivors } from '../helpers/processes.js'
import { runVitest, type VitestRun } from '../helpers/run-vitest.js'
import { checkReportLines, type ReportLine } from '../helpers/report-lines.js'

const found = findDelegatedCgroup()
const reason = found === undefined ? 'no writable cgroup v2 mounted at /sys/fs/cgroup (cgroup v1 or hybrid, or not delegated)' : !found.memory ? `the cgroup v2 at ${found.dir} has no memory controller for its children` : undefined

describe.skipIf(reason !== undefined)(`memoryLimit through a cgroup v2${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let run: VitestRun
  let lines: ReportLine[]
  let hogPids: number[]

  beforeAll(() => {
    const pidsFile = join(repoRoot, '.tmp', `cgroup-pids-${process.pid}.txt`)
    writeFileSync(pidsFile, '')
    run = runVitest(join(repoRoot, 'fixtures', 'vitest4'), ['memory/memory.test.ts'], { E2E_MEMORY_PIDS: pidsFile })
    hogPids = readPids(pidsFile)
    lines = checkReportLines(readFileSync(join(run.dir, 'isolated.jsonl'), 'utf8'))
  })

  const line = (name: string): ReportLine => lines.find((l) => l.fullName === name)!

  test.each(['allocates 400 MB of JS heap', 'a grandchild allocates 400 MB'])('%s: IsolatedMemoryError, enforced by the kernel', (name) => {
    const t = run.test(name)
    expect(t.status).toBe('failed')
    const message = t.failureMessages.join('\n')
    // The kernel's verdict, or V8's (its cap, the limit + 25% + 64 MB, may come first for the heap): never the sampler's.
    expect(message).toContain(`IsolatedMemoryError: The test "${name}"`)
    expect(message).not.toContain('Enforced by the sampler')
    if (name.startsWith('a grandchild')) {
      expect(message).toContain('Enforced by the kernel: the child\'s own cgroup v2 (memory.max = 150 MB')
      expect(line(name).memory.source).toBe('cgroup')
    }
    expect(line(name)).toMatchObject({ outcome: 'memory', memory: { limitMb: 150 } })
    expect(line(name).durations.body).toBeLessThan(12_000)
  })

  test('a test using 30 MB passes, with the cgroup\'s peak in the report', () => {
    expect(run.test('uses 30 MB').status).toBe('passed')
    expect(line('uses 30 MB').memory.source).toBe('cgroup')
    expect(line('uses 30 MB').memory.peakMb).toBeGreaterThan(30)
    expect(line('uses 30 MB').memory.peakMb).toBeLessThanOrEqual(150)
  })

  test('no process we started is left', async () => {
    expect(await survivors([...run.pids, ...hogPids])).toEqual([])
  })
})
