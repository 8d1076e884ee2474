// `isolated-test polluter` across files (issue 14, items 2-3): the victim passes alone and after its own
// file's earlier tests, and fails after another file in the same worker (Vitest isolate: false, a shared
// module's state; Jest --runInBand, a core module stubbed by a test). The command checks the suite in
// one worker in the runner's order, pins that order, and searches the tests of the files before the
// victim's with fresh runs. Fixtures: across/ of polluter-vitest and polluter-jest, with their own configs.
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { expectNothingLeft, fixture, runCli, runRepro } from './helpers.js'
import { nodeBinary } from '../helpers/nodes.js'

const vitestProject = fixture('polluter-vitest')
const jestProject = fixture('polluter-jest')
/** An empty cache directory: the runner's first order is by size (the larger file, the polluter's, first). */
const emptyCache = (runner: string): string => mkdtempSync(join(tmpdir(), `isolated-e2e-${runner}-cache-`))

describe.concurrent('isolated-test polluter across files', () => {
  test('Vitest (isolate: false): names the test of the file that ran before, and a repro that fails the victim', async () => {
    // An empty results cache (vitest.across.config.ts): after the first run the victim's file failed, and
    // Vitest alone would run it first from then on (it would pass: a flaky verdict, exit 1); the pinned order holds.
    const cache = emptyCache('vitest')
    const run = await runCli(vitestProject, ['polluter', 'across/orders.test.ts', '-t', 'starts with an empty cart', '--json', '--', '--config', 'vitest.across.config.ts'], { env: { ACROSS_VITEST_CACHE: cache } })
    expect(run.code, run.stderr).toBe(0)
    expect(readdirSync(join(cache, 'vitest')).length).toBeGreaterThan(0)
    const answer = run.json()
    expect(answer.status).toBe('found')
    expect(answer.victim).toEqual({ file: 'across/orders.test.ts', fullName: 'starts with an empty cart', line: 10 })
    expect(answer.acrossFiles).toEqual(['across/checkout.test.ts'])
    // checkout's five tests, then the victim file's one earlier test.
    expect(answer.candidates).toBe(6)
    expect(answer.polluters.map((p) => [p.file, p.fullName, p.line])).toEqual([['across/checkout.test.ts', 'adds a book to the cart', 15]])
    expect(answer.prober).toBe('fresh')
    expect(run.stderr).toContain('probes: a fresh vitest run each (the candidates span 2 files)')
    // Node 20: both state runs (the victim's file beside the preconditions, then the polluter and the
    // victim after the search) isolate their tests in fresh processes.
    expect([answer.stateRuns, answer.stateProcessModels]).toEqual([2, ['fresh']])
    // Six runs before the search: four within the file, two of the suite in one worker.
    expect(answer.preconditionRuns).toBe(6)
    expect(answer.repro?.command).toBe(
      `ISOLATED_TEST=off npx vitest run across/checkout.test.ts across/orders.test.ts -t '^(?:adds a book to the cart|starts with an empty cart)$' --no-isolate --no-file-parallelism --sequence.shuffle=false --config vitest.across.config.ts`,
    )
    // No CLI flag sets Vitest's file order: the command says so; with an empty cache Vitest runs the larger file first.
    expect(answer.repro?.exact).toBe(false)
    expect(answer.repro?.note).toContain('the search ran them in this order: across/checkout.test.ts, across/orders.test.ts')
    const ran = runRepro(vitestProject, `ACROSS_VITEST_CACHE=${emptyCache('vitest')} ${answer.repro!.command}`, (out) => `--reporter=json --outputFile=${out}`)
    expect(ran).toEqual([
      { fullName: 'adds a book to the cart', status: 'passed' },
      { fullName: 'starts with an empty cart', status: 'failed' },
    ])
    await expectNothingLeft(run)
  })

  test('Jest (--runInBand): names the test of the file that ran before, and a repro in the pinned order that fails the victim', async () => {
    // An empty perf cache (jest.across.config.js): after the first run the victim's file failed, and Jest
    // alone would run it first from then on (it would pass: a flaky verdict, exit 1); the pinned order holds.
    const cache = emptyCache('jest')
    const run = await runCli(jestProject, ['polluter', 'across/orders.test.js', '-t', 'gives each order its own id', '--json', '--', '--config', 'jest.across.config.js'], { env: { ACROSS_JEST_CACHE: cache } })
    expect(run.code, run.stderr).toBe(0)
    expect(readdirSync(cache).some((f) => f.startsWith('perf-cache-'))).toBe(true)
    const answer = run.json()
    expect(answer.status).toBe('found')
    expect(answer.acrossFiles).toEqual(['across/checkout.test.js'])
    expect(answer.candidates).toBe(6)
    expect(answer.polluters.map((p) => [p.file, p.fullName, p.line])).toEqual([['across/checkout.test.js', 'pins the receipt id', 14]])
    expect(run.stderr).toContain('probes: a fresh jest run each (the candidates span 2 files)')
    expect([answer.stateRuns, answer.stateProcessModels]).toEqual([2, ['fresh']])
    expect(answer.repro?.command).toBe(
      `ISOLATED_TEST=off ISOLATED_TEST_FILE_ORDER='["across/checkout.test.js","across/orders.test.js"]' npx jest across/checkout.test.js across/orders.test.js -t '^(?:pins the receipt id|gives each order its own id)$' --runInBand --testSequencer=./node_modules/isolated-test/dist/jest-sequencer.cjs --config jest.across.config.js`,
    )
    expect(answer.repro?.exact).toBe(true)
    const ran = runRepro(jestProject, answer.repro!.command, (out) => `--json --outputFile=${out}`)
    expect(ran).toEqual([
      { fullName: 'pins the receipt id', status: 'passed' },
      { fullName: 'gives each order its own id', status: 'failed' },
    ])
    await expectNothingLeft(run)
  })

  // Both state runs fork every isolated test from its file's zygote (every report line says so).
  test.each([
    { runner: 'Vitest', project: vitestProject, file: 'across/orders.test.ts', victim: 'starts with an empty cart', config: 'vitest.across.config.ts', env: { ACROSS_VITEST_CACHE: emptyCache('vitest') }, polluter: ['across/checkout.test.ts', 'adds a book to the cart', 15] },
    { runner: 'Jest', project: jestProject, file: 'across/orders.test.js', victim: 'gives each order its own id', config: 'jest.across.config.js', env: { ACROSS_JEST_CACHE: emptyCache('jest') }, polluter: ['across/checkout.test.js', 'pins the receipt id', 14] },
  ])('$runner on Node 24: the same search, with the state runs of the polluter and the victim (in the pinned order) on the fork server', async ({ project, file, victim, config, env, polluter }) => {
    const run = await runCli(project, ['polluter', file, '-t', victim, '--json', '--', '--config', config], { env, node: nodeBinary(24) })
    expect(run.code, run.stderr).toBe(0)
    const answer = run.json()
    expect(answer.acrossFiles).toEqual([polluter[0]])
    expect(answer.polluters.map((p) => [p.file, p.fullName, p.line])).toEqual([polluter])
    expect([answer.stateRuns, answer.stateProcessModels]).toEqual([2, ['fork-server']])
    await expectNothingLeft(run)
  })

  test('Ctrl-C during a probe across files prints the best answer so far (tests of both files) and leaves no process behind', async () => {
    let sent = false
    const run = await runCli(vitestProject, ['polluter', 'across/orders.test.ts', '-t', 'starts with an empty cart', '--json', '--', '--config', 'vitest.across.config.ts'], {
      env: { ACROSS_VITEST_CACHE: emptyCache('vitest') },
      // The handshake: the first probe's progress line (its run has started).
      onStderr: (all, child) => {
        if (!sent && /probe 1 of about/.test(all)) {
          sent = true
          child.kill('SIGINT')
        }
      },
    })
    expect(sent).toBe(true)
    expect(run.code).toBe(130)
    const answer = run.json()
    expect(answer.status).toBe('interrupted')
    expect(answer.acrossFiles).toEqual(['across/checkout.test.ts'])
    expect(answer.polluters).toContainEqual(expect.objectContaining({ file: 'across/checkout.test.ts', fullName: 'adds a book to the cart' }))
    expect(answer.repro?.command).toMatch(/^ISOLATED_TEST=off npx vitest run across\/checkout\.test\.ts across\/orders\.test\.ts -t /)
    await expectNothingLeft(run)
  })

  test('a victim that passes after its file and after the files before it still exits 2, naming both checks', async () => {
    const run = await runCli(vitestProject, ['polluter', 'across/orders.test.ts', '-t', 'numbers the orders', '--', '--config', 'vitest.across.config.ts'], { env: { ACROSS_VITEST_CACHE: emptyCache('vitest') } })
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toContain('Precondition "the victim fails after the earlier tests" does not hold: "numbers the orders" passed twice after the 1 file that runs before its file in one worker')
  })
})
