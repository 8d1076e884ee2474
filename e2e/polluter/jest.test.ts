// `isolated-test polluter` and `compare` on a real Jest 30 project (fixtures/polluter-jest) whose config
// isolates every test (testEnvironment 'isolated-test/jest'): the probes turn it off, the state run
// and compare's isolated run use it.
import { describe, expect, test } from 'vitest'
import { fixture, interruptedSearch, membersOf, runCli, runRepro } from './helpers.js'
import { survivors } from '../helpers/processes.js'

const project = fixture('polluter-jest')
const jestJson = (out: string): string => `--json --outputFile=${out}`

// The searches run side by side: each is a chain of runner processes, mostly waiting for a CPU on the
// shared machine; nothing here depends on timing (the Ctrl-C test waits for a progress line).
describe.concurrent('isolated-test polluter and compare (Jest 30)', () => {
  describe('polluter', () => {
    test('names the polluter of process.env, the linking state, and a repro that fails the victim', async () => {
      const run = await runCli(project, ['polluter', '__tests__/pollution.test.js', '-t', 'starts in the default mode', '--json'])
      expect(run.code, run.stderr).toBe(0)
      const answer = run.json()
      expect(answer.polluters.map((p) => [p.fullName, p.line])).toEqual([['switches the mode to strict', 19]])
      expect(answer.polluters[0]?.state).toContainEqual(expect.objectContaining({ where: 'env', name: 'APP_MODE', after: "'strict'", readByVictim: true }))
      expect(answer.repro?.command).toBe(`ISOLATED_TEST=off npx jest __tests__/pollution.test.js -t '^(?:switches the mode to strict|starts in the default mode)$'`)
      expect(answer.repro?.exact).toBe(true)
      const ran = runRepro(project, answer.repro!.command, jestJson)
      expect(ran).toEqual([
        { fullName: 'switches the mode to strict', status: 'passed' },
        { fullName: 'starts in the default mode', status: 'failed' },
      ])
    })

    test('finds a polluter through a singleton the state report cannot see in at most ceil(log2 N) + 3 probes', async () => {
      const run = await runCli(project, ['polluter', '__tests__/singleton.test.js', '-t', 'starts with an empty registry', '--json', '--no-rank'])
      expect(run.code, run.stderr).toBe(0)
      const answer = run.json()
      expect(answer.polluters.map((p) => p.fullName)).toEqual(['s7'])
      expect(answer.probes).toBeLessThanOrEqual(Math.ceil(Math.log2(answer.candidates)) + 3)
    })

    test('a victim that fails alone exits 2 naming the precondition', async () => {
      const run = await runCli(project, ['polluter', '__tests__/broken.test.js', '-t', 'fails even alone'])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('Precondition "the victim passes alone" does not hold')
    })

    test('Ctrl-C during the search prints the best answer so far and leaves no process behind', async () => {
      const { run, sent } = await interruptedSearch(project, '__tests__/singleton.test.js', 1)
      expect(sent).toBe(true)
      expect(run.code).toBe(130)
      expect(run.json().status).toBe('interrupted')
      expect(run.json().polluters.map((p) => p.fullName)).toContain('s7')
      expect(await survivors(run.groups)).toEqual([])
      expect(membersOf(run.groups)).toEqual([])
    })
  })

  describe('compare', () => {
    test('lists exactly the order-dependent tests', async () => {
      const run = await runCli(project, ['compare', '--json', '__tests__/two.test.js', '__tests__/broken.test.js'])
      expect(run.code, run.stderr).toBe(1)
      const out = run.json<{ differing: { fullName: string; suspects: { fullName: string }[] }[] }>()
      expect(out.differing.map((d) => d.fullName)).toEqual(['does not read a cache'])
      expect(out.differing[0]?.suspects.map((s) => s.fullName)).toEqual(['sets the cache directory', 'enables the cache'])
    })
  })
})
