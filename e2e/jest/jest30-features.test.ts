// Jest features behave in the child as they do in-process; hooks run with the test in its child.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { fixturesDir, leftovers, runJest, type JestRun } from './helpers.js'

describe('jest 30: mocks, hooks, each, nesting, failing, in-process', () => {
  let run: JestRun
  beforeAll(async () => {
    run = await runJest('jest30', ['__tests__/features.test.js'])
  })

  test('every test keeps its verdict', () => {
    const failed = run.json.testResults.flatMap((f) => f.assertionResults).filter((r) => r.status !== 'passed')
    expect(failed.map((r) => `${r.fullName}: ${r.failureMessages.join('\n')}`)).toEqual([])
    expect(run.json.numPassedTests).toBe(13)
  })

  test('a jest.mock factory, a beforeEach spy and moduleNameMapper work in the child', () => {
    for (const name of ['jest.mock factory', 'beforeEach spy', 'moduleNameMapper and setupFilesAfterEnv matcher', 'fake timers']) {
      expect(run.result(name).status).toBe('passed')
    }
  })

  test('hooks run in the children, never in the parent (hooks: child)', () => {
    const hooks = run.log.filter((e) => e.what.startsWith('beforeEach: '))
    expect(hooks.filter((e) => e.child)).toHaveLength(12)
    // Only the test kept in-process runs its hooks in the parent.
    expect(hooks.filter((e) => !e.child).map((e) => e.what)).toEqual(['beforeEach: runs in-process'])
    const eachRows = run.log.filter((e) => e.what.startsWith('each '))
    expect(new Set(eachRows.map((e) => e.pid)).size).toBe(3)
  })

  test('duplicate names and nesting resolve to the right test', () => {
    expect(run.results('outer dup').map((r) => r.status)).toEqual(['passed', 'passed'])
    const dups = run.log.filter((e) => e.what.startsWith('dup '))
    expect(dups.map((e) => e.what).sort()).toEqual(['dup first', 'dup second', 'dup third'])
    expect(new Set(dups.map((e) => e.pid)).size).toBe(3)
  })

  test('test.failing is inverted once; inProcess keeps a test in the worker', () => {
    expect(run.result('failing test that fails').status).toBe('passed')
    expect(run.result('runs in-process').status).toBe('passed')
    expect(run.result('runs in a child').status).toBe('passed')
  })

  test('no process is left', () => {
    expect(leftovers(run)).toEqual([])
  })
})

describe('jest 30: retries, fork vs spawn, environment and setup options', () => {
  let run: JestRun
  beforeAll(async () => {
    run = await runJest('jest30', ['__tests__/retry.test.js', '__tests__/fork-spawn.test.js', '__tests__/environment.test.js', '--runInBand'])
  })

  test('jest.retryTimes retries in the parent, each try in a new child', () => {
    expect(run.result('passes on the second try').status).toBe('passed')
    const tries = run.log.filter((e) => e.what === 'retry body')
    expect(tries).toHaveLength(2)
    expect(new Set(tries.map((e) => e.pid)).size).toBe(2)
    expect(tries.every((e) => e.child)).toBe(true)
  })

  test("'fork' passes the parent's env and globals as they are at the call; 'spawn' the worker's start-up env", () => {
    expect(run.result('fork sees the parent env').status).toBe('passed')
    expect(run.failure('fork sees the global the parent hook set, as its own realm’s data')).toBe('')
    expect(run.result('spawn starts clean').status).toBe('passed')
    // hooks: 'parent' from the pragma: the beforeAll ran in the parent only.
    expect(run.log.filter((e) => e.what === 'fork-spawn beforeAll').map((e) => e.child)).toEqual([false])
  })

  test('the `environment` option picks the environment the child runs in; `setup` runs first', () => {
    expect(run.result('runs in the named environment, after the setup module').status).toBe('passed')
  })

  test('no process is left', () => {
    expect(leftovers(run)).toEqual([])
  })
})

describe('jest 30: the child matches snapshots read-only; the parent writes what in-process Jest would', () => {
  const snapFile = join(fixturesDir, 'jest30', '__tests__', '__snapshots__', 'snapshot.test.js.snap')
  let before: string
  let run: JestRun
  beforeAll(async () => {
    before = readFileSync(snapFile, 'utf8')
    // Not --ci: in-process Jest would write the new snapshot here; the child must say why it did not.
    run = await runJest('jest30', ['__tests__/snapshot.test.js'], { ci: false })
  })

  test('a stored snapshot matches, and the parent does not call it obsolete', () => {
    expect(run.result('matches a stored snapshot').status).toBe('passed')
    expect(run.output).not.toMatch(/obsolete/i)
  })

  test('a new snapshot passes and the parent writes it to the .snap file (not --ci), keeping the stored one', () => {
    expect(run.result('a new snapshot is written by the parent').status).toBe('passed')
    const after = readFileSync(snapFile, 'utf8')
    expect(after).toContain('exports[`a new snapshot is written by the parent 1`] = `"brand new"`;')
    expect(after).toContain('exports[`matches a stored snapshot 1`]')
  })

  afterAll(() => {
    // The fixture's .snap file is shared with later runs: put it back as it was.
    writeFileSync(snapFile, before)
  })

  test('no process is left', () => {
    expect(leftovers(run)).toEqual([])
  })
})
