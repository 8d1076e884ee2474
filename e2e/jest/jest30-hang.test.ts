// A hung test fails at its limit with where it was stuck; the tests around it keep their verdicts.
import { beforeAll, describe, expect, test } from 'vitest'
import { leftovers, runJest, type JestRun } from './helpers.js'

describe('jest 30: hanging tests (limit 300 ms from the @isolated-test pragma)', () => {
  let run: JestRun
  beforeAll(async () => {
    run = await runJest('jest30', ['__tests__/hang.test.js'])
  })

  test('the other tests keep their verdicts', () => {
    expect(run.result('passes before the hangs').status).toBe('passed')
    expect(run.result('passes after the hangs').status).toBe('passed')
    expect(run.json.numFailedTests).toBe(3)
  })

  test('a sync infinite loop is killed at the limit, with its stuck line', () => {
    const r = run.result('sync infinite loop')
    expect(r.status).toBe('failed')
    expect(run.failure('sync infinite loop')).toContain('The test body timed out after 300 ms')
    expect(run.failure('sync infinite loop')).toMatch(/hang\.test\.js:14:\d+/)
    // Printed with a code frame on the stuck line.
    expect(run.output).toMatch(/> 14 \|\s+while \(true\) i\+\+/)
    // The limit is ours, not Jest's 10 s testTimeout.
    expect(r.duration).toBeLessThan(8000)
  })

  test('a loop that ignores SIGTERM needs and gets SIGKILL', () => {
    expect(run.result('ignores SIGTERM').status).toBe('failed')
    expect(run.failure('ignores SIGTERM')).toContain('it ignored the first signal and needed SIGKILL')
  })

  test('a grandchild started by the test is killed with the tree', () => {
    expect(run.result('leaves a grandchild').status).toBe('failed')
    const grandchild = run.log.find((e) => e.what === 'grandchild')
    expect(grandchild).toBeDefined()
  })

  test('the bodies ran in children, and no process is left', () => {
    expect(run.log.filter((e) => e.what === 'loop body').every((e) => e.child)).toBe(true)
    expect(leftovers(run)).toEqual([])
  })
})
