// isolated(ms, method)(fn) on single test bodies under a plain Jest setup (default node environment).
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { fixturesDir, leftovers, runJest, type JestRun } from './helpers.js'

describe('isolated() under a plain Jest 30 setup', () => {
  let run: JestRun
  beforeAll(async () => {
    run = await runJest('jest30', ['__tests__/plain.test.js'], { cwd: join(fixturesDir, 'jest30', 'plain') })
  })

  test('the body runs in a child with the project config; hooks stay in the parent', () => {
    expect(run.result('a wrapped body runs in a child, hooks stay in the parent').status).toBe('passed')
    expect(run.log.filter((e) => e.what === 'plain beforeEach').every((e) => !e.child)).toBe(true)
    expect(run.log.find((e) => e.what === 'plain body')?.child).toBe(true)
  })

  test('a loop is killed at its limit with its stuck line', () => {
    expect(run.failure('a wrapped loop is killed at its limit')).toContain("timed out after 300 ms (method 'spawn'")
    expect(run.failure('a wrapped loop is killed at its limit')).toMatch(/plain\.test\.js:25:\d+/)
  })

  test("a limit above Jest's own runs, cut to what Jest's timer leaves, and the message names the setting to raise", () => {
    const r = run.result('a limit Jest would cut is cut to what it leaves')
    const message = r.failureMessages.join('\n')
    expect(message).toMatch(/The test body was stopped after \d+ ms, short of the 60000 ms it may use, because Jest's test timeout/)
    expect(message).toContain("To give it its full time, raise Jest's test timeout (`testTimeout` in the Jest config")
    expect(message).not.toContain('Exceeded timeout of')
    expect(run.result('isolated(9000) runs under a 10 s testTimeout').status).toBe('passed')
  })

  test('test.each rows each run in their own child; unwrapped tests stay in-process', () => {
    expect(run.result('each row 1').status).toBe('passed')
    expect(run.result('each row 2').status).toBe('passed')
    expect(run.result('an unwrapped test runs in-process').status).toBe('passed')
  })

  test('no process is left', () => {
    expect(leftovers(run)).toEqual([])
  })
})
