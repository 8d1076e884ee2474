// `isolated-test polluter` with the fork-server prober on Jest 30 (issue 14): on Node 24 the CLI starts
// one `jest --runInBand` run of the victim's file whose environment serves every probe as a fork of the
// file's zygote. The same searches as with fresh probes (e2e/polluter/jest.test.ts) must find the same
// polluters and repro commands, say which prober ran, and leave no process behind, Ctrl-C and a failed
// precondition (the probe server was already booting) included.
import { describe, expect, test } from 'vitest'
import { expectForkServerSearchInterrupted, expectNothingLeft, fixture, forksMatchFreshProbes, runCli, runRepro } from './helpers.js'
import { nodeBinary } from '../helpers/nodes.js'

const project = fixture('polluter-jest')
const node = nodeBinary(24)
const jestJson = (out: string): string => `--json --outputFile=${out}`

describe.concurrent('isolated-test polluter with the fork-server prober (Jest 30, Node 24)', () => {
  test('finds the singleton polluter as fresh probes do, in at most ceil(log2 N) + 3 forks, and leaves no process', async () => {
    await forksMatchFreshProbes(project, '__tests__/singleton.test.js', ['s7', 25], node, jestJson)
  })

  test('names the polluter of process.env with its linking state, and two polluters by recursion', async () => {
    const [one, two] = await Promise.all([
      runCli(project, ['polluter', '__tests__/pollution.test.js', '-t', 'starts in the default mode', '--json'], { node }),
      runCli(project, ['polluter', '__tests__/two.test.js', '-t', 'does not read a cache', '--json'], { node }),
    ])
    expect(one.code, one.stderr).toBe(0)
    const a = one.json()
    expect(a.prober, one.stderr).toBe('fork-server')
    expect(a.polluters.map((p) => [p.fullName, p.line])).toEqual([['switches the mode to strict', 19]])
    expect(a.polluters[0]?.state).toContainEqual(expect.objectContaining({ where: 'env', name: 'APP_MODE', after: "'strict'", readByVictim: true }))
    expect(a.repro?.command).toBe(`ISOLATED_TEST=off npx jest __tests__/pollution.test.js -t '^(?:switches the mode to strict|starts in the default mode)$'`)
    expect(two.code, two.stderr).toBe(0)
    const b = two.json()
    expect(b.prober, two.stderr).toBe('fork-server')
    expect(b.polluters.map((p) => p.fullName)).toEqual(['sets the cache directory', 'enables the cache'])
    expect(runRepro(project, b.repro!.command, jestJson).find((r) => r.fullName === 'does not read a cache')?.status).toBe('failed')
    await expectNothingLeft(one)
    await expectNothingLeft(two)
  })

  test('a victim that fails alone exits 2, and the probe server that was booting beside the preconditions is gone', async () => {
    const run = await runCli(project, ['polluter', '__tests__/broken.test.js', '-t', 'fails even alone'], { node })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('Precondition "the victim passes alone" does not hold')
    await expectNothingLeft(run)
  })

  test('Ctrl-C during a fork-server probe prints the best answer so far and ends the run, its zygote and its forks', async () => {
    await expectForkServerSearchInterrupted(project, '__tests__/singleton.test.js', node)
  })
})
