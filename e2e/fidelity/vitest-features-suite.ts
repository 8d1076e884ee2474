// Issue 10, items 2-5, 8 and 10 on Vitest: everyday features behave isolated as they do in-process.
// One run of fixtures/fidelity-vitest (helper/ with isolated() on bodies, project/ under the plugin)
// in the default pool, and one run of its framework-env files in each other pool; each check below
// reads that run's JSON report, what the bodies recorded, and what a custom reporter saw.
import { fidelityRuns } from './runtimes.js'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { FORK_SERVER } from '../helpers/model.js'
import { repoRoot } from '../helpers/package.js'
import { survivors } from '../helpers/processes.js'
import { expectedRows, readRecords, rowsSeen, type Entry } from './records.js'
import { HOOK_LIMIT_MS, runFixture, type Env, type FixtureRun } from './run.js'
import type { Runtime } from './runtimes.js'
import { copyTree, tempProject } from './temp-project.js'

export interface FeatureSuiteOptions {
  /** Extra environment for every run (e.g. ISOLATED_TEST_PROCESS_MODEL). */
  readonly env?: Env
  /** Names of checks that fail today (issue 10 not fixed yet): they run as expected failures. */
  readonly knownFailures: ReadonlySet<string>
}

const FIXTURE = join(repoRoot, 'fixtures', 'fidelity-vitest')
const METHODS = ['fork', 'spawn', 'plugin'] as const
type Method = (typeof METHODS)[number]

/** The forms of helper/args-forms.ts and project/args.test.ts, and the names of their tests. */
const FORMS: readonly { form: string; name: RegExp; ids?: number[] }[] = [
  { form: 'concurrent', name: /^concurrent \d$/, ids: [1, 2, 3] },
  { form: 'each array', name: /^each array row / },
  { form: 'each object', name: /^each object row / },
  { form: 'each template', name: /^each template row / },
  { form: 'for', name: /^for row / },
  { form: 'concurrent.each', name: /^concurrent\.each row / },
  { form: 'concurrent.for', name: /^concurrent\.for row / },
  { form: 'describe.each', name: /^describe\.each row \d adds$/ },
  { form: 'describe.each concurrent', name: /^describe\.each row \d adds concurrently$/ },
  { form: 'describe.for', name: /^describe\.for row \d adds$/ },
]

const argsFile = (method: Method): string => (method === 'plugin' ? 'project/args.test.ts' : `helper/args-${method}.test.ts`)
const everydayFile = (method: Method): string => (method === 'plugin' ? 'project/everyday.test.ts' : 'helper/everyday.test.ts')

