// `npm run bench`: what isolating tests costs under the fresh process model and under the fork server,
// side by side in one run, next to plain Vitest, plain Jest and Vitest's own per-file isolation. It
// generates throwaway projects under bench/.work/, runs the real vitest/jest binaries on Node 24, one
// run at a time with the scenarios taking turns, and prints medians and the figures against
// their targets. See bench/README.md.
import { readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { derive, printDurations, printFigures, printForkFigures, printScenarios } from './lib/figures.mjs'
import { forkFigures } from './lib/fork-figures.mjs'
import { calibrateHeavy } from './lib/modules.mjs'
import { buildScenarios } from './lib/scenarios.mjs'
import { timeOnce } from './lib/timing.mjs'
import { printTraceBreakdown, traceBreakdown } from './lib/trace-breakdown.mjs'
import { ensureFixtures, jestModules, median, node24, repo, run, work } from './lib/util.mjs'
import { polluterFigures, printPolluterFigures } from './lib/polluter.mjs'

const RUNS = Number(process.env.BENCH_RUNS ?? 3)
if (!Number.isInteger(RUNS) || RUNS < 1) throw new TypeError(`BENCH_RUNS must be an integer ≥ 1, got ${JSON.stringify(process.env.BENCH_RUNS)}.`)
// BENCH_ONLY=A,H (scenario groups) and BENCH_FORK=0 (skip measure.mjs) are for working on the bench.
const ONLY = process.env.BENCH_ONLY?.split(',')
const HEAVY_MS = 300
const started = Date.now()
const progress = (text) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${text}\n`)

// ---- set up -----------------------------------------------------------------------------------

ensureFixtures()
rmSync(work, { recursive: true, force: true })
mkdirSync(work, { recursive: true })
const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work]).stdout)
const tarball = join(work, packed[0].filename)
const heavy = calibrateHeavy(HEAVY_MS)
const version = (dir, name) => JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')).version
const versions = { node: run(node24, ['--version']).stdout.trim(), vitest: version(join(repo, 'node_modules'), 'vitest'), jest: version(jestModules, 'jest'), babelJest: version(jestModules, 'babel-jest') }
const scenarios = buildScenarios({ tarball, heavy }).filter((s) => !ONLY || ONLY.includes(s.group))
const byId = Object.fromEntries(scenarios.map((s) => [s.id, s]))

// ---- fork figures, then the timed rounds ------------------------------------------------------

const load = [loadavg()[0]]
let fork
if (process.env.BENCH_FORK !== '0') {
  progress('bench/fork/measure.mjs (floor, memory, CPU-bound bodies on Node 22/24/26)')
  fork = forkFigures(RUNS)
}

// One untimed run per runner warms the disk cache and Jest's transform cache. After that the
// scenarios take turns, round by round, so drift on the shared machine hits all of them alike.
for (const id of ['A.plain50', 'J.plain']) if (byId[id]) timeOnce(byId[id])
for (const s of scenarios) Object.assign(s, { times: [], notes: [] })
for (let round = 0; round < RUNS; round++) {
  for (const s of scenarios) {
    if ((s.once && round > 0) || s.error) continue
    try {
      const { ms, notes } = timeOnce(s)
      s.times.push(ms)
      s.notes.push(notes)
      progress(`round ${round + 1}/${RUNS} ${s.id} ${(ms / 1000).toFixed(2)} s`)
    } catch (error) {
      // A failed run (a failing test, a wrong model in our report) has no time worth printing: the
      // scenario drops out, its figures print '-', the error is printed below and the bench exits 1.
      s.error = error.message
      s.times = []
      progress(`round ${round + 1}/${RUNS} ${s.id} FAILED`)
    }
  }
  load.push(loadavg()[0])
}
for (const s of scenarios) s.median = median(s.times)

// F: the polluter finder (the package's bin) on a 200-test file, its scenarios taking turns.
let polluter
if (!ONLY || ONLY.includes('F')) {
  try {
    polluter = polluterFigures({ tarball, runs: RUNS, progress })
  } catch (error) {
    polluter = { error: error.message }
    progress(`F FAILED: ${error.message.split('\n')[0]}`)
  }
}

// One traced, untimed run of the fork-server scenarios that fall short of their target, to show where
// a forked test's time goes (bench/lib/trace-breakdown.mjs).
const breakdowns = []
for (const [id, title] of [[`A.fork-server50`, 'Vitest, 50 isolated() tests in one file'], ['P.fork-server', 'Vitest plugin, 200 tests in 10 files'], ['J.fork-server', 'Jest 30 + babel-jest, 50 tests under the environment']]) {
  const s = byId[id]
  if (!s || s.error) continue
  const file = join(work, `trace-${id}.log`)
  rmSync(file, { force: true })
  try {
    timeOnce(s, file)
    breakdowns.push({ id, title, ...traceBreakdown(file) })
    progress(`traced ${id}`)
  } catch (error) {
    progress(`traced ${id} FAILED: ${error.message.split('\n')[0]}`)
  }
}
// figures.mjs reads medians by id: a failed scenario must give NaN there, not a time.
for (const s of scenarios) if (s.error) delete byId[s.id]

// ---- report -----------------------------------------------------------------------------------

console.log(`Node ${versions.node} for every framework run; vitest ${versions.vitest}; jest ${versions.jest} + babel-jest ${versions.babelJest}`)
console.log(`${availableParallelism()} CPUs (vitest maxWorkers default: ${Math.max(availableParallelism() - 1, 1)}); ${RUNS} runs per scenario; load average ${load.map((l) => l.toFixed(1)).join(' -> ')}`)
console.log(`heavy dependency: ${heavy.iterations.toLocaleString('en')} loop iterations, ${heavy.importMs.toFixed(0)} ms to import in a fresh node 24`)
const failed = scenarios.filter((s) => s.error)
console.log(failed.length ? `FAILED, left out of every figure: ${failed.map((s) => s.id).join(', ')} (errors at the end)\n` : `every isolated run passed all tests and our report named its model for every test\n`)
printScenarios(scenarios.filter((s) => !s.error))
const figures = derive(byId, heavy)
printFigures(figures, byId, fork?.results)
printDurations(scenarios)
if (fork) printForkFigures(fork)
for (const b of breakdowns) printTraceBreakdown(b.title, b, fork?.results.pageFaultMicros)
if (Array.isArray(polluter)) printPolluterFigures(polluter)
else if (polluter) console.log(`\nF (polluter finder) FAILED:\n${polluter.error.split('\n').slice(0, 20).join('\n')}`)

const results = {
  date: new Date().toISOString(),
  versions,
  cpus: availableParallelism(),
  runs: RUNS,
  load,
  heavy,
  scenarios: scenarios.map(({ id, label, group, runner, model, tests, once, times, median, notes, error }) => ({ id, label, group, runner, model, tests, once, times, median, notes, error })),
  figures,
  fork: fork?.results,
  breakdowns,
  polluter: Array.isArray(polluter) ? polluter.map(({ id, label, times, median, probes, runs, probeMs, prober }) => ({ id, label, times, median, probes, runs, probeMs, prober })) : polluter,
  totalSeconds: (Date.now() - started) / 1000,
}
writeFileSync(join(work, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
console.log(`\nwrote ${join('bench', '.work', 'results.json')} (${results.totalSeconds.toFixed(0)} s in all)`)

// Every run above has exited, so anything still alive that runs this repo's vitest
// or a file under bench/.work (the projects, their children and zygotes; our jest runs name their
// config there) is a leak of ours.
const ours = [work, join(repo, 'node_modules', 'vitest')]
const left = run('ps', ['-A', '-o', 'pid=,args=']).stdout.split('\n').filter((l) => ours.some((path) => l.includes(path)))
console.log(left.length ? `LEFT RUNNING:\n${left.join('\n')}` : 'no processes left running')

for (const s of failed) {
  // The first lines name the command and the failing tests; the full text is in results.json.
  console.log(`\n${s.id} (${s.label}, ${s.model}) FAILED:\n${s.error.split('\n').slice(0, 30).join('\n')}`)
}
if (failed.length || (polluter && !Array.isArray(polluter))) process.exitCode = 1
