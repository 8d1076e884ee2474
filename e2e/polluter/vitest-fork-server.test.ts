// `isolated-test polluter` with the fork-server prober (issue 14): on Node 24 the CLI starts one Vitest
// run of the victim's file whose worker serves every probe as a fork of the file's zygote. The same
// searches as with fresh probes (e2e/polluter/vitest.test.ts) must find the same polluters and repro
// commands, say which prober ran, and leave no process behind, Ctrl-C included.
import { describe, expect, test } from 'vitest'
import { expectForkServerSearchInterrupted, expectNothingLeft, fixture, forksMatchFreshProbes, runCli, runRepro } from './helpers.js'
import { nodeBinary } from '../helpers/nodes.js'

const project = fixture('polluter-vitest')
const node = nodeBinary(24)
const vitestJson = (out: string): string => `--reporter=json --outputFile=${out}`

describe.concurrent('isolated-test polluter with the fork-server prober (Vitest 4.1, Node 24)', () => {
  test('finds the singleton polluter as fresh probes do, in at most ceil(log2 N) + 3 forks, and leaves no process', async () => {
    await forksMatchFreshProbes(project, 'tests/singleton.test.ts', ['s7', 26], node, vitestJson)
  })

  test('names the module-scope polluter with its linking state, and two polluters by recursion', async () => {
    const [one, two] = await Promise.all([
      runCli(project, ['polluter', 'tests/pollution.test.ts', '-t', 'lists nobody at first', '--json'], { node }),
      runCli(project, ['polluter', 'tests/two.test.ts', '-t', 'does not read a cache', '--json'], { node }),
    ])
    expect(one.code, one.stderr).toBe(0)
    const a = one.json()
    expect(a.prober, one.stderr).toBe('fork-server')
    expect(a.stateProcessModels).toEqual(['fork-server'])
    expect(a.polluters.map((p) => [p.fullName, p.line])).toEqual([['adds a guest', 26]])
    expect(a.polluters[0]?.state).toContainEqual(expect.objectContaining({ where: 'module', name: 'guests', after: "['ada']", readByVictim: true }))
    expect(a.repro?.command).toBe(`ISOLATED_TEST=off npx vitest run tests/pollution.test.ts -t '^(?:adds a guest|lists nobody at first)$'`)
    expect(two.code, two.stderr).toBe(0)
    const b = two.json()
    expect(b.prober, two.stderr).toBe('fork-server')
    expect(b.polluters.map((p) => p.fullName)).toEqual(['sets the cache directory', 'enables the cache'])
    const ran = runRepro(project, b.repro!.command, vitestJson)
    expect(ran.find((r) => r.fullName === 'does not read a cache')?.status).toBe('failed')
    await expectNothingLeft(one)
    await expectNothingLeft(two)
  })

  test('a probe whose fork ends early (an earlier test calls process.exit) runs fresh, and the search still finds the polluter', async () => {
    const run = await runCli(project, ['polluter', 'tests/exits.test.ts', '-t', 'sees no visits', '--json', '--no-rank'], { node })
    expect(run.code, run.stderr).toBe(0)
    const answer = run.json()
    expect(answer.prober, run.stderr).toBe('fork-server')
    expect(answer.polluters.map((p) => p.fullName)).toEqual(['records a visit'])
    expect(run.stderr).toContain('this probe is a fresh run: the fork could not answer')
    await expectNothingLeft(run)
  })

  test('Ctrl-C during a fork-server probe prints the best answer so far and ends the run, its zygote and its forks', async () => {
    await expectForkServerSearchInterrupted(project, 'tests/singleton.test.ts', node)
  })
})
