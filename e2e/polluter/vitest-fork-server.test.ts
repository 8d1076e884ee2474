// `isolated-test polluter` with the fork-server prober (issue 14): on Node 24 the CLI starts one Vitest
// run of the victim's file whose worker serves every probe as a fork of the file's zygote. The same
// searches as with fresh probes (e2e/polluter/vitest.test.ts) must find the same polluters and repro
// commands, say which prober ran, and leave no process behind, Ctrl-C included.
import { describe, expect, test } from 'vitest'
import { fixture, interruptedSearch, membersOf, runCli, runRepro, type CliRun } from './helpers.js'
import { survivors } from '../helpers/processes.js'
import { nodeBinary } from '../helpers/nodes.js'

const project = fixture('polluter-vitest')
const node = nodeBinary(24)
const vitestJson = (out: string): string => `--reporter=json --outputFile=${out}`

async function expectNothingLeft(run: CliRun): Promise<void> {
  expect(await survivors(run.groups)).toEqual([])
  expect(membersOf(run.groups)).toEqual([])
}

describe.concurrent('isolated-test polluter with the fork-server prober (Vitest 4.1, Node 24)', () => {
  test('finds the singleton polluter as fresh probes do, in at most ceil(log2 N) + 3 forks, and leaves no process', async () => {
    const args = ['polluter', 'tests/singleton.test.ts', '-t', 'starts with an empty registry', '--json', '--no-rank']
    const [forks, fresh] = await Promise.all([runCli(project, args, { node }), runCli(project, [...args, '--fresh-probes'], { node })])
    expect(forks.code, forks.stderr).toBe(0)
    expect(fresh.code, fresh.stderr).toBe(0)
    const a = forks.json()
    const b = fresh.json()
    expect(a.prober).toBe('fork-server')
    expect(b.prober).toBe('fresh')
    expect(forks.stderr).toContain("probes: forks of the file's zygote")
    expect(fresh.stderr).toContain('probes: a fresh vitest run each (--fresh-probes)')
    expect(a.polluters.map((p) => [p.fullName, p.line])).toEqual([['s7', 26]])
    expect(a.polluters).toEqual(b.polluters)
    expect(a.repro).toEqual(b.repro)
    // The same search over the same verdicts: the same probes.
    expect(a.probes).toBe(b.probes)
    expect(a.probes).toBeLessThanOrEqual(Math.ceil(Math.log2(a.candidates)) + 3)
    const ran = runRepro(project, a.repro!.command, vitestJson)
    expect(ran).toEqual([
      { fullName: 's7', status: 'passed' },
      { fullName: 'starts with an empty registry', status: 'failed' },
    ])
    // In the pid log and gone: the precondition runs, the probe server's run, its zygote and one fork per probe.
    expect(forks.groups.length).toBeGreaterThanOrEqual(a.preconditionRuns + 2 + a.probes)
    await expectNothingLeft(forks)
    await expectNothingLeft(fresh)
  })

  test('names the module-scope polluter with its linking state, and two polluters by recursion', async () => {
    const [one, two] = await Promise.all([
      runCli(project, ['polluter', 'tests/pollution.test.ts', '-t', 'lists nobody at first', '--json'], { node }),
      runCli(project, ['polluter', 'tests/two.test.ts', '-t', 'does not read a cache', '--json'], { node }),
    ])
    expect(one.code, one.stderr).toBe(0)
    const a = one.json()
    expect(a.prober).toBe('fork-server')
    expect(a.polluters.map((p) => [p.fullName, p.line])).toEqual([['adds a guest', 26]])
    expect(a.polluters[0]?.state).toContainEqual(expect.objectContaining({ where: 'module', name: 'guests', after: "['ada']", readByVictim: true }))
    expect(a.repro?.command).toBe(`ISOLATED_TEST=off npx vitest run tests/pollution.test.ts -t '^(?:adds a guest|lists nobody at first)$'`)
    expect(two.code, two.stderr).toBe(0)
    const b = two.json()
    expect(b.prober).toBe('fork-server')
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
    expect(answer.prober).toBe('fork-server')
    expect(answer.polluters.map((p) => p.fullName)).toEqual(['records a visit'])
    expect(run.stderr).toContain('this probe is a fresh run: the fork could not answer')
    await expectNothingLeft(run)
  })

  test('Ctrl-C during a fork-server probe prints the best answer so far and ends the run, its zygote and its forks', async () => {
    // The first probe answered, so the probe server's run and the zygote are up; the second is asked.
    const { run, sent } = await interruptedSearch(project, 'tests/singleton.test.ts', 2, node)
    expect(sent).toBe(true)
    expect(run.code).toBe(130)
    const answer = run.json()
    expect(answer.status).toBe('interrupted')
    expect(answer.prober).toBe('fork-server')
    expect(answer.polluters.map((p) => p.fullName)).toContain('s7')
    // Four precondition runs, the probe server's run, its zygote and at least the first probe's fork.
    expect(run.groups.length).toBeGreaterThanOrEqual(7)
    await expectNothingLeft(run)
  })
})
