// Group F: `isolated-test polluter` on a 200-test file, next to one plain `vitest run` of that file, in
// one run with the scenarios taking turns: a plain bisection with fresh probes (--no-rank
// --fresh-probes: preconditions, then a fresh `vitest run` per probe), the same with fork-server probes
// (--no-rank: one run of the file serves every probe as a fork of its zygote), the default (fork-server
// probes, then a state run of the polluter and the victim for the linking state), and --rank (a state
// run of every earlier test on the fork server first, which ranks the polluter first). Then the same
// file under Jest 30: one plain run, fresh probes and fork-server probes.
import { performance } from 'node:perf_hooks'
import { join } from 'node:path'
import { jestProject, vitestProject } from './projects.mjs'
import { jestModules, median, node24, repo, run, vitestBin } from './util.mjs'

const jestBin = join(jestModules, 'jest', 'bin', 'jest.js')

export const POLLUTER_TESTS = 200
const POLLUTER_AT = 137

/** The file: Vitest imports its globals; Jest has them. */
function file(runner) {
  const lines = [...(runner === 'vitest' ? [`import { test, expect } from 'vitest'`, ''] : []), 'const seen = []', '']
  for (let i = 0; i < POLLUTER_TESTS - 1; i++) {
    lines.push(i === POLLUTER_AT ? `test('t${i}', () => { seen.push(${i}) })` : `test('t${i}', () => { expect(${i} + 1).toBe(${i + 1}) })`)
  }
  lines.push(`test('victim', () => { expect(seen).toEqual([]) })`)
  return `${lines.join('\n')}\n`
}

const env = { NO_COLOR: '1', ISOLATED_TEST: '', ISOLATED_TEST_REPORT: '', ISOLATED_TEST_PROCESS_MODEL: 'fork-server' }

/** Each probe's own time, from the CLI's progress lines ("probe 3: the victim failed (84 ms)"). */
function probeTimes(stderr) {
  return [...stderr.matchAll(/probe \d+: the victim (?:failed|passed) \((\d+(?:\.\d+)?) (ms|s)\)/g)].map((m) => Number(m[1]) * (m[2] === 's' ? 1000 : 1))
}

/** Runs the scenarios `runs` times each, taking turns; returns their medians and the probe counts. */
export function polluterFigures({ tarball, runs, progress }) {
  const dir = vitestProject('polluter-200', { tarball, files: { 'bench.test.js': file('vitest') } })
  const cli = join(dir, 'node_modules', 'isolated-test', 'dist', 'cli.js')
  const jestDir = jestProject('polluter-200-jest', { tarball, files: { 'bench.test.js': file('jest') }, isolated: false })
  const jestCli = join(jestDir, 'node_modules', 'isolated-test', 'dist', 'cli.js')
  const scenarios = [
    { id: 'F.plain', label: `plain vitest run of the file (${POLLUTER_TESTS} tests)`, cmd: () => [vitestBin, 'run', '--root', dir], cwd: repo, allowFail: true },
    { id: 'F.fresh', label: 'polluter --no-rank --fresh-probes: preconditions + a fresh vitest run per probe', cmd: () => [cli, 'polluter', 'bench.test.js', '-t', 'victim', '--json', '--no-rank', '--fresh-probes'], cwd: dir, prober: 'fresh' },
    { id: 'F.forks', label: "polluter --no-rank: preconditions + fork-server probes (forks of the file's zygote)", cmd: () => [cli, 'polluter', 'bench.test.js', '-t', 'victim', '--json', '--no-rank'], cwd: dir, prober: 'fork-server' },
    { id: 'F.default', label: 'polluter (default): as F.forks, then a state run of the polluter and the victim', cmd: () => [cli, 'polluter', 'bench.test.js', '-t', 'victim', '--json'], cwd: dir, prober: 'fork-server' },
    // Isolating all 199 earlier tests costs minutes here: once.
    { id: 'F.ranked', label: 'polluter --rank: + a state run of all 199 earlier tests (fork server), ranked probe', cmd: () => [cli, 'polluter', 'bench.test.js', '-t', 'victim', '--json', '--rank'], cwd: dir, once: true },
    // The same file under Jest 30 (no plugin to turn off: the probe server's run adds our environment).
    { id: 'F.jplain', label: `plain jest run of the file (${POLLUTER_TESTS} tests)`, cmd: () => [jestBin, '--ci', '--rootDir', jestDir, 'bench.test.js'], cwd: jestDir, allowFail: true },
    { id: 'F.jfresh', label: 'Jest: polluter --no-rank --fresh-probes (a fresh jest run per probe)', cmd: () => [jestCli, 'polluter', 'bench.test.js', '-t', 'victim', '--json', '--no-rank', '--fresh-probes'], cwd: jestDir, prober: 'fresh' },
    { id: 'F.jforks', label: "Jest: polluter --no-rank (forks of the file's zygote)", cmd: () => [jestCli, 'polluter', 'bench.test.js', '-t', 'victim', '--json', '--no-rank'], cwd: jestDir, prober: 'fork-server' },
  ]
  for (const s of scenarios) Object.assign(s, { times: [], probes: [], runs: [], probeMs: [] })
  for (let round = 0; round < runs; round++) {
    for (const s of scenarios) {
      if (s.once && round > 0) continue
      const start = performance.now()
      let r
      try {
        r = run(node24, s.cmd(), { env, cwd: s.cwd })
      } catch (error) {
        // The plain run fails (the victim is polluted): that is the point; the time still counts.
        if (!s.allowFail) throw error
      }
      const ms = performance.now() - start
      s.times.push(ms)
      if (r && !s.allowFail) {
        const answer = JSON.parse(r.stdout)
        if (answer.status !== 'found' || answer.polluters.map((p) => p.fullName).join() !== `t${POLLUTER_AT}`) throw new Error(`${s.id}: expected t${POLLUTER_AT}, got ${r.stdout}`)
        if (s.prober && answer.prober !== s.prober) throw new Error(`${s.id}: expected the ${s.prober} prober, got ${answer.prober}: ${r.stderr.split('\n').filter((l) => l.includes('probes:')).join(' ')}`)
        s.probes.push(answer.probes)
        s.runs.push(answer.probes + answer.preconditionRuns + answer.stateRuns)
        s.probeMs.push(...probeTimes(r.stderr))
      }
      progress(`round ${round + 1}/${runs} ${s.id} ${(ms / 1000).toFixed(2)} s`)
    }
  }
  for (const s of scenarios) s.median = median(s.times)
  return scenarios
}

export function printPolluterFigures(scenarios) {
  console.log(`\nF: finding the polluter among ${POLLUTER_TESTS - 1} earlier tests (t${POLLUTER_AT} pushes to a module-scope array the last test reads), Vitest 4.1 then Jest 30, Node 24 (ratios: to one plain run of the same runner)`)
  for (const s of scenarios) {
    const plain = scenarios.find((p) => p.id === (s.id.startsWith('F.j') ? 'F.jplain' : 'F.plain'))?.median ?? NaN
    const extra = s.probes.length ? `  probes ${median(s.probes)} (median ${Math.round(median(s.probeMs))} ms each), runner runs ${median(s.runs)}` : ''
    console.log(`  ${s.id.padEnd(10)} ${(s.median / 1000).toFixed(2).padStart(7)} s  ${(s.median / plain).toFixed(1).padStart(5)}x one plain run${extra}${s.once ? ' (1 run)' : ''}   ${s.label}`)
  }
}
