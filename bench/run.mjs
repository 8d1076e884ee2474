// `npm run bench`: what one isolated() test costs, next to plain Vitest and Vitest's own per-file
// process isolation. It generates throwaway projects under bench/.work/, runs the repo's real vitest
// binary on each, one run at a time, and prints median/min/max wall times. See bench/README.md.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'

const repo = fileURLToPath(new URL('..', import.meta.url))
const work = join(repo, 'bench', '.work')
const vitestBin = join(repo, 'node_modules', 'vitest', 'vitest.mjs')
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
if (!Number.isInteger(RUNS) || RUNS < 1) throw new TypeError(`BENCH_RUNS must be an integer ≥ 1, got ${JSON.stringify(process.env.BENCH_RUNS)}.`)
const TESTS = 50
const HEAVY_MS = 300

// ---- helpers ----------------------------------------------------------------------------------

function write(path, text) {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
}

function run(file, args, env = {}) {
  const r = spawnSync(file, args, { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } })
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited with ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

// ---- the dependency that costs ~300 ms to import --------------------------------------------

// A fixed amount of integer work at import time: deterministic (same iteration count in every
// process of one bench run), not cacheable, and independent of Vite's transform cache. The count is
// calibrated once against a fresh `node` importing it, since that is how every child pays for it.
const heavySource = (n) => `globalThis.__benchMark?.('heavy:start')
let h = 2166136261
for (let i = 0; i < ${n}; i++) h = Math.imul(h ^ i, 16777619)
export const checksum = h >>> 0
globalThis.__benchMark?.('heavy:end')
`

