// Coverage from isolated children under Jest 29 and 30, with babel-plugin-istanbul (Jest's default) and
// with coverageProvider 'v8', issue 12: real `jest --coverage` on fixtures/jest30/coverage-suite (copied into jest29), where some
// functions run only in isolated children. The isolated run's coverage must equal the same suite's
// in-process run (node environment): the same covered/uncovered status for every statement, function
// and branch, and the same hit counts except a beforeAll that runs once per child (listed below).
import { beforeAll, describe, expect, test } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fixturesDir, leftovers, runJest, type JestRun } from './helpers.js'
import { counters, status, type CoverageMap } from '../helpers/coverage-map.js'
import { checkReportLines } from '../helpers/report-lines.js'

/**
 * lib/hooks.js's prepare() (lines 5-8) runs in a beforeAll: once in-process; once in each of the 3
 * children and once in the parent for the in-process test: 4. (v8 counts the function's lines and its
 * body as a branch too.)
 */
const HOOK_COUNTERS = /^lib\/hooks\.js (statement \d+ \(line [5-8]\)|function prepare|branch \d+ arm \d+ \(line 5\)):/

type CoverageRun = JestRun & { readonly reports: string }

/**
 * Under the fork server, __tests__/wrapped.test.js (an isolated() call from an in-process test under the
 * environment) falls back to fresh processes: its zygote is refused, reporting 7 PipeWrap, 1 ProcessWrap
 * and 1 Timeout left open by the file's import, with coverage off too (not a coverage matter).
 */
const ONLY_FRESH = (line: { file: string }): boolean => line.file.endsWith('__tests__/wrapped.test.js')

