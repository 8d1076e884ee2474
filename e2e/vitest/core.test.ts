// isolated() under real Vitest 4.1 (fixtures/vitest4/core): every fault of the core's list, checked on
// Vitest's JSON report and its printed output, and no process of ours left afterwards.
import { beforeAll, describe, expect, test } from 'vitest'
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { readPids, survivors } from '../helpers/processes.js'
import { runVitest, type VitestRun } from '../helpers/run-vitest.js'
import { FORK_SERVER } from '../helpers/model.js'

const project = join(repoRoot, 'fixtures', 'vitest4')
let run: VitestRun
let grandchildren: number[]

beforeAll(() => {
  const grandchildFile = join(repoRoot, '.tmp', `grandchildren-${process.pid}.txt`)
  // slow-boot.test.ts takes a minute to import in any child, its zygote included: under the fork
  // server the file falls back to fresh processes (with a notice), on purpose.
  run = runVitest(project, ['core/'], { E2E_GRANDCHILD_FILE: grandchildFile }, undefined, undefined, (line) => line.file.endsWith('slow-boot.test.ts'))
  grandchildren = readPids(grandchildFile)
})

function failure(fullName: string, index = 0): string {
  const t = run.test(fullName, index)
  expect(t.status, `${fullName} should fail`).toBe('failed')
  return t.failureMessages.join('\n')
}

describe('timeouts', () => {
  test('a synchronous infinite loop is killed and its stuck line is reported', () => {
    const message = failure('sync infinite loop')
    expect(message).toContain('IsolatedTimeoutError: The test body timed out after 300 ms')
    expect(message).toMatch(/at spin \(.*core\/faults\.test\.ts:9:3\)/)
    // Vitest's own frame printing lands on the stuck line too.
    expect(run.output).toMatch(/❯ spin core\/faults\.test\.ts:9:3/)
  })

  test('a promise that never settles is reported idle with its resources', () => {
    const message = failure('promise that never settles')
    expect(message).toContain('It was idle, waiting on: Timeout')
  })

  test('with asyncOrigins, an idle timeout says where the pending promise was created', () => {
    const message = failure('never settles, with asyncOrigins')
    expect(message).toMatch(/Pending, by where it was created:\n(?:.*\n)*?\s+a promise created at waitForReply \(.*core\/faults\.test\.ts:48:10\)/)
    expect(failure('promise that never settles')).toContain('set the `asyncOrigins: true` option')
  })

  test('a loop that ignores SIGTERM still dies, by SIGKILL', () => {
    const message = failure('ignores SIGTERM')
    expect(message).toContain('needed SIGKILL')
    expect(message).toMatch(/faults\.test\.ts:9:3/)
  })

  test('a grandchild process is killed with the tree', async () => {
    expect(failure('grandchild process')).toContain('timed out after 300 ms')
    expect(await survivors(grandchildren)).toEqual([])
  })
})

test('a child blocked in native code cannot be paused, and the error says so', () => {
  const message = failure('blocked in native code')
  expect(message).toContain('timed out after 300 ms')
  expect(message).toContain('It did not answer the pause request: it was blocked in native code')
})

test('Atomics.wait is interruptible: the error points at the waiting line', () => {
  expect(failure('waiting in Atomics.wait')).toMatch(/It was busy at:\n\s+at .*more-faults\.test\.ts:8:11/)
})

test('importing the module has its own limit and error', () => {
  const t = run.test('slow to import in the child')
  expect(t.failureMessages.join('\n')).toContain('IsolatedBootError: The child did not start the test within bootTimeout (1000 ms)')
  expect(t.duration).toBeLessThan(10_000)
  // The fork server's zygote hit the same limit: the file ran fresh, and the run said so once.
  if (FORK_SERVER) expect(run.output.split('its zygote did not collect the file within bootTimeout (1000 ms)').length - 1).toBe(1)
})

test('a process the body leaves running is killed and named', async () => {
  expect(run.test('leaves a process running').status).toBe('passed')
  expect(run.output).toMatch(/the test left 1 process\(es\) running; they were killed with its process tree:\n\s+pid \d+: sleep 1000/)
  expect(grandchildren).toHaveLength(2)
  expect(await survivors(grandchildren)).toEqual([])
})

describe('crashes', () => {
  test('a child killed by a signal fails at once with the signal', () => {
    expect(failure('killed by a signal')).toContain('IsolatedCrashError: The child process was killed by SIGKILL')
  })

  test('process.exit(3) fails the test at once with the exit code', () => {
    const t = run.test('process.exit(3)')
    expect(t.failureMessages.join('\n')).toContain('IsolatedCrashError: The child process exited with code 3')
    // "At once": not at the 5 s limit.
    expect(t.duration).toBeLessThan(4000)
  })

  test('running out of memory is a crash with the reason', () => {
    const message = failure('out of memory')
    expect(message).toMatch(/IsolatedCrashError: The child process (was killed by SIGABRT|exited with code 134)/)
    expect(message).toContain('heap out of memory')
  })

  test('an unhandled rejection in the child fails its test', () => {
    expect(failure('unhandled rejection in the body')).toContain('nobody caught me')
  })
})

