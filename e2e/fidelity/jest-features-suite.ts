// Issue 10, items 2, 5 and 7-10 on Jest: everyday features behave isolated as they do in-process.
// Runs of fixtures/fidelity-jest: the main run (helper/ with isolated() on bodies, env/ under the
// isolated-test environment), its framework-env files in band and on workers, native ESM and
// --randomize (each beside an in-process run, ISOLATED_TEST=off), and a config with a typo.
import { fidelityRuns } from './runtimes.js'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { repoRoot } from '../helpers/package.js'
import { survivors } from '../helpers/processes.js'
import { expectedRows, readRecords, rowsSeen, type Entry } from './records.js'
import { HOOK_LIMIT_MS, runFixture, type Env, type FixtureRun, type RunSettings } from './run.js'
import type { Runtime } from './runtimes.js'
import { copyTree, tempProject } from './temp-project.js'
import type { FeatureSuiteOptions } from './vitest-features-suite.js'

const FIXTURE = join(repoRoot, 'fixtures', 'fidelity-jest')
const METHODS = ['fork', 'spawn', 'environment'] as const
type Method = (typeof METHODS)[number]
const SEED = '4242'

const FORMS: readonly { form: string; name: RegExp; ids?: number[] }[] = [
  { form: 'concurrent', name: /^concurrent \d$/, ids: [1, 2, 3] },
  { form: 'each array', name: /^each array row / },
  { form: 'each object', name: /^each object row / },
  { form: 'each template', name: /^each template row / },
  { form: 'concurrent.each', name: /^concurrent\.each row / },
  { form: 'describe.each', name: /^describe\.each row \d adds$/ },
  { form: 'describe.each concurrent', name: /^describe\.each row \d adds concurrently$/ },
]

const argsFile = (method: Method): string => (method === 'environment' ? 'env/args.test.js' : `helper/args-${method}.test.js`)
const firstLines = (t: { failureMessages: readonly string[] }): string[] => t.failureMessages.map((m) => m.split('\n')[0]!)
/** A Jest failure's message with its Expected/Received lines, without the stack. */
const brief = (message: string | undefined): string | undefined => message?.split('\n').filter((l) => !/^\s+at /.test(l)).slice(0, 8).join('\n')

