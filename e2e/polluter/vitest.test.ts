// `isolated-test polluter` and `compare` on a real Vitest 4.1 project (fixtures/polluter-vitest), through
// the bin of the packed package. Each search's answer, probe count, printed repro command and exit code.
import { describe, expect, test } from 'vitest'
import { fixture, interruptedSearch, membersOf, runCli, runRepro } from './helpers.js'
import { survivors } from '../helpers/processes.js'

const project = fixture('polluter-vitest')
const vitestJson = (out: string): string => `--reporter=json --outputFile=${out}`

// The searches run side by side: each is a chain of runner processes, mostly waiting for a CPU on the
// shared machine; nothing here depends on timing (the Ctrl-C test waits for a progress line).
describe.concurrent('isolated-test polluter and compare (Vitest 4.1)', () => {
  describe('polluter', () => {
    test('usage errors name the option, the value and what is allowed, with exit code 2', async () => {
      const noName = await runCli(project, ['polluter', 'tests/pollution.test.ts'])
      expect(noName.code).toBe(2)
      expect(noName.stderr).toContain(`polluter needs the victim's full name: -t "<full test name>"`)
      const badRunner = await runCli(project, ['polluter', 'tests/pollution.test.ts', '-t', 'x', '--runner', 'mocha'])
      expect(badRunner.code).toBe(2)
      expect(badRunner.stderr).toContain(`--runner must be 'vitest' or 'jest', got "mocha"`)
      const badSeed = await runCli(project, ['polluter', 'tests/pollution.test.ts', '-t', 'x', '--seed', 'abc'])
      expect(badSeed.code).toBe(2)
      expect(badSeed.stderr).toContain('--seed must be an integer')
    })

    test('names the polluter of a module-scope array, the linking state, and a repro that fails the victim', async () => {
      const run = await runCli(project, ['polluter', 'tests/pollution.test.ts', '-t', 'lists nobody at first', '--json'])
      expect(run.code, run.stderr).toBe(0)
      const answer = run.json()
      expect(answer.status).toBe('found')
      expect(answer.victim).toEqual({ file: 'tests/pollution.test.ts', fullName: 'lists nobody at first', line: 43 })
      expect(answer.polluters.map((p) => [p.fullName, p.line])).toEqual([['adds a guest', 26]])
      expect(answer.polluters[0]?.state).toContainEqual(expect.objectContaining({ where: 'module', name: 'guests', file: 'tests/pollution.test.ts', before: '[]', after: "['ada']", readByVictim: true }))
      // The state report ranked the one test whose change the victim reads: one probe found it, one more looked for a cleaner.
      expect(answer.stateRuns).toBe(1)
      expect(answer.stateProcessModels).toEqual(['fresh'])
      expect(answer.probes).toBeLessThanOrEqual(2)
      expect(answer.repro?.command).toBe(`ISOLATED_TEST=off npx vitest run tests/pollution.test.ts -t '^(?:adds a guest|lists nobody at first)$'`)
      expect(run.stderr).toMatch(/probe 1 of about \d+/)
      const ran = runRepro(project, answer.repro!.command, vitestJson)
      expect(ran).toEqual([
        { fullName: 'adds a guest', status: 'passed' },
        { fullName: 'lists nobody at first', status: 'failed' },
      ])
    })

    test('finds two polluters that only fail the victim together (recursion), each with its change', async () => {
      const run = await runCli(project, ['polluter', 'tests/two.test.ts', '-t', 'does not read a cache', '--json'])
      expect(run.code, run.stderr).toBe(0)
      const answer = run.json()
      expect(answer.polluters.map((p) => p.fullName)).toEqual(['sets the cache directory', 'enables the cache'])
      expect(answer.polluters[0]?.state).toContainEqual(expect.objectContaining({ where: 'env', name: 'CACHE_DIR', after: "'/tmp/polluter-cache'" }))
      expect(answer.polluters[1]?.state).toContainEqual(expect.objectContaining({ where: 'global', name: 'cacheEnabled', after: 'true' }))
      const ran = runRepro(project, answer.repro!.command, vitestJson)
      expect(ran.find((r) => r.fullName === 'does not read a cache')?.status).toBe('failed')
    })

    test('finds a polluter through a singleton the state report cannot see in at most ceil(log2 N) + 3 probes', async () => {
      const run = await runCli(project, ['polluter', 'tests/singleton.test.ts', '-t', 'starts with an empty registry', '--json', '--no-rank'])
      expect(run.code, run.stderr).toBe(0)
      const answer = run.json()
      expect(answer.candidates).toBe(11)
      // Node 20 cannot fork a zygote: the probes are fresh runs (the fork-server prober: vitest-fork-server.test.ts).
      expect(answer.prober).toBe('fresh')
      expect(run.stderr).toContain('probes: a fresh vitest run each (forks need Node 22 or later')
      expect(answer.polluters.map((p) => p.fullName)).toEqual(['s7'])
      expect(answer.probes).toBeLessThanOrEqual(Math.ceil(Math.log2(answer.candidates)) + 3)
      expect(answer.stateRuns).toBe(0)
      const ran = runRepro(project, answer.repro!.command, vitestJson)
      expect(ran).toEqual([
        { fullName: 's7', status: 'passed' },
        { fullName: 'starts with an empty registry', status: 'failed' },
      ])
    })

    test('a victim that fails alone exits 2 naming the precondition', async () => {
      const run = await runCli(project, ['polluter', 'tests/broken.test.ts', '-t', 'fails even alone'])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('Precondition "the victim passes alone" does not hold')
      expect(run.stdout).toBe('')
    })

    test('Ctrl-C during the search prints the best answer so far and leaves no process behind', async () => {
      // The first probe has started (its process group exists).
      const { run, sent } = await interruptedSearch(project, 'tests/singleton.test.ts', 1)
      expect(sent).toBe(true)
      expect(run.code).toBe(130)
      const answer = run.json()
      expect(answer.status).toBe('interrupted')
      // Before the first probe answered, the best known answer is the whole prefix.
      expect(answer.polluters.length).toBeGreaterThanOrEqual(1)
      expect(answer.polluters.map((p) => p.fullName)).toContain('s7')
      expect(answer.repro?.command).toMatch(/^ISOLATED_TEST=off npx vitest run tests\/singleton\.test\.ts -t '\^\(\?:/)
      // Every runner process group the CLI started (preconditions and the probe) is gone, members included.
      expect(run.groups.length).toBeGreaterThanOrEqual(5)
      expect(await survivors(run.groups)).toEqual([])
      expect(membersOf(run.groups)).toEqual([])
    })
  })

  describe('compare', () => {
    test('lists exactly the order-dependent tests, each with the change that explains it', async () => {
      const run = await runCli(project, ['compare', '--json', 'tests/pollution.test.ts', 'tests/broken.test.ts'])
      expect(run.code, run.stderr).toBe(1)
      const out = run.json<{ status: string; differing: { fullName: string; kind: string; suspects: { fullName: string; state: { name: string }[] }[] }[] }>()
      expect(out.status).toBe('differences')
      expect(out.differing.map((d) => d.fullName).sort()).toEqual(['has the feature off by default', 'lists nobody at first', 'starts in the default mode'])
      expect(out.differing.every((d) => d.kind === 'after-others')).toBe(true)
      const suspects = Object.fromEntries(out.differing.map((d) => [d.fullName, d.suspects.map((s) => `${s.fullName}: ${s.state.map((c) => c.name).join(',')}`)]))
      expect(suspects).toEqual({
        'lists nobody at first': ['adds a guest: guests'],
        'starts in the default mode': ['switches the mode to strict: APP_MODE'],
        'has the feature off by default': ['turns the feature flag on: featureFlag'],
      })
      // The test that fails either way is not order-dependent.
      expect(run.stdout).not.toContain('fails even alone')
    })
  })
})