for (const [fixture, provider] of [['jest30', 'babel'], ['jest30', 'v8'], ['jest29', 'babel'], ['jest29', 'v8']] as const) {
  describe(`${fixture}, ${provider} coverage`, () => {
    const project = join(fixturesDir, fixture, 'coverage-suite')
    const run = async (env: Record<string, string>, threshold = true): Promise<CoverageRun> => {
      const reports = mkdtempSync(join(tmpdir(), 'isolated-jest-coverage-'))
      // 6 of the 11 functions of lib/ run (3 of them only in children): 50% passes only when children count.
      const r = await runJest(fixture, ['--coverage', `--coverageProvider=${provider}`, `--coverageDirectory=${reports}`, ...(threshold ? ['--coverageThreshold={"global":{"functions":50}}'] : [])], { cwd: project, env: { ISOLATED_TEST_REPORT: join(reports, 'isolated.jsonl'), ...env }, allowFresh: ONLY_FRESH })
      return Object.assign(r, { reports })
    }
    const coverageOf = (r: CoverageRun): CoverageMap => JSON.parse(readFileSync(join(r.reports, 'coverage-final.json'), 'utf8')) as CoverageMap
    const summaryOf = (r: CoverageRun): unknown => (JSON.parse(readFileSync(join(r.reports, 'coverage-summary.json'), 'utf8')) as { total: unknown }).total
    let inProcess: CoverageRun
    let isolatedRun: CoverageRun
    let killed: CoverageRun
    let plainInProcess: CoverageRun
    let plainIsolated: CoverageRun

    beforeAll(async () => {
      inProcess = await run({ COV_BASELINE: '1', ISOLATED_TEST: 'off' })
      isolatedRun = await run({})
      killed = await run({ COV_KILL: '1' })
      // A plain setup covers only lib/calc.js's sign() and lib/wrapped.js: no threshold there.
      plainInProcess = await run({ COV_PLAIN: '1', ISOLATED_TEST: 'off' }, false)
      plainIsolated = await run({ COV_PLAIN: '1' }, false)
    })

    test('both runs pass, the threshold included', () => {
      expect(inProcess.code, inProcess.output).toBe(0)
      expect(isolatedRun.code, isolatedRun.output).toBe(0)
      expect(isolatedRun.json.numPassedTests).toBe(5)
      expect(isolatedRun.output).not.toContain('coverage is incomplete')
    })

    test('covered/uncovered status is identical for every statement, function and branch', () => {
      const mine = status(counters(coverageOf(isolatedRun), project))
      expect(mine).toEqual(status(counters(coverageOf(inProcess), project)))
      // square() runs only in the child of an isolated() call made from an in-process test.
      expect(mine).toEqual(expect.arrayContaining(['lib/calc.js function onlyIsolated: covered', 'lib/lazy.js function double: covered', 'lib/wrapped.js function square: covered', 'lib/calc.js function neverCalled: uncovered', 'lib/wrapped.js function cube: uncovered']))
      expect(checkReportLines(readFileSync(join(isolatedRun.reports, 'isolated.jsonl'), 'utf8')).map((r) => r.coverage)).toEqual(['complete', 'complete', 'complete', 'complete'])
      expect(summaryOf(isolatedRun)).toEqual(summaryOf(inProcess))
    })

    test('hit counts are identical, except a beforeAll that runs once per child', () => {
      const theirs = new Map(counters(coverageOf(inProcess), project).map((c) => [c.key, c.hits]))
      const differ = counters(coverageOf(isolatedRun), project)
        .filter((c) => c.hits !== theirs.get(c.key))
        .map((c) => `${c.key}: ${theirs.get(c.key)} in-process, ${c.hits} isolated`)
      expect(differ.filter((d) => !HOOK_COUNTERS.test(d))).toEqual([])
      expect(differ).toContain('lib/hooks.js function prepare: 1 in-process, 4 isolated')
    })

    test('killed at its limit: what a spinning child ran counts; a child blocked in native code is named once and marked', () => {
      expect(killed.result('finishes').status).toBe('passed')
      expect(killed.result('hangs').status).toBe('failed')
      expect(killed.result('blocks').status).toBe('failed')
      const lines = killed.output.split('\n').filter((l) => l.includes('coverage is incomplete'))
      expect(lines).toEqual([expect.stringContaining('kill/hang.test.js > blocks')])
      const report = checkReportLines(readFileSync(join(killed.reports, 'isolated.jsonl'), 'utf8'))
      expect(report.map((r) => [r.fullName, r.outcome, r.coverage]).sort()).toEqual([
        ['blocks', 'timeout', 'incomplete'],
        ['finishes', 'pass', 'complete'],
        ['hangs', 'timeout', 'complete'],
      ])
      const calc = counters(coverageOf(killed), project).filter((c) => c.key.startsWith('lib/calc.js '))
      const hits = (match: RegExp): number[] => calc.filter((c) => match.test(c.key)).map((c) => c.hits)
      // Taken before the kill: beforeTheHang() (its line 34) and spinForever()'s first statement (line 43), once each.
      expect(hits(/function beforeTheHang$|statement \d+ \(line 34\)/)).toEqual([1, 1])
      expect(hits(/function spinForever$|statement \d+ \(line 43\)/)).toEqual([1, 1])
      // Lost with the blocked child: beforeTheBlock() (line 39) ran but is uncovered.
      expect(hits(/function beforeTheBlock$|statement \d+ \(line 39\)/)).toEqual([0, 0])
      expect(status(calc)).toContain('lib/calc.js function sign: covered')
      expect(leftovers(killed)).toEqual([])
      expect(leftovers(isolatedRun)).toEqual([])
    })

    test('a plain setup (no isolated-test environment): isolated() bodies and calls count, hit for hit', () => {
      expect(plainInProcess.code, plainInProcess.output).toBe(0)
      expect(plainIsolated.code, plainIsolated.output).toBe(0)
      expect(plainIsolated.output).not.toContain('coverage is incomplete')
      expect(plainIsolated.output).not.toContain('is not counted')
      const mine = counters(coverageOf(plainIsolated), project)
      const theirs = counters(coverageOf(plainInProcess), project)
      expect(mine).toEqual(theirs)
      expect(status(mine)).toEqual(expect.arrayContaining(['lib/wrapped.js function cube: covered', 'lib/wrapped.js function square: covered', 'lib/calc.js function onlyIsolated: uncovered']))
      expect(checkReportLines(readFileSync(join(plainIsolated.reports, 'isolated.jsonl'), 'utf8')).map((r) => r.coverage)).toEqual(['complete', 'complete'])
      expect(leftovers(plainIsolated)).toEqual([])
    })
  })
}
