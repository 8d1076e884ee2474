// Shared by plugin-vitest4 and plugin-vitest5: the isolatedTests() plugin on a project that has nothing else of ours: whole tests (hooks
// included) run in children, hung tests fail within their limit and the others keep their verdicts.
import { beforeAll, describe, expect, test } from 'vitest'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { readPids, survivors } from '../helpers/processes.js'
import { runVitest, type VitestRun } from '../helpers/run-vitest.js'

export function pluginSuite(label: string, project: string, runOptions: { vitestBin?: string; node?: string } = {}): void {
  describe(label, () => {
    let run: VitestRun
    let grandchildren: number[]
    let hookLog: string[][]

    beforeAll(() => {
      const tmp = join(repoRoot, '.tmp', `plugin-${label.replace(/\W+/g, '-')}-${process.pid}`)
      rmSync(tmp, { recursive: true, force: true })
      const files = { E2E_GRANDCHILD_FILE: `${tmp}-grandchildren`, E2E_HOOK_LOG: `${tmp}-hooks`, E2E_RETRY_FILE: `${tmp}-retry` }
      for (const f of Object.values(files)) rmSync(f, { force: true })
      run = runVitest(project, ['tests/'], { ...files, E2E_PORT: String(40_000 + (process.pid % 20_000)) }, runOptions.vitestBin, runOptions.node)
      grandchildren = readPids(files.E2E_GRANDCHILD_FILE)
      hookLog = readFileSync(files.E2E_HOOK_LOG, 'utf8').trim().split('\n').map((l) => l.split(' '))
    })

    const failure = (name: string): string => {
      const t = run.test(name)
      expect(t.status, `${name} should fail`).toBe('failed')
      return t.failureMessages.join('\n')
    }

    test('the core faults, with only the plugin', async () => {
      expect(failure('sync infinite loop')).toMatch(/timed out after 300 ms[\s\S]*at spin \(.*src\/spin\.ts:3:3\)/)
      expect(failure('sync infinite loop')).toContain('the isolated `timeout` option (300 ms')
      expect(failure('ignores SIGTERM')).toContain('needed SIGKILL')
      expect(failure('grandchild process')).toContain('timed out after 300 ms')
      expect(grandchildren).toHaveLength(1)
      expect(await survivors(grandchildren)).toEqual([])
      expect(failure('process.exit(3)')).toContain('exited with code 3')
      expect(failure('assertion diff')).toContain('expected [ 1, 2, 3 ] to deeply equal [ 1, 2, 4 ]')
      expect(failure('custom error with a cause')).toContain('QueueError: queue stalled')
      expect(run.output).toContain('Caused by: Error: broker down')
      expect(run.output).toMatch(/stdout \| tests\/faults\.test\.ts(:\d+){0,2} > console output\nplugin child says hello/)
      expect(run.test('a plain passing test keeps its verdict').status).toBe('passed')
    })

    test('hooks run in the child: a console.log spy from beforeEach, mocks, a port bound in beforeAll', () => {
      expect(run.test('beforeEach replaced console.log with a spy').status).toBe('passed')
      expect(run.test('beforeAll bound the port in this child').status).toBe('passed')
      expect(run.test('vi.mock and the alias apply').status).toBe('passed')
    })

    test('beforeAll runs once per child and never in the parent, afterAll after it', () => {
      expect(hookLog.every(([, , where]) => where === '1')).toBe(true)
      const byPid = new Map<string, string[]>()
      for (const [hook, pid] of hookLog) byPid.set(pid!, [...(byPid.get(pid!) ?? []), hook!])
      // One child per test of the file that reached its hooks (5 tests).
      expect(byPid.size).toBe(5)
      for (const hooks of byPid.values()) expect(hooks[0]).toBe('beforeAll')
      // Every child that was not killed closed the server again.
      expect([...byPid.values()].filter((h) => h.join() === 'beforeAll,afterAll')).toHaveLength(4)
    })

    test('a hanging hook is killed under its own limit', () => {
      const message = failure('a hanging hook never reaches its body')
      expect(message).toContain('The beforeEach hook timed out after 1000 ms')
      expect(message).toContain("Vitest's `hookTimeout` (1000 ms)")
      expect(message).toMatch(/hooks\.test\.ts:50:5/)
    })

    test('expect.assertions is enforced in the child', () => {
      expect(failure('expect.assertions is enforced')).toContain('expected number of assertions to be 2, but got 1')
    })

    test('overrides: pragma per file, meta per test, isolated() per body, and the in-process opt-out', () => {
      expect(run.test('the pragma applies to the file').status).toBe('passed')
      expect(failure('the pragma sets the limit')).toContain('timed out after 300 ms')
      expect(run.test('meta.isolated overrides options per test').status).toBe('passed')
      expect(failure('isolated() on a body sets its own limit')).toContain('isolated(ms) on the test body (300 ms)')
      expect(run.test('meta.isolated: false keeps a test in-process').status).toBe('passed')
      expect(run.test('a file the plugin excludes stays in-process').status).toBe('passed')
    })

    test('fixtures, retry, test.fails and skip keep their meaning', () => {
      expect(run.test('a fixture is set up in the child').status).toBe('passed')
      expect(run.test('retry gets a fresh child per attempt').status).toBe('passed')
      expect(run.test('test.fails keeps its meaning').status).toBe('passed')
      expect(run.test('ctx.skip() in the child skips the test').status).toBe('skipped')
    })

    test('concurrent tests run in parallel children, each with its own output', () => {
      expect(run.test('concurrent tests concurrent alpha').status).toBe('passed')
      expect(run.test('concurrent tests concurrent beta').status).toBe('passed')
      for (const name of ['alpha', 'beta']) {
        const other = name === 'alpha' ? 'beta' : 'alpha'
        const blocks = run.output.split(/(?=stdout \| )/).filter((b) => b.includes(`> concurrent ${name}\n`))
        expect(blocks.length).toBeGreaterThan(0)
        for (const b of blocks) expect(b).not.toContain(`${other} line`)
        expect(blocks.join('')).toContain(`${name} line 2`)
      }
    })

    test('a beforeEach-filled `let db` with hooks: parent: fork carries it; spawn fails and the report says why', () => {
      expect(run.test('db from beforeEach, fork').status).toBe('passed')
      const message = failure('db from beforeEach, spawn')
      expect(message).toContain('expected undefined to deeply equal')
      expect(message).toMatch(/IsolatedStateReport: State across the process boundary[\s\S]*parent → child[\s\S]*db \(module scope of tests\/state-db\.test\.ts\)\n\s+parent: \{ url: 'postgres:\/\/from-the-parent' \}\n\s+child:\s+undefined/)
    })

    test('no process warning from our handles (a ref/unref per fork once queued a listener each: MaxListenersExceededWarning)', () => {
      expect(run.pids.length).toBeGreaterThan(20)
      expect(run.output).not.toContain('MaxListenersExceededWarning')
    })

    test('no process we started is left', async () => {
      expect(run.pids.length).toBeGreaterThan(20)
      expect(await survivors(run.pids)).toEqual([])
    })

    test('--bail cancels the run and ends a running child at once', async () => {
      const handshake = join(repoRoot, '.tmp', `bail-${label.replace(/\W+/g, '-')}-${process.pid}`)
      rmSync(handshake, { force: true })
      const started = Date.now()
      const bail = runVitest(project, ['cancel/', '--bail=1'], { E2E_HANDSHAKE_FILE: handshake }, runOptions.vitestBin, runOptions.node)
      // The hanging child's limit is 60 s: finishing far below it means cancel() killed it.
      expect(Date.now() - started).toBeLessThan(30_000)
      expect(bail.code).toBe(1)
      expect(bail.output).toContain('first failure')
      const hanging = readPids(handshake)
      expect(hanging).toHaveLength(1)
      expect(await survivors([...hanging, ...bail.pids])).toEqual([])
    })
  })
}


