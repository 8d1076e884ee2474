// The fault matrix of issue 9 for one runtime and mode: the fixture runs once, then each case is
// checked in its own test.
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { casesFile, filesFor, markedLine } from './fixture-files.js'
import { expectProcessModel } from './process-model.js'
import { aliveAfter, killByToken, processesWithToken } from './processes.js'
import { runFixture, type FixtureRun } from './run.js'
import type { Mode, Runtime } from './runtimes.js'

const MB = 2 ** 20
/** Verdicts of timeouts at 1 s come after boot + limit + capture + kill: seconds, far under this. */
const TIMEOUT_VERDICT_MS = 15_000
/** Crashes with a 30 s limit must come at once, not at the limit. */
const CRASH_VERDICT_MS = 10_000

const MODE_LABEL: Record<Mode, string> = { helper: 'isolated()', plugin: 'isolatedTests() plugin', environment: 'isolated-test/jest environment' }

/** Matrix cases, by test name (fixtures: faults-matrix/cases.ts, matrix/cases.js). */
const CASE = {
  syncLoop: 'sync loop',
  sigterm: 'loop ignoring SIGTERM',
  neverSettles: 'never-settling promise',
  grandchild: 'grandchild',
  exit: 'process.exit(3)',
  segv: 'SIGSEGV',
  abort: 'abort',
  oom: 'OOM',
  output: '50 MB output',
  worker: 'a Worker that loops',
} as const

function failed(run: FixtureRun, name: string): string {
  const r = run.result(name)
  expect(r.status, `"${name}" should fail`).toBe('failed')
  return r.failure
}

export function faultSuite(runtime: Runtime, mode: Mode): void {
  const isJest = runtime.framework === 'jest'
  describe(`${runtime.label}, ${MODE_LABEL[mode]}`, () => {
    let matrix: FixtureRun

    beforeAll(async () => {
      matrix = await runFixture({ runtime, mode, files: filesFor(runtime, mode) })
      const slowest = [...matrix.results].sort((a, b) => (b.duration ?? 0) - (a.duration ?? 0)).slice(0, 5)
      console.log(`${runtime.label}, ${mode}: matrix run ${matrix.wallMs} ms; slowest: ${slowest.map((r) => `${r.fullName} ${Math.round(r.duration ?? 0)} ms`).join(', ')}`)
    }, 300_000)

    afterAll(() => {
      // Whatever a run left running is ended here, by its token only.
      if (matrix) killByToken(matrix.token)
    })

    describe('the fault matrix', () => {
      const spinLine = markedLine(casesFile(runtime), 'spin')

      test('a sync loop times out at its limit, stuck on the loop line', () => {
        const message = failed(matrix, CASE.syncLoop)
        expect(message).toContain('timed out after 1000 ms')
        expect(message).toMatch(new RegExp(`It was busy at:\\n\\s+(?:at|→) spin \\(.*cases\\.[jt]s:${spinLine}:\\d+\\)`))
        expect(matrix.result(CASE.syncLoop).duration).toBeLessThan(TIMEOUT_VERDICT_MS)
        expect(matrix.reportLine(CASE.syncLoop)?.outcome).toBe('timeout')
      })

      test('a loop that ignores SIGTERM is killed with SIGKILL', () => {
        const message = failed(matrix, CASE.sigterm)
        expect(message).toContain('timed out after 1000 ms')
        expect(message).toContain('it ignored the first signal and needed SIGKILL')
        expect(matrix.result(CASE.sigterm).duration).toBeLessThan(TIMEOUT_VERDICT_MS)
      })

      test('a never-settling promise times out', () => {
        // Not what the diagnosis says: under load an idle child can be reported "blocked in native code".
        expect(failed(matrix, CASE.neverSettles)).toContain('timed out after 1000 ms')
        expect(matrix.result(CASE.neverSettles).duration).toBeLessThan(TIMEOUT_VERDICT_MS)
        expect(matrix.reportLine(CASE.neverSettles)?.outcome).toBe('timeout')
      })

      test('a grandchild is killed with the tree and listed in the pid log', async () => {
        expect(failed(matrix, CASE.grandchild)).toContain('timed out after 1000 ms')
        const pids = matrix.pids(CASE.grandchild)
        expect(pids).toHaveLength(1)
        expect(matrix.pidLog).toEqual(expect.arrayContaining(pids))
        expect(await aliveAfter(pids, 2000)).toEqual([])
      })

      test('process.exit(3) is a crash with its code, at once', () => {
        expect(failed(matrix, CASE.exit)).toContain('IsolatedCrashError: The child process exited with code 3')
        expect(matrix.result(CASE.exit).duration).toBeLessThan(CRASH_VERDICT_MS)
        expect(matrix.reportLine(CASE.exit)?.outcome).toBe('crash')
      })

      test('SIGSEGV is a crash with the signal, at once', () => {
        expect(failed(matrix, CASE.segv)).toContain('IsolatedCrashError: The child process was killed by SIGSEGV')
        expect(matrix.result(CASE.segv).duration).toBeLessThan(CRASH_VERDICT_MS)
      })

      test('process.abort() is a crash with SIGABRT, at once', () => {
        expect(failed(matrix, CASE.abort)).toContain('IsolatedCrashError: The child process was killed by SIGABRT')
        expect(matrix.result(CASE.abort).duration).toBeLessThan(CRASH_VERDICT_MS)
      })

      test('running out of memory (--max-old-space-size=24 through execArgv) is a crash that says so', () => {
        const message = failed(matrix, CASE.oom)
        expect(message).toMatch(/IsolatedCrashError: The child process (was killed by SIGABRT|exited with code 134)/)
        expect(message).toContain('It ran out of memory')
        expect(matrix.result(CASE.oom).duration).toBeLessThan(TIMEOUT_VERDICT_MS)
      })

      test('50 MB of output passes and arrives complete', () => {
        const r = matrix.result(CASE.output)
        expect(r.status, r.failure).toBe('passed')
        if (isJest) {
          expect(matrix.fullMegabyteLines).toBe(50)
          expect(matrix.output).toContain('50 MB written')
        } else {
          const chars = matrix.console.find((e) => e.test === CASE.output && e.stdoutChars !== undefined)?.stdoutChars
          expect(chars).toBe(50 * MB + '50 MB written\n'.length)
        }
      })

      test('a Worker that loops times out', () => {
        expect(failed(matrix, CASE.worker)).toContain('timed out after 1000 ms')
        expect(matrix.result(CASE.worker).duration).toBeLessThan(TIMEOUT_VERDICT_MS)
      })

      test('no process we started is left', async () => {
        const pids = [...matrix.pidLog, ...matrix.recorded.map((r) => r.pid)]
        expect(matrix.pidLog.length).toBeGreaterThan(10)
        expect(await aliveAfter(pids, 2000)).toEqual([])
        expect(processesWithToken(matrix.token)).toEqual([])
      })

      test('every record has the process model asked for (E2E_PROCESS_MODEL)', () => {
        expectProcessModel(matrix.report)
      })
    })
  })
}