export function vitestFeatureSuite(runtime: Runtime, options: FeatureSuiteOptions): void {
  const check = (name: string, fn: () => unknown): void => {
    ;(options.knownFailures.has(name) ? test.fails : test)(name, fn as () => Promise<void>)
  }

  describe.skipIf(!fidelityRuns(runtime))(`${runtime.label}: everyday features under isolation`, () => {
    let dir: string
    let out: string
    let run: FixtureRun
    let records: (log: string) => Entry[]

    beforeAll(() => {
      dir = tempProject(runtime, 'features', (d) => copyTree(FIXTURE, d))
      out = mkdtempSync(join(tmpdir(), 'isolated-fidelity-out-'))
      run = runFixture(runtime, dir, ['--reporter=./reporter.ts'], { env: { ...options.env, E2E_OUT_DIR: out, CI: 'true' } })
      records = (log) => readRecords(out, log)
      // Every file was collected: a failure below is about the feature, not a broken run.
      const files = new Set(run.results.map((t) => t.file))
      if (files.size < 16) throw new Error(`only ${files.size} test files reported:\n${run.output}`)
    }, HOOK_LIMIT_MS)

    /** Passed, or the test's name, verdict and first failure line in the diff. */
    const passes = (file: string, name: string): void => {
      const t = run.test(file, name)
      expect([name, t.status, t.failureMessages[0]?.split('\n')[0]]).toEqual([name, 'passed', undefined])
    }
    const reporterSaw = (file: string, name: string): Entry => {
      const seen = records('reporter.jsonl').filter((r) => String(r.file).endsWith(file) && r.name === name)
      expect(seen, `the reporter saw ${file} > ${name} once`).toHaveLength(1)
      return seen[0]!
    }

    describe('item 2: test arguments reach the child, every each/for/concurrent form', () => {
      for (const method of METHODS) {
        for (const { form, name, ids } of FORMS) {
          check(`${method}: ${form}: every row passes, once, with its own data`, () => {
            const tests = run.results.filter((t) => t.file === argsFile(method) && name.test(t.fullName))
            expect(tests.map((t) => [t.fullName, t.status, t.failureMessages[0]?.split('\n')[0]])).toEqual(tests.map((t) => [t.fullName, 'passed', undefined]))
            expect(tests).toHaveLength(ids ? ids.length : 2)
            if (ids) expect(records('args.jsonl').filter((r) => r.method === method && r.form === form).map((r) => r.id).sort()).toEqual(ids)
            else expect(rowsSeen(records('args.jsonl'), method, form)).toEqual(expectedRows(method, form))
          })
        }
      }
    })

    describe('item 2: the row the body gets is the one the hooks before it left', () => {
      for (const method of METHODS) {
        check(`${method}: for: a row changed by beforeEach reaches the body changed`, () => {
          passes(argsFile(method), 'for: a row changed by beforeEach')
          expect(records('args.jsonl').filter((r) => r.method === method && r.form === 'for changed').map((r) => r.changedBy)).toEqual(['beforeEach'])
        })
      }
    })

    describe("item 3: fixtures under the plugin (the README's example)", () => {
      check("plugin: isolated() on the body of a plugin-isolated test gets its fixture ({ db })", () => {
        const t = run.test('project/fixtures.test.ts', 'uses db')
        expect([t.status, t.failureMessages[0]?.split('\n')[0]]).toEqual(['passed', undefined])
      })
      check('plugin: a plain body gets its fixture', () => {
        passes('project/fixtures.test.ts', 'uses db without isolated()')
      })
      for (const method of ['fork', 'spawn'] as const) {
        check(`${method}: isolated() gets the fixture copied from the parent`, () => {
          passes('helper/fixtures.test.ts', `uses db (${method})`)
        })
      }
    })

    describe('item 4: retries', () => {
      for (const method of METHODS) {
        const file = method === 'plugin' ? 'project/retry.test.ts' : 'helper/retry.test.ts'
        const label = method === 'plugin' ? 'plugin' : `helper ${method}`
        const attempts = (): Entry[] => records('retry.jsonl').filter((r) => r.test === label)
        const name = `passes on its second attempt (${method === 'plugin' ? 'plugin' : method})`
        check(`${method}: the child sees its attempt in task.result.retryCount, and the test passes on its second attempt`, () => {
          expect(attempts().map((r) => r.retryCount)).toEqual([0, 1])
          // Vitest keeps a failed attempt's errors on a test that passed on a retry, in-process too.
          const t = run.test(file, name)
          expect([t.status, t.failureMessages[0]?.split('\n')[0]]).toEqual(['passed', 'AssertionError: expected +0 to be 1 // Object.is equality'])
        })
        check(`${method}: each attempt is a child of its own: module state of a failed attempt does not carry`, () => {
          expect(attempts().length).toBeGreaterThanOrEqual(2)
          expect(attempts().every((r) => r.attemptsSeenHere === 1)).toBe(true)
          expect(new Set(attempts().map((r) => r.pid)).size).toBe(attempts().length)
          // ... and the failed attempt's state report says so.
          const report = run.test(file, name).failureMessages[1] ?? ''
          expect([report.split('\n')[0], report.includes('attemptsSeenHere')]).toEqual(['IsolatedStateReport: State across the process boundary (isolated-test):', true])
        })
        // Where the pristine module state comes from: the fresh model imports the file in every child,
        // the fork server once, in the zygote ('spawn' and 'fork' are forks of it).
        const childImports = (): Entry[] => records('retry-imports.jsonl').filter((r) => r.file === (method === 'plugin' ? 'plugin' : 'helper') && r.child === true)
        if (FORK_SERVER) {
          check(`${method}: the file's top level ran once, in the zygote, not in the attempts' children`, () => {
            expect(attempts().length).toBeGreaterThanOrEqual(2)
            expect(childImports()).toHaveLength(1)
            expect(attempts().map((r) => r.pid)).not.toContain(childImports()[0]!.pid)
          })
        } else {
          check(`${method}: each attempt's child ran the file's top level itself`, () => {
            expect(attempts().length).toBeGreaterThanOrEqual(2)
            expect(childImports().map((r) => r.pid)).toEqual(expect.arrayContaining(attempts().map((r) => r.pid)))
          })
        }
      }
    })

    describe('item 5: the pragma in any comment before the first statement', () => {
      check('a pragma after a license header applies', () => {
        passes('project/pragma-license.test.ts', 'a pragma after a license header applies')
      })
      check('a pragma after a // @vitest-environment line applies', () => {
        passes('project/pragma-environment.test.ts', 'a pragma after a @vitest-environment line applies')
      })
      check('a pragma-like comment after the first statement is not used', () => {
        passes('project/pragma-unused.test.ts', 'a pragma after the first statement is not used')
        passes('project/pragma-unused.test.ts', 'a second test of the same file')
      })
      check('an unused pragma-like comment gets one warning naming its file', () => {
        const warnings = run.output.split('\n').filter((line) => line.includes('@isolated-test') && line.includes('pragma-unused.test.ts'))
        expect(warnings).toHaveLength(1)
      })
      check('used pragmas get no warning', () => {
        expect(run.output.split('\n').filter((line) => line.includes('@isolated-test') && /pragma-(license|environment)\.test\.ts/.test(line))).toEqual([])
      })
    })

    describe("item 8: a test that replaces the global `process` keeps its verdict", () => {
      const cases = [
        ['fork', 'helper/stub-process.test.ts', ' (fork)'],
        ['spawn', 'helper/stub-process.test.ts', ' (spawn)'],
        ['plugin fork', 'project/stub-process-fork.test.ts', ''],
        ['plugin spawn', 'project/stub-process-spawn.test.ts', ''],
      ] as const
      for (const [label, file, suffix] of cases) {
        check(`${label}: vi.stubGlobal('process', { ...process, platform: 'win32' }): 3 of 3 pass`, () => {
          const names = ['platform faked as win32', 'an async body under a faked process', 'the fake is still in place when the body returns'].map((n) => n + suffix)
          expect(names.map((n) => [n, run.test(file, n).status, run.test(file, n).failureMessages[0]?.split('\n')[0]])).toEqual(names.map((n) => [n, 'passed', undefined]))
        })
      }
    })

    describe('item 10: everyday features', () => {
      for (const method of METHODS) {
        const file = everydayFile(method)
        const n = (what: string): string => `${what} (${method})`
        check(`${method}: context.annotate reaches the reporter`, () => {
          passes(file, n('annotate'))
          expect(reporterSaw(file, n('annotate')).annotations).toEqual([{ message: 'annotated in the body', type: 'notice' }])
        })
        check(`${method}: task.meta written in the body reaches the reporter`, () => {
          passes(file, n('task.meta written in the body'))
          expect(reporterSaw(file, n('task.meta written in the body')).meta).toMatchObject({ writtenInBody: method })
        })
        check(`${method}: onTestFinished runs once, after the body`, () => {
          passes(file, n('onTestFinished runs once, after the body'))
          const hooks = records('hooks.jsonl').filter((r) => r.method === method && String(r.hook).startsWith('onTestFinished'))
          expect(hooks.map((r) => r.hook).sort()).toEqual(['onTestFinished (context)', 'onTestFinished (import)'])
        })
        check(`${method}: onTestFailed runs once for a failing body, which fails with its own error`, () => {
          const t = run.test(file, n('onTestFailed runs for a failing body'))
          expect(t.status).toBe('failed')
          expect(t.failureMessages[0]).toMatch(/^AssertionError: the failure onTestFailed sees: expected 1 to be 2/)
          expect(records('hooks.jsonl').filter((r) => r.method === method && r.hook === 'onTestFailed')).toHaveLength(1)
        })
        check(`${method}: expect.soft reports every failure`, () => {
          const t = run.test(file, n('expect.soft reports every failure'))
          expect(t.status).toBe('failed')
          expect(t.failureMessages.map((m) => m.split('\n')[0])).toEqual([
            'AssertionError: first soft failure: expected 1 to be 2 // Object.is equality',
            "AssertionError: second soft failure: expected 'a' to be 'b' // Object.is equality",
          ])
        })
        check(`${method}: expect.poll waits for the value`, () => {
          passes(file, n('expect.poll waits for the value'))
        })
        check(`${method}: file- and worker-scoped fixtures reach the body`, () => {
          passes(file, n('file- and worker-scoped fixtures'))
        })
        check(`${method}: the body sees every task of its file, as in-process (a forked child runs only its own)`, () => {
          passes(file, n("the body sees the file's other tasks"))
        })
      }
      check('plugin: concurrent children alive together get distinct ISOLATED_TEST_CHILD_ID values', () => {
        const seen = records('child-id.jsonl')
        expect(seen.map((r) => r.together)).toEqual([true, true, true])
        expect(new Set(seen.map((r) => r.pid)).size).toBe(3)
        // They share the worker's pool id: that is why tests need their own.
        expect(new Set(seen.map((r) => r.poolId)).size).toBe(1)
        const ids = seen.map((r) => r.childId)
        expect(ids).toEqual([expect.stringMatching(/./), expect.stringMatching(/./), expect.stringMatching(/./)])
        expect(new Set(ids).size).toBe(3)
      })
    })

    describe("item 8: 'spawn' carries Vitest's own variables, in every pool", () => {
      const pools: Record<string, FixtureRun> = {}
      beforeAll(() => {
        for (const pool of ['threads', 'vmThreads']) {
          const poolOut = mkdtempSync(join(tmpdir(), `isolated-fidelity-${pool}-`))
          pools[pool] = runFixture(runtime, dir, [`--pool=${pool}`, 'framework-env'], { env: { ...options.env, E2E_OUT_DIR: poolOut, CI: 'true' } })
          const where = readRecords(poolOut, 'framework-env.jsonl')
          // The in-process side really ran in a worker thread of that pool.
          if (where.length !== 2 || where.some((r) => r.isMainThread !== false)) throw new Error(`--pool=${pool} did not run the files in worker threads: ${JSON.stringify(where)}\n${pools[pool]!.output}`)
        }
      }, HOOK_LIMIT_MS)
      for (const pool of ['forks', 'threads', 'vmThreads']) {
        const which = (): FixtureRun => (pool === 'forks' ? run : pools[pool]!)
        check(`${pool}: isolated(…, 'spawn') sees VITEST, VITEST_MODE, VITEST_POOL_ID, VITEST_WORKER_ID, TEST and NODE_ENV as the worker has them`, () => {
          const t = which().test('helper/framework-env.test.ts', "spawn: Vitest's variables are the worker's")
          expect([t.status, t.failureMessages[0]?.split('\n').slice(0, 12).join('\n')]).toEqual(['passed', undefined])
        })
        check(`${pool}: the plugin with 'spawn' sees them as the worker has them`, () => {
          const t = which().test('project/framework-env.test.ts', "spawn: Vitest's variables are the worker's")
          expect([t.status, t.failureMessages[0]?.split('\n').slice(0, 12).join('\n')]).toEqual(['passed', undefined])
        })
        check(`${pool}: a variable set by test code does not reach a 'spawn' child`, () => {
          expect(which().test('helper/framework-env.test.ts', 'spawn: a variable set by test code is not carried').status).toBe('passed')
        })
      }
      test('no process we started is left', async () => {
        expect(await survivors([...run.pids, ...Object.values(pools).flatMap((r) => r.pids)])).toEqual([])
      })
    })
  })
}