export function jestFeatureSuite(runtime: Runtime, options: FeatureSuiteOptions): void {
  const check = (name: string, fn: () => unknown): void => {
    ;(options.knownFailures.has(name) ? test.fails : test)(name, fn as () => Promise<void>)
  }
  const runs: FixtureRun[] = []
  let dir: string
  const outDir = (label: string): string => mkdtempSync(join(tmpdir(), `isolated-fidelity-${label}-`))
  const jest = (args: readonly string[], env: Env, allowFresh?: RunSettings['allowFresh']): FixtureRun => {
    const r = runFixture(runtime, dir, ['--ci', ...args], { env: { ...options.env, ...env }, allowFresh })
    runs.push(r)
    return r
  }

  describe.skipIf(!fidelityRuns(runtime))(`${runtime.label}: everyday features under isolation`, () => {
    beforeAll(() => {
      dir = tempProject(runtime, 'features', (d) => copyTree(FIXTURE, d))
    }, HOOK_LIMIT_MS)

    describe('the main run', () => {
      let run: FixtureRun
      let out: string
      const records = (log: string): Entry[] => readRecords(out, log)
      beforeAll(() => {
        out = outDir('main')
        run = jest([`--seed=${SEED}`, '--testPathIgnorePatterns', 'framework-env'], { E2E_OUT_DIR: out, E2E_SEED: SEED })
        const files = new Set(run.results.map((t) => t.file))
        if (files.size < 11) throw new Error(`only ${files.size} test files reported:\n${run.output}`)
      }, HOOK_LIMIT_MS)
      /** Passed, or the test's name, verdict and failure message in the diff. */
      const passes = (file: string, name: string): void => {
        const t = run.test(file, name)
        expect([name, t.status, brief(t.failureMessages[0])]).toEqual([name, 'passed', undefined])
      }

      describe('item 2: test arguments reach the child, every each/concurrent form', () => {
        for (const method of METHODS) {
          for (const { form, name, ids } of FORMS) {
            check(`${method}: ${form}: every row passes, once, with its own data`, () => {
              const tests = run.results.filter((t) => t.file === argsFile(method) && name.test(t.fullName))
              expect(tests.map((t) => [t.fullName, t.status, brief(t.failureMessages[0])])).toEqual(tests.map((t) => [t.fullName, 'passed', undefined]))
              expect(tests).toHaveLength(ids ? ids.length : 2)
              if (ids) expect(records('args.jsonl').filter((r) => r.method === method && r.form === form).map((r) => r.id).sort()).toEqual(ids)
              else expect(rowsSeen(records('args.jsonl'), method, form)).toEqual(expectedRows(method, form))
            })
          }
        }
      })

      describe('item 2: the row the body gets is the one the hooks before it left', () => {
        for (const method of METHODS) {
          check(`${method}: each: a row changed by beforeEach reaches the body changed`, () => {
            passes(argsFile(method), 'each: a row changed by beforeEach')
            expect(records('args.jsonl').filter((r) => r.method === method && r.form === 'each changed').map((r) => r.changedBy)).toEqual(['beforeEach'])
          })
        }
      })

      describe('item 5: the pragma in any comment before the first statement', () => {
        check('a pragma after a license header applies', () => {
          passes('env/pragma-license.test.js', 'a pragma after a license header applies')
        })
        check('a pragma after tool comments (eslint, @ts-check) applies', () => {
          passes('env/pragma-eslint.test.js', 'a pragma after tool comments applies')
        })
        check('a pragma-like comment after the first statement is not used', () => {
          passes('env/pragma-unused.test.js', 'a pragma after the first statement is not used')
          passes('env/pragma-unused.test.js', 'a second test of the same file')
        })
        check('an unused pragma-like comment gets one warning naming its file', () => {
          expect(run.output.split('\n').filter((line) => line.includes('@isolated-test') && line.includes('pragma-unused.test.js'))).toHaveLength(1)
        })
        check('used pragmas get no warning', () => {
          expect(run.output.split('\n').filter((line) => line.includes('@isolated-test') && /pragma-(license|eslint)\.test\.js/.test(line))).toEqual([])
        })
      })

      describe("item 7: a failing isolated() body reports the user's failure first, and nothing about our own handles", () => {
        const cases: readonly [string, RegExp, boolean][] = [
          ['a failing body (fork)', /^Error: expect\(received\)\.toEqual\(expected\)/, true],
          ['a failing body (spawn)', /^Error: expect\(received\)\.toEqual\(expected\)/, true],
          // The state report explains this failure: it may follow the user's, never precede it.
          ['a failing body that changed a module variable (fork)', /^Error: expect\(received\)\.toBe\(expected\)/, false],
          ['a failing body that logged first (fork)', /^Error: expect\(received\)\.toBe\(expected\)/, true],
          ['a failing body after setImmediate (fork)', /^Error: expect\(received\)\.toBe\(expected\)/, true],
        ]
        for (const [name, first, only] of cases) {
          check(`${name}: the user's failure comes first${only ? ', alone' : ''}`, () => {
            const t = run.test('helper/noise.test.js', name)
            expect(t.status).toBe('failed')
            expect(firstLines(t)[0]).toMatch(first)
            if (only) expect(firstLines(t)).toHaveLength(1)
            expect(t.failureMessages.join('\n')).not.toMatch(/left open/)
          })
        }
      })

      describe('item 10: everyday features', () => {
        for (const method of METHODS) {
          const file = method === 'environment' ? 'env/everyday.test.js' : 'helper/everyday.test.js'
          const n = (what: string): string => `${what} (${method})`
          check(`${method}: test.failing passes when the body fails`, () => {
            passes(file, n('test.failing passes when the body fails'))
          })
          check(`${method}: test.failing fails when the body passes`, () => {
            const t = run.test(file, n('test.failing fails when the body passes'))
            expect(t.status).toBe('failed')
            expect(t.failureMessages[0]).toMatch(/Failing test passed even though it was supposed to fail/)
          })
          check(`${method}: jest.getSeed() in the child is the run's --seed`, () => {
            const t = run.test(file, n("jest.getSeed() is the run's seed"))
            expect([t.status, brief(t.failureMessages[0])]).toEqual(['passed', undefined])
          })
          const retryFile = method === 'environment' ? 'env/retry-log.test.js' : 'helper/retry-log.test.js'
          check(`${method}: jest.retryTimes(1, { logErrorsBeforeRetry: true }) logs the failed attempt and the retry passes`, () => {
            passes(retryFile, n('passes on the retry and logs the first error'))
            const message = `first attempt of ${method === 'environment' ? 'environment' : `helper ${method}`} fails`
            const logged = run.output.split('LOGGING RETRY ERRORS').slice(1).filter((block) => block.includes(n('passes on the retry and logs the first error')))
            expect(logged).toHaveLength(1)
            expect(logged[0]).toContain('RETRY 1')
            expect(logged[0]).toContain(message)
          })
        }
        check('environment: concurrent children alive together get distinct ISOLATED_TEST_CHILD_ID values', () => {
          const seen = records('child-id.jsonl')
          expect(seen.map((r) => r.together)).toEqual([true, true, true])
          expect(new Set(seen.map((r) => r.pid)).size).toBe(3)
          // They share the worker's JEST_WORKER_ID: that is why tests need their own.
          expect(new Set(seen.map((r) => r.workerId)).size).toBe(1)
          const ids = seen.map((r) => r.childId)
          expect(ids).toEqual([expect.stringMatching(/./), expect.stringMatching(/./), expect.stringMatching(/./)])
          expect(new Set(ids).size).toBe(3)
        })
      })
    })

    describe("item 8: 'spawn' carries JEST_WORKER_ID and NODE_ENV=test as the worker has them, in band and on workers", () => {
      const byMode: Record<string, FixtureRun> = {}
      beforeAll(() => {
        for (const mode of ['in band', 'workers'] as const) {
          const out = outDir(mode.replace(' ', '-'))
          // Workers: two files, two workers and no cached timings (Jest would go in band for fast files).
          const args = mode === 'in band' ? ['--runInBand'] : ['--maxWorkers=2', `--cacheDirectory=${outDir('cache')}`]
          const r = jest([...args, 'framework-env'], { E2E_OUT_DIR: out })
          byMode[mode] = r
          const where = readRecords(out, 'framework-env.jsonl')
          const inJest = where.map((w) => w.pid === r.pid)
          if (where.length !== 2 || inJest.some((x) => x !== (mode === 'in band'))) throw new Error(`${mode}: the tests did not run ${mode}: ${JSON.stringify(where)} (jest pid ${r.pid})\n${r.output}`)
        }
      }, HOOK_LIMIT_MS)
      for (const mode of ['in band', 'workers']) {
        check(`${mode}: isolated(…, 'spawn') sees JEST_WORKER_ID and NODE_ENV as the worker has them`, () => {
          const t = byMode[mode]!.test('helper/framework-env.test.js', "spawn: Jest's variables are the worker's")
          expect([t.status, brief(t.failureMessages[0])]).toEqual(['passed', undefined])
        })
        check(`${mode}: the environment with 'spawn' sees them as the worker has them`, () => {
          const t = byMode[mode]!.test('env/framework-env.test.js', "spawn: Jest's variables are the worker's")
          expect([t.status, brief(t.failureMessages[0])]).toEqual(['passed', undefined])
        })
        check(`${mode}: a variable set by test code does not reach a 'spawn' child`, () => {
          expect(byMode[mode]!.test('helper/framework-env.test.js', 'spawn: a variable set by test code is not carried').status).toBe('passed')
        })
      }
    })

    describe('item 9: native ESM (--experimental-vm-modules)', () => {
      let isolatedRun: FixtureRun
      let inProcessRun: FixtureRun
      beforeAll(() => {
        const esm = { NODE_OPTIONS: '--experimental-vm-modules' }
        isolatedRun = jest(['-c', 'jest.esm.config.js'], { ...esm, E2E_OUT_DIR: outDir('esm') })
        inProcessRun = jest(['-c', 'jest.esm.config.js'], { ...esm, E2E_OUT_DIR: outDir('esm-off'), ISOLATED_TEST: 'off' })
        if (inProcessRun.results.length !== 4) throw new Error(`the in-process ESM run did not run its 4 tests:\n${inProcessRun.output}`)
      }, HOOK_LIMIT_MS)
      check('ESM tests pass isolated, under the helper and the environment', () => {
        const verdicts = (r: FixtureRun, as?: string): unknown[] => r.results.map((t) => [t.fullName, as ?? t.status, as ? undefined : brief(t.failureMessages[0])]).sort()
        expect(verdicts(isolatedRun)).toEqual(verdicts(inProcessRun, 'passed'))
      })
      check("Node's ExperimentalWarning is printed as often as in-process, not relayed under every test", () => {
        const count = (r: FixtureRun): number => r.output.split('ExperimentalWarning').length - 1
        expect(count(isolatedRun)).toBe(count(inProcessRun))
      })
    })

    describe('item 10: --randomize', () => {
      let isolatedRun: FixtureRun
      let inProcessRun: FixtureRun
      let isolatedOut: string
      let inProcessOut: string
      beforeAll(() => {
        isolatedOut = outDir('randomize')
        inProcessOut = outDir('randomize-off')
        const args = ['-c', 'jest.randomize.config.js', '--randomize', '--seed=1234', '--runInBand']
        isolatedRun = jest(args, { E2E_OUT_DIR: isolatedOut })
        inProcessRun = jest(args, { E2E_OUT_DIR: inProcessOut, ISOLATED_TEST: 'off' })
        if (readRecords(inProcessOut, 'randomize.jsonl').length !== 8) throw new Error(`the in-process run did not run its 8 tests:\n${inProcessRun.output}`)
      }, HOOK_LIMIT_MS)
      for (const project of ['helper', 'environment']) {
        check(`${project}: each child runs its own test, in the seed's order, with the seed`, () => {
          const order = (out: string): Entry[] => readRecords(out, 'randomize.jsonl').filter((r) => r.project === project).map(({ n, seed }) => ({ n, seed }))
          expect(order(isolatedOut)).toEqual(order(inProcessOut))
          const file = `randomize/${project === 'helper' ? 'helper' : 'env'}.test.js`
          expect(isolatedRun.results.filter((t) => t.file === file).map((t) => t.status)).toEqual(['passed', 'passed', 'passed', 'passed'])
        })
      }
    })

    describe('item 9: a typo in the environment option', () => {
      let typo: FixtureRun
      beforeAll(() => {
        // Under the fork server the file's zygote fails to collect it and the file falls back to fresh
        // processes (with the notice), as a file that cannot be forked does.
        typo = jest(['-c', 'jest.typo.config.js'], { E2E_OUT_DIR: outDir('typo') }, (line) => line.file.endsWith('/typo/typo.test.js'))
      }, HOOK_LIMIT_MS)
      check("the error names the isolated `environment` option and its value, not another setting", () => {
        expect(typo.code).toBe(1)
        const message = typo.json.testResults.map((f) => f.message ?? '').join('\n') + typo.output
        expect(message).toMatch(/testEnvironmentOptions\.isolated\.environment|isolated `environment` option|`environment` option/)
        expect(message).toContain('nodee')
      })
    })

    test('no process we started is left', async () => {
      expect(await survivors(runs.flatMap((r) => r.pids))).toEqual([])
    })
  })
}
