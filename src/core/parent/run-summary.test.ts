import { describe, expect, test } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runSummary } from './run-summary.js'

const line = (runId: string, name: string, peakMb: number | null, ms: number | null, source = 'sampler'): string =>
  JSON.stringify({ schema: 1, runId, file: '/p/a.test.ts', fullName: name, memory: { peakMb, source, limitMb: null }, cpu: { ms, source: 'proc-stat' } })

describe('runSummary', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'isolated-summary-')), 'r.jsonl')
  const others = [line('old', 'from another run', 999, 99_999)]
  const mine = Array.from({ length: 7 }, (_, i) => line('me', `t${i}`, 10 * i, 100 * (7 - i), i === 0 ? 'vmhwm' : 'sampler'))
  writeFileSync(file, [...others, ...mine, '{"torn', line('me', 'no figures', null, null)].join('\n') + '\n')
  const text = runSummary(file, 'me', '/p')!

  test('names only this run\'s tests, the 5 heaviest of each figure, heaviest first, file > test', () => {
    expect(text).toContain('8 isolated tests in this run')
    expect(text).not.toContain('from another run')
    const [mem, cpu] = text.split('heaviest by CPU time')
    expect(mem!.match(/a\.test\.ts > t\d/g)).toEqual(['a.test.ts > t6', 'a.test.ts > t5', 'a.test.ts > t4', 'a.test.ts > t3', 'a.test.ts > t2'])
    expect(mem).toContain('60.0 MB  a.test.ts > t6')
    expect(cpu!.match(/a\.test\.ts > t\d/g)).toEqual(['a.test.ts > t0', 'a.test.ts > t1', 'a.test.ts > t2', 'a.test.ts > t3', 'a.test.ts > t4'])
    expect(cpu).toContain('700 ms  a.test.ts > t0')
  })

  test('an estimate is marked; nothing for a run without lines', () => {
    writeFileSync(file, line('me', 'only', 5, 1, 'vmhwm') + '\n')
    expect(runSummary(file, 'me', '/p')).toContain('5.0 MB*  a.test.ts > only')
    expect(runSummary(file, 'me', '/p')).toContain('heaviest by peak memory (* estimate')
    writeFileSync(file, line('me', 'sampled', 5, 1) + '\n')
    expect(runSummary(file, 'me', '/p')).toMatch(/heaviest by peak memory\n +5\.0 MB {2}a\.test\.ts > sampled/)
    expect(runSummary(file, 'nobody', '/p')).toBeUndefined()
    expect(runSummary(join(file, 'missing'), 'me', '/p')).toBeUndefined()
  })
})
