// The same environment on Jest 29 (its circus starts concurrent bodies early; source maps differ).
import { beforeAll, describe, expect, test } from 'vitest'
import { leftovers, runJest, type JestRun } from './helpers.js'

describe('jest 29', () => {
  let run: JestRun
  beforeAll(async () => {
    run = await runJest('jest29', [])
  })

  test('hangs are killed at the limit with their stuck line; other tests keep their verdicts', () => {
    expect(run.result('passes before the hangs').status).toBe('passed')
    expect(run.result('passes after the hangs').status).toBe('passed')
    expect(run.failure('sync infinite loop')).toContain('The test body timed out after 300 ms')
    expect(run.failure('sync infinite loop')).toMatch(/hang\.test\.js:14:\d+/)
    expect(run.failure('ignores SIGTERM')).toContain('needed SIGKILL')
    expect(run.result('leaves a grandchild').status).toBe('failed')
  })

  test('failures print the diff, the cause and the crash; done and console work', () => {
    expect(run.failure('assertion diff')).toContain('+     "dev",')
    expect(run.output).toMatch(/> 15 \|\s+expect\(\{ user: 'ada'/)
    expect(run.failure('custom error with a cause')).toContain('PaymentError: card declined')
    expect(run.failure('process.exit')).toContain('exited with code 3')
    expect(run.result('done callback passes').status).toBe('passed')
    expect(run.output).toMatch(/console\.log\s+log from the child 42/)
    // Only the test's own frames: none of the child's runner.
    expect(run.failure('assertion diff')).not.toContain('isolated-test/dist')
  })

  test('mocks, spies, mapper, each, nesting, failing and in-process behave as in-process', () => {
    const features = run.json.testResults.find((f) => f.name.endsWith('features.test.js'))!
    expect(features.assertionResults.filter((r) => r.status !== 'passed').map((r) => r.fullName)).toEqual([])
    expect(features.assertionResults).toHaveLength(13)
  })

  test('test.concurrent bodies run in their own children', () => {
    expect(run.result('concurrent one').status).toBe('passed')
    expect(run.result('concurrent two').status).toBe('passed')
    const pids = run.log.filter((e) => e.what.startsWith('concurrent ')).map((e) => e.pid)
    expect(new Set(pids).size).toBe(2)
  })

  test('no process is left', () => {
    expect(leftovers(run)).toEqual([])
  })
})