describe('results', () => {
  test('an assertion diff prints as in-process, with the code frame at the assertion', () => {
    expect(failure('assertion diff')).toContain('AssertionError: expected')
    expect(run.output).toMatch(/- Expected\n\+ Received\n\n  \{\n    "roles": \[\n      "admin",\n-     "ops",\n\+     "dev",/)
    expect(run.output).toMatch(/❯ core\/results\.test\.ts:16:52/)
  })

  test('a custom error class keeps its name and its cause', () => {
    expect(failure('custom error with a cause')).toContain('DbError: insert failed')
    expect(run.output).toContain('Caused by: Error: disk full')
  })

  test('console output is attributed to its test, stdout and stderr', () => {
    expect(run.test('console output').status).toBe('passed')
    // Writes that reach the pipe together arrive as one chunk, under one header.
    expect(run.output).toMatch(/stdout \| core\/results\.test\.ts > console output\n(?:.*\n)*?child says hello/)
    expect(run.output).toMatch(/stdout \| core\/results\.test\.ts > console output\n(?:.*\n)*?raw stdout write/)
    expect(run.output).toMatch(/stderr \| core\/results\.test\.ts > console output\nchild warns on stderr/)
  })

  test('arguments, return values, errors and uncopyable values of wrapped functions', () => {
    for (const name of [
      'arguments cross and values come back',
      'errors keep name, code, own props and cause',
      'a thrown non-error comes back as itself',
      'AggregateError keeps its errors',
      'a value that cannot cross names its path',
      'arguments that cannot cross fail before a child starts',
    ]) {
      expect(run.test(`calls with arguments ${name}`).status, name).toBe('passed')
    }
  })
})

describe('finding the test', () => {
  test('test.each, nested describe and duplicate names run the right body', () => {
    for (const n of [1, 2, 3]) expect(run.test(`each case ${n}`).status).toBe('passed')
    expect(run.test('level 1 level 2 deep test').status).toBe('passed')
    expect(run.test('same name', 0).status).toBe('passed')
    expect(failure('same name', 1)).toContain('the second "same name" ran')
    expect(run.test('one wrapper, first test').status).toBe('passed')
    expect(failure('one wrapper, second test')).toContain('shared wrapper, second registration')
    expect(run.output).toMatch(/each case 2\neach ran with 2/)
  })
})

describe('the child loads the file through Vitest', () => {
  test('a path alias and vi.mock in the test file apply in the child', () => {
    expect(run.test('vi.mock and the alias apply in the child').status).toBe('passed')
  })

  test('a fixture is copied from the parent, and one that cannot be is named', () => {
    expect(run.test('a fixture is copied from the parent').status).toBe('passed')
    expect(failure('a fixture that cannot be copied fails with its name')).toContain('fixture "conn": a function')
  })
})

describe('fork and spawn', () => {
  test('fork carries env and cwd at the call; spawn starts from the worker\'s start-up state', () => {
    expect(run.test('fork sees the env and cwd of the call').status).toBe('passed')
    expect(run.test('spawn sees the env and cwd the worker started with').status).toBe('passed')
    expect(run.test('the env option adds variables').status).toBe('passed')
  })
})

test("a limit above Vitest's timeout runs, cut to what Vitest's timer leaves, and the message names the setting", () => {
  const t = run.test("a limit above Vitest's timeout is cut to what it leaves")
  const message = t.failureMessages.join('\n')
  expect(message).toMatch(/The test body was stopped after \d+ ms, short of the 60000 ms it may use, because Vitest's `testTimeout` \(or the test's own timeout\) \(now 8000 ms\) fires next/)
  expect(message).toContain("To give it its full time, raise Vitest's `testTimeout` (or the test's own timeout).")
  // Ours, not Vitest's own "Test timed out in 4000ms".
  expect(message).not.toContain('Test timed out in')
  expect(run.test("isolated(3000) runs under Vitest's default 5 s").status).toBe('passed')
})

test('ISOLATED_TEST=off runs bodies in-process', () => {
  const off = runVitest(project, ['core/more-faults.test.ts', '-t', 'ISOLATED_TEST=off'], { ISOLATED_TEST: 'off' })
  expect(off.test('runs in-process when ISOLATED_TEST=off').status).toBe('passed')
  expect(off.pids).toEqual([])
  expect(run.test('runs in-process when ISOLATED_TEST=off').status).toBe('passed')
})

test('no process we started is left', async () => {
  expect(run.pids.length).toBeGreaterThan(20)
  expect(await survivors(run.pids)).toEqual([])
})

test('leaks: error fails a test whose lost change other code of the file reads, naming it', () => {
  const demo = runVitest(join(repoRoot, 'fixtures', 'demo-vitest'), ['-t', 'leaks: counts'])
  const message = demo.test('leaks: counts a request in its own process').failureMessages.join('\n')
  expect(message).toContain('IsolatedLeakError: This test changed state that other code of its file relies on')
  expect(message).toMatch(/requestCount \(module scope of .*demo\.test\.ts\)\n\s+before:\s+0\n\s+after:\s+1/)
})
