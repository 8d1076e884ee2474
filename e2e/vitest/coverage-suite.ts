// Shared by coverage-vitest4 and coverage-vitest5 (issue 12): real `vitest --coverage` on a project
// where some functions run only in isolated children (the plugin, isolated() bodies and calls, a module
// only a child imports). The coverage of the isolated run must equal that of the same suite run
// in-process (no plugin, ISOLATED_TEST=off): the same covered/uncovered status for every statement,
// function and branch, and the same hit counts except where hooks run once per child (listed below).
import { beforeAll, describe, expect, test } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { survivors } from '../helpers/processes.js'
import { runVitest, type VitestRun } from '../helpers/run-vitest.js'
import { counters, status, type CoverageMap } from '../helpers/coverage-map.js'
import { checkReportLines } from '../helpers/report-lines.js'

type CoverageRun = VitestRun & { readonly reports: string }

/**
 * The one exception to equal hit counts: src/hooks.ts's prepare() (lines 6-8) runs in a beforeAll of
 * tests/plugin.test.ts. In-process it runs once for the file; with hooks: 'child' it runs in each of the
 * file's 3 isolated children and once in the parent for the file's in-process test: 4.
 */
const HOOK_COUNTERS = /^src\/hooks\.ts (statement \d+ \(line [678]\)|function prepare):/

export function coverageSuite(label: string, project: string, runOptions: { vitestBin: string; node?: string }): void {
  /** A run whose coverage reports go to a directory of its own. */
  const run = (args: (reports: string) => string[], env: Record<string, string>): CoverageRun => {
    const reports = mkdtempSync(join(tmpdir(), 'isolated-coverage-'))
    return Object.assign(runVitest(project, args(reports), env, runOptions.vitestBin, runOptions.node), { reports })
  }
  const coverageOf = (r: CoverageRun): CoverageMap => JSON.parse(readFileSync(join(r.reports, 'coverage-final.json'), 'utf8')) as CoverageMap
  const summaryOf = (r: CoverageRun): unknown => (JSON.parse(readFileSync(join(r.reports, 'coverage-summary.json'), 'utf8')) as { total: unknown }).total

  for (const provider of ['v8', 'istanbul'] as const) {
    describe(`${label}, ${provider}`, () => {
      let inProcess: CoverageRun
      let isolatedRun: CoverageRun
      let killed: CoverageRun

      beforeAll(() => {
        // 7 of the 12 functions of src/ run (4 of them only in children): a 55% threshold passes only when children count.
        const args = (reports: string): string[] => ['--coverage', `--coverage.provider=${provider}`, `--coverage.reportsDirectory=${reports}`, '--coverage.thresholds.functions=55']
        inProcess = run(args, { COV_BASELINE: '1', ISOLATED_TEST: 'off' })
        isolatedRun = run(args, {})
        killed = run((reports) => [...args(reports), '--coverage.reportOnFailure'], { COV_KILL: '1' })
      })

      test('both runs pass, thresholds included', () => {
        expect(inProcess.code, inProcess.output).toBe(0)
        expect(isolatedRun.code, isolatedRun.output).toBe(0)
        expect(isolatedRun.results.map((t) => t.status)).toEqual(inProcess.results.map((t) => t.status))
        expect(isolatedRun.output).not.toContain('coverage is incomplete')
      })

      test('covered/uncovered status is identical for every statement, function and branch', () => {
        const mine = counters(coverageOf(isolatedRun), project)
        const theirs = counters(coverageOf(inProcess), project)
        expect(status(mine)).toEqual(status(theirs))
        // The run has something to compare: functions only children call, and one nobody calls.
        expect(status(mine)).toEqual(expect.arrayContaining(['src/calc.ts function onlyIsolated: covered', 'src/lazy.ts function double: covered', 'src/wrapped.ts function cube: covered', 'src/wrapped.ts function square: covered', 'src/calc.ts function neverCalled: uncovered']))
        expect(summaryOf(isolatedRun)).toEqual(summaryOf(inProcess))
      })

      test('hit counts are identical, except a beforeAll that runs once per child (hooks: child)', () => {
        const mine = counters(coverageOf(isolatedRun), project)
        const theirs = new Map(counters(coverageOf(inProcess), project).map((c) => [c.key, c.hits]))
        const differ = mine.filter((c) => c.hits !== theirs.get(c.key)).map((c) => `${c.key}: ${theirs.get(c.key)} in-process, ${c.hits} isolated`)
        expect(differ.filter((d) => !HOOK_COUNTERS.test(d))).toEqual([])
        // The exception, as documented: 1 in-process, 3 children + the parent isolated.
        expect(differ).toContain('src/hooks.ts function prepare: 1 in-process, 4 isolated')
      })

      test('killed at its limit: what a spinning child ran counts; a child blocked in native code is named once and marked', async () => {
        expect(killed.test('finishes').status).toBe('passed')
        expect(killed.test('hangs').status).toBe('failed')
        expect(killed.test('blocks').status).toBe('failed')
        expect(killed.test('idles').status).toBe('failed')
        expect(killed.test('hangs').failureMessages.join('\n')).toContain('It was busy at')
        // Only the child that could not be asked (its main thread in a system call) is named, once.
        const lines = killed.output.split('\n').filter((l) => l.includes('coverage is incomplete'))
        expect(lines).toHaveLength(1)
        expect(lines[0]).toContain('kill/hang.test.ts > blocks')
        expect(lines[0]).not.toContain('hangs')
        expect(lines[0]).not.toContain('idles')
        expect(lines[0]).not.toContain('finishes')
        const report = checkReportLines(readFileSync(join(killed.dir, 'isolated.jsonl'), 'utf8'))
        expect(report.map((r) => [r.fullName, r.outcome, r.coverage]).sort()).toEqual([
          ['blocks', 'timeout', 'incomplete'],
          ['finishes', 'pass', 'complete'],
          ['hangs', 'timeout', 'complete'],
          ['idles', 'timeout', 'complete'],
        ])
        const calc = counters(coverageOf(killed), project).filter((c) => c.key.startsWith('src/calc.ts '))
        const hits = (match: RegExp): number[] => calc.filter((c) => match.test(c.key)).map((c) => c.hits)
        // The spinning child's coverage was taken before the kill: beforeTheHang() (line 36) once, and
        // spinForever()'s first statement (line 50), each exactly once.
        expect(hits(/function beforeTheHang$|statement \d+ \(line 36\)/)).toEqual([1, 1])
        expect(hits(/function spinForever$|statement \d+ \(line 50\)/)).toEqual([1, 1])
        // The idle child's too (its inspector is asked, fresh or forked): beforeTheIdle() (line 46).
        expect(hits(/function beforeTheIdle$|statement \d+ \(line 46\)/)).toEqual([1, 1])
        // The blocked child's is lost: beforeTheBlock() (line 41) is uncovered although it ran.
        expect(hits(/function beforeTheBlock$|statement \d+ \(line 41\)/)).toEqual([0, 0])
        // The child that finished still counts.
        expect(status(calc)).toContain('src/calc.ts function sign: covered')
        expect(await survivors(killed.pids)).toEqual([])
        expect(await survivors(isolatedRun.pids)).toEqual([])
      })
    })
  }
}
