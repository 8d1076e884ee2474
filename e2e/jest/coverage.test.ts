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

for (const [fixture, provider] of [['jest30', 'babel'], ['jest30', 'v8'], ['jest29', 'babel'], ['jest29', 'v8']] as const) {
  describe(`${fixture}, ${provider} coverage`, () => {
    const project = join(fixturesDir, fixture, 'coverage-suite')
    const run = async (env: Record<string, string>, args: string[] = []): Promise<CoverageRun> => {
      const reports = mkdtempSync(join(tmpdir(), 'isolated-jest-coverage-'))
      // 5 of the 8 functions of lib/ run (2 of them only in children): 62% passes only when children count.
      const r = await runJest(fixture, ['--coverage', `--coverageProvider=${provider}`, `--coverageDirectory=${reports}`, '--coverageThreshold={"global":{"functions":62}}', ...args], { cwd: project, env: { ISOLATED_TEST_REPORT: join(reports, 'isolated.jsonl'), ...env } })
      return Object.assign(r, { reports })
    }
    const coverageOf = (r: CoverageRun): CoverageMap => JSON.parse(readFileSync(join(r.reports, 'coverage-final.json'), 'utf8')) as CoverageMap
    const summaryOf = (r: CoverageRun): unknown => (JSON.parse(readFileSync(join(r.reports, 'coverage-summary.json'), 'utf8')) as { total: unknown }).total
    let inProcess: CoverageRun
    let isolatedRun: CoverageRun
    let killed: CoverageRun

    beforeAll(async () => {
      inProcess = await run({ COV_BASELINE: '1', ISOLATED_TEST: 'off' })
      isolatedRun = await run({})
      killed = await run({ COV_KILL: '1' })
    })

    test('both runs pass, the threshold included', () => {
      expect(inProcess.code, inProcess.output).toBe(0)
      expect(isolatedRun.code, isolatedRun.output).toBe(0)
      expect(isolatedRun.json.numPassedTests).toBe(4)
      expect(isolatedRun.output).not.toContain('coverage is incomplete')
    })

    test('covered/uncovered status is identical for every statement, function and branch', () => {
      const mine = status(counters(coverageOf(isolatedRun), project))
      expect(mine).toEqual(status(counters(coverageOf(inProcess), project)))
      expect(mine).toEqual(expect.arrayContaining(['lib/calc.js function onlyIsolated: covered', 'lib/lazy.js function double: covered', 'lib/calc.js function neverCalled: uncovered']))
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

    test('a test killed at its limit is named once, and what the other test ran still counts', () => {
      expect(killed.result('hangs').status).toBe('failed')
      expect(killed.result('finishes').status).toBe('passed')
      const lines = killed.output.split('\n').filter((l) => l.includes('coverage is incomplete'))
      expect(lines).toEqual([expect.stringContaining('kill/hang.test.js > hangs')])
      const report = checkReportLines(readFileSync(join(killed.reports, 'isolated.jsonl'), 'utf8'))
      expect(report.map((r) => [r.fullName, r.outcome, r.coverage]).sort()).toEqual([
        ['finishes', 'pass', 'complete'],
        ['hangs', 'timeout', 'incomplete'],
      ])
      expect(status(counters(coverageOf(killed), project))).toEqual(expect.arrayContaining(['lib/calc.js function sign: covered', 'lib/calc.js function beforeTheHang: uncovered']))
      expect(leftovers(killed)).toEqual([])
      expect(leftovers(isolatedRun)).toEqual([])
    })
  })
}
