// Failures read as they do in-process; a crashing child fails its test at once; output is attributed.
import { beforeAll, describe, expect, test } from 'vitest'
import { leftovers, runJest, type JestRun } from './helpers.js'

describe('jest 30: failures and output', () => {
  let run: JestRun
  beforeAll(async () => {
    run = await runJest('jest30', ['__tests__/failures.test.js'])
  })

  test('an assertion shows the matcher diff and the code frame at the test line', () => {
    const text = run.failure('assertion diff')
    expect(text).toContain('expect(received).toEqual(expected)')
    expect(text).toContain('-     "ops",')
    expect(text).toContain('+     "dev",')
    expect(text).toMatch(/failures\.test\.js:15:\d+/)
    expect(run.output).toMatch(/> 15 \|\s+expect\(\{ user: 'ada'/)
  })

  test('a custom error keeps its name and its cause', () => {
    const text = run.failure('custom error with a cause')
    expect(text).toContain('PaymentError: card declined')
    expect(run.output).toContain('Cause:')
    expect(run.output).toContain('gateway said no')
  })

  test('process.exit in the body fails that test with the exit code, and the file goes on', () => {
    expect(run.failure('process.exit')).toContain('IsolatedCrashError: The child process exited with code 3')
    expect(run.result('done callback passes').status).toBe('passed')
  })

  test('a thrown string and done callbacks keep their meaning', () => {
    expect(run.failure('throws a string')).toContain('thrown: "just a string"')
    expect(run.result('done callback passes').status).toBe('passed')
    expect(run.failure('done callback fails')).toContain('done with an error')
  })

  test("the child's console output goes through the test's console", () => {
    expect(run.result('console output').status).toBe('passed')
    expect(run.output).toMatch(/console\.log\s+log from the child 42/)
    expect(run.output).toMatch(/console\.warn\s+warning from the child/)
    expect(run.output).toContain('raw stdout line')
    expect(run.output).not.toContain('Cannot log after tests are done')
  })

  test('no process is left', () => {
    expect(leftovers(run)).toEqual([])
  })
})
