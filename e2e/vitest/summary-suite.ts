// The run summary (issue 13) under the plugin, on this run's process model, for one Vitest version: with
// a report set (ISOLATED_TEST_REPORT), the end of the run prints the heaviest tests of this run by peak
// memory and by CPU time, naming file > test; the test holding 60 MB heads the first list and the one
// burning 2 s of CPU heads the second, with the figures of our JSON report.
import { beforeAll, describe, expect, test } from 'vitest'
import { appendFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { survivors } from '../helpers/processes.js'
import { runVitest, type VitestRun } from '../helpers/run-vitest.js'
import { checkReportLines, type ReportLine } from '../helpers/report-lines.js'

export interface SummaryRunner {
  /** The vitest binary (default: this repository's Vitest 4.1). */
  readonly vitestBin?: string | undefined
  /** The Node binary (default: this run's model's). */
  readonly node?: string | undefined
}

export function summarySuite(label: string, project: string, o: SummaryRunner = {}): void {
  describe(label, () => {
    let run: VitestRun
    let lines: ReportLine[]
    let block: string

    beforeAll(() => {
      run = runVitest(project, ['summary/'], {}, o.vitestBin, o.node)
      const report = join(run.dir, 'isolated.jsonl')
      lines = checkReportLines(readFileSync(report, 'utf8'))
      const start = run.stdout.indexOf('isolated-test: ')
      block = start < 0 ? '' : run.stdout.slice(start)
    })

    /** The entries listed under one heading of the block ('peak memory' or 'CPU time'). */
    const entries = (heading: string): string[] => {
      const section = block.split('\n  heaviest by ').find((s) => s.startsWith(heading)) ?? ''
      return section.split('\n').slice(1).filter((l) => /^ {4,}\d/.test(l))
    }

    test('the run passes and writes one report line per test', () => {
      expect(run.code, run.output).toBe(0)
      expect(lines.map((l) => l.fullName).sort()).toEqual(['burns 2 s of CPU', 'does nothing', 'holds 60 MB'])
    })

    test('the summary is printed at the end of the run, after Vitest\'s own summary, naming the run\'s tests', () => {
      expect(block, run.stdout).toContain(`isolated-test: 3 isolated tests in this run (report: ${join(run.dir, 'isolated.jsonl')})`)
      expect(run.stdout.indexOf('Test Files')).toBeLessThan(run.stdout.indexOf('isolated-test: 3 isolated tests'))
      expect(entries('peak memory')).toHaveLength(3)
      expect(entries('CPU time')).toHaveLength(3)
    })

    test('the test holding 60 MB heads the memory list, with its report figure', () => {
      const first = entries('peak memory')[0]!
      expect(first).toMatch(/^ +\d+\.\d MB\* {2}summary\/heavy\.test\.ts > holds 60 MB$/)
      const heavy = lines.find((l) => l.fullName === 'holds 60 MB')!
      expect(first).toContain(`${heavy.memory.peakMb!.toFixed(1)} MB`)
      expect(heavy.memory.peakMb).toBeGreaterThan(59)
    })

    test('the test burning 2 s of CPU heads the CPU list, with its report figure', () => {
      const first = entries('CPU time')[0]!
      expect(first).toMatch(/^ +\d+ ms {2}summary\/heavy\.test\.ts > burns 2 s of CPU$/)
      const burner = lines.find((l) => l.fullName === 'burns 2 s of CPU')!
      expect(first).toContain(`${Math.round(burner.cpu.ms!)} ms`)
      expect(burner.cpu.ms).toBeGreaterThanOrEqual(1_990)
    })

    test('a report line of another run in the same file is left out', () => {
      // A second run into the same report file: the summary counts only its own run's lines.
      const report = join(run.dir, 'isolated.jsonl')
      appendFileSync(report, `${JSON.stringify({ ...lines[0], runId: 'another-run', fullName: 'from another run', memory: { peakMb: 9999, source: 'sampler', limitMb: 1 } })}\n`)
      const again = runVitest(project, ['summary/', '-t', 'does nothing'], { ISOLATED_TEST_REPORT: report }, o.vitestBin, o.node)
      expect(again.stdout).toContain('isolated-test: 1 isolated test in this run')
      expect(again.stdout).not.toContain('from another run')
    })

    test('no process we started is left', async () => {
      expect(run.pids.length).toBeGreaterThan(0)
      expect(await survivors(run.pids)).toEqual([])
    })
  })
}