function importMs(file) {
  const code = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t)`
  return median([0, 1, 2].map(() => Number(run(process.execPath, ['--input-type=module', '-e', code]))))
}

function calibrateHeavy() {
  const file = join(work, 'calibrate', 'heavy.mjs')
  let n = 10_000_000
  for (let round = 0; round < 2; round++) {
    write(file, heavySource(n))
    n = Math.round((n * HEAVY_MS) / importMs(file))
  }
  write(file, heavySource(n))
  return { iterations: n, importMs: importMs(file) }
}

// ---- projects ---------------------------------------------------------------------------------

function testFile({ wrap, heavy, from = 0, count = TESTS }) {
  const lines = [`import { test, expect } from 'vitest'`]
  if (wrap) lines.push(`import { isolated } from 'isolated-test'`)
  if (heavy) lines.push(`import { checksum } from 'heavy-dep'`)
  // The profiling run reads this mark; without the probe it is an optional call on undefined.
  lines.push(`globalThis.__benchMark?.('imports done')`, '')
  for (let i = from; i < from + count; i++) {
    const body = `() => { expect(${i} + 1).toBe(${i + 1})${heavy ? '; expect(checksum).toBeTypeOf(\'number\')' : ''} }`
    lines.push(`test('t${i}', ${wrap ? `isolated(10_000, '${wrap}')(${body})` : body})`)
  }
  return `${lines.join('\n')}\n`
}

// Every project gets the same node_modules: isolated-test unpacked from the packed tarball (as a
// user installs it) and the heavy dependency. vitest itself resolves from the repo root.
function project(name, files, config = {}) {
  const dir = join(work, name)
  write(join(dir, 'package.json'), JSON.stringify({ name: `bench-${name}`, private: true, type: 'module' }))
  // testTimeout leaves room for isolated()'s 10 s limit plus its kill window and bootTimeout.
  write(join(dir, 'vitest.config.mjs'), `export default { test: ${JSON.stringify({ testTimeout: 60_000, ...config })} }\n`)
  for (const [file, text] of Object.entries(files)) write(join(dir, file), text)
  mkdirSync(join(dir, 'node_modules', 'isolated-test'), { recursive: true })
  run('tar', ['-xzf', tarball, '-C', join(dir, 'node_modules', 'isolated-test'), '--strip-components=1'])
  write(join(dir, 'node_modules', 'heavy-dep', 'package.json'), JSON.stringify({ name: 'heavy-dep', type: 'module', main: 'index.js' }))
  write(join(dir, 'node_modules', 'heavy-dep', 'index.js'), heavySource(heavy.iterations))
  return dir
}

// ---- set up -----------------------------------------------------------------------------------

rmSync(work, { recursive: true, force: true })
mkdirSync(work, { recursive: true })
const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work]))
const tarball = join(work, packed[0].filename)
const heavy = calibrateHeavy()
const vitestVersion = JSON.parse(readFileSync(join(repo, 'node_modules', 'vitest', 'package.json'), 'utf8')).version

const perFile = {}
for (let i = 0; i < TESTS; i++) perFile[`t${String(i).padStart(2, '0')}.test.js`] = testFile({ from: i, count: 1 })

const vitest = (dir) => [process.execPath, [vitestBin, 'run', '--root', dir]]
const scenarios = [
  { id: '1', label: 'node -e 0', cmd: [process.execPath, ['-e', '0']] },
  { id: '2', label: `plain vitest, ${TESTS} tests in 1 file`, dir: project('plain', { 'bench.test.js': testFile({}) }) },
  { id: '3', label: `vitest per-file isolation, ${TESTS} files (forks)`, dir: project('per-file', perFile, { pool: 'forks', isolate: true }) },
  { id: '4', label: `isolated(), 'fork'`, dir: project('fork', { 'bench.test.js': testFile({ wrap: 'fork' }) }) },
  { id: '5', label: `isolated(), 'spawn'`, dir: project('spawn', { 'bench.test.js': testFile({ wrap: 'spawn' }) }) },
  { id: '6.2', label: `plain vitest + ${HEAVY_MS} ms import`, dir: project('heavy-plain', { 'bench.test.js': testFile({ heavy: true }) }) },
  { id: '6.4', label: `isolated() 'fork' + ${HEAVY_MS} ms import`, dir: project('heavy-fork', { 'bench.test.js': testFile({ wrap: 'fork', heavy: true }) }) },
  { id: '6.5', label: `isolated() 'spawn' + ${HEAVY_MS} ms import`, dir: project('heavy-spawn', { 'bench.test.js': testFile({ wrap: 'spawn', heavy: true }) }) },
]
for (const s of scenarios) s.cmd ??= vitest(s.dir)

// Colour codes would only get in the way of the pass check; a stray ISOLATED_TEST=off would
// silently turn scenarios 4-6 into plain runs.
const env = { NO_COLOR: '1', ISOLATED_TEST: '' }

function timeOnce(s, extraEnv = {}) {
  const start = performance.now()
  const stdout = run(s.cmd[0], s.cmd[1], { ...env, ...extraEnv })
  const ms = performance.now() - start
  // A run that did not actually pass all tests would produce a meaningless time.
  if (s.dir && !new RegExp(`Tests\\s+${TESTS} passed`).test(stdout)) throw new Error(`${s.label}: expected ${TESTS} passed tests:\n${stdout}`)
  return ms
}

// ---- timed runs -------------------------------------------------------------------------------

console.log(`node ${process.version}, vitest ${vitestVersion}, ${availableParallelism()} CPUs (vitest maxWorkers default: ${Math.max(availableParallelism() - 1, 1)}), ${RUNS} runs per scenario`)
console.log(`heavy dependency: ${heavy.iterations.toLocaleString('en')} loop iterations, ${heavy.importMs.toFixed(0)} ms to import in a fresh node\n`)

// One untimed run warms the disk cache and Vite's dependency cache. Then the scenarios take turns,
// so a machine that slows down or speeds up during the bench affects all of them alike.
for (const s of scenarios) timeOnce(s)
for (const s of scenarios) s.times = []
for (let r = 0; r < RUNS; r++) {
  for (const s of scenarios) {
    s.times.push(timeOnce(s))
    process.stderr.write(`\rrun ${r + 1}/${RUNS}: ${s.label.padEnd(50)}`)
  }
}
process.stderr.write('\r'.padEnd(70) + '\r')

const byId = Object.fromEntries(scenarios.map((s) => [s.id, s]))
for (const s of scenarios) {
  s.median = median(s.times)
  s.min = Math.min(...s.times)
  s.max = Math.max(...s.times)
  // Each scenario is compared with the plain run of the same test module.
  s.baseline = s.id.startsWith('6') ? '6.2' : '2'
}
for (const s of scenarios) s.ratio = s.median / byId[s.baseline].median

const ms = (x) => `${x.toFixed(0)} ms`.padStart(9)
console.log(`${'scenario'.padEnd(48)}${'median'.padStart(9)}${'min'.padStart(9)}${'max'.padStart(9)}  vs plain`)
for (const s of scenarios) {
  console.log(`${`${s.id.padEnd(4)}${s.label}`.padEnd(48)}${ms(s.median)}${ms(s.min)}${ms(s.max)}  ${`${s.ratio.toFixed(2)}×`.padStart(7)} (${s.baseline})`)
}

const perTest = (a, b) => (byId[a].median - byId[b].median) / TESTS
const overhead = {
  fork: perTest('4', '2'),
  spawn: perTest('5', '2'),
  vitestPerFile: perTest('3', '2'),
  heavyFork: perTest('6.4', '6.2'),
  heavySpawn: perTest('6.5', '6.2'),
}
console.log(`\nper-test overhead, (scenario − its plain run) / ${TESTS}:`)
console.log(`  isolated() 'fork'  ${overhead.fork.toFixed(1)} ms   (4 − 2)      with ${HEAVY_MS} ms import: ${overhead.heavyFork.toFixed(1)} ms   (6.4 − 6.2)`)
console.log(`  isolated() 'spawn' ${overhead.spawn.toFixed(1)} ms   (5 − 2)      with ${HEAVY_MS} ms import: ${overhead.heavySpawn.toFixed(1)} ms   (6.5 − 6.2)`)
console.log(`  vitest per-file    ${overhead.vitestPerFile.toFixed(1)} ms   (3 − 2)`)

// ---- where one isolated test's time goes ------------------------------------------------------

// One extra, untimed run per isolated scenario with bench/probe.mjs preloaded in every process.
// Marks are absolute times (timeOrigin + now), so parent and child marks share one clock.
const PHASES = [
  ['spawn → process start', 'spawn', 'origin', 'spawn() until the new process starts'],
  ['→ node ready', 'origin', 'preload', 'Node bootstrap, until it runs the first user module'],
  ['→ child ready', 'preload', 'ready', 'load the child entry, start the watchdog thread'],
  ['→ run request', 'ready', 'run', 'IPC round trip'],
  ['→ first vitest RPC', 'run', 'rpc', 'import vitest/worker, init, start'],
  ['→ test module imported', 'rpc', 'imports done', 'fetch (via the parent) and import the test module'],
  ['→ body starts', 'imports done', 'phase:body', 'collect the file, find the target'],
  ['→ result sent', 'phase:body', 'result', 'the body and its report'],
  ['→ child exited', 'result', 'exit', 'parent ends the tree (ps listings, SIGKILL)'],
  ['→ next spawn', 'exit', 'next', 'parent: report, next test, next wrapper call'],
]

function profile(s) {
  const out = join(work, `probe-${s.dir.split('/').pop()}.jsonl`)
  writeFileSync(out, '')
  timeOnce(s, { NODE_OPTIONS: `--import=${pathToFileURL(join(repo, 'bench', 'probe.mjs')).href}`, BENCH_PROBE_OUT: out })
  const marks = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  const spawns = marks.filter((m) => m.name === 'spawn').sort((a, b) => a.t - b.t)
  const rows = spawns.map((sp, i) => {
    // Child marks carry the child's pid; the parent's marks about a child name it in `child`.
    const inChild = (name) => marks.find((m) => m.pid === sp.child && m.child === undefined && m.name === name)?.t
    const inParent = (name) => marks.find((m) => m.child === sp.child && m.name === name)?.t
    const at = { spawn: sp.t, exit: inParent('exit'), next: spawns[i + 1]?.t }
    for (const n of ['origin', 'preload', 'ready', 'run', 'rpc', 'imports done', 'phase:body', 'result', 'heavy:start', 'heavy:end']) at[n] = inChild(n)
    const rpcs = marks.filter((m) => m.pid === sp.child && m.name === 'rpc-answer')
    return { at, rpcCount: rpcs.length, rpcWait: rpcs.reduce((sum, m) => sum + m.wait, 0) }
  })
  const phase = (from, to) => median(rows.map((r) => r.at[to] - r.at[from]).filter(Number.isFinite))
  const ps = marks.filter((m) => m.name === 'ps')
  return {
    tests: rows.length,
    phases: Object.fromEntries(PHASES.map(([label, from, to]) => [label, phase(from, to)])),
    total: phase('spawn', 'next'),
    heavy: phase('heavy:start', 'heavy:end'),
    rpc: { count: median(rows.map((r) => r.rpcCount)), waitMs: median(rows.map((r) => r.rpcWait)) },
    ps: { perTest: ps.length / rows.length, medianMs: ps.length ? median(ps.map((m) => m.ms)) : 0 },
  }
}

let profiles
if (process.env.BENCH_PROFILE !== '0') {
  const isolatedRuns = ['4', '5', '6.4', '6.5'].map((id) => byId[id])
  profiles = Object.fromEntries(isolatedRuns.map((s) => [s.id, profile(s)]))
  console.log(`\nwhere one isolated test's time goes (median over the ${TESTS} tests of one profiled run, ms):`)
  console.log(`${''.padEnd(26)}${isolatedRuns.map((s) => s.id.padStart(8)).join('')}`)
  for (const [label, , , note] of PHASES) {
    console.log(`${label.padEnd(26)}${isolatedRuns.map((s) => profiles[s.id].phases[label].toFixed(1).padStart(8)).join('')}   ${note}`)
  }
  console.log(`${'spawn → next spawn'.padEnd(26)}${isolatedRuns.map((s) => profiles[s.id].total.toFixed(1).padStart(8)).join('')}   one test, end to end`)
  const extra = (label, f) => console.log(`${label.padEnd(26)}${isolatedRuns.map((s) => f(profiles[s.id]).padStart(8)).join('')}`)
  extra('  of which heavy import', (p) => (Number.isFinite(p.heavy) ? p.heavy.toFixed(1) : '-'))
  extra('  vitest RPCs (count)', (p) => String(p.rpc.count))
  extra('  waiting on RPCs', (p) => p.rpc.waitMs.toFixed(1))
  extra('  ps listings (count)', (p) => p.ps.perTest.toFixed(1))
  extra('  one ps listing', (p) => p.ps.medianMs.toFixed(1))
}

// ---- results and leftovers --------------------------------------------------------------------

const results = {
  date: new Date().toISOString(),
  node: process.version,
  vitest: vitestVersion,
  cpus: availableParallelism(),
  runs: RUNS,
  tests: TESTS,
  heavy,
  scenarios: scenarios.map(({ id, label, times, median, min, max, ratio, baseline }) => ({ id, label, times, median, min, max, ratio, baseline })),
  overheadPerTestMs: overhead,
  profiles,
}
writeFileSync(join(work, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
console.log(`\nwrote ${join('bench', '.work', 'results.json')}`)

// Every run above has exited, so anything still alive that runs this repo's vitest or a file under
// bench/.work (the projects, their isolated-test children) is a leak of ours.
const ours = [work, join(repo, 'node_modules', 'vitest')]
const left = run('ps', ['-A', '-o', 'pid=,args='])
  .split('\n')
  .filter((l) => ours.some((path) => l.includes(path)))
console.log(left.length ? `LEFT RUNNING:\n${left.join('\n')}` : 'no processes left running')
