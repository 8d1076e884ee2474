// `node bench/soak.mjs`: the soak of issue 9. 1,000 isolated tests at concurrency 4, under the Vitest
// plugin and under the Jest environment. Every 100 tests a test that stays in the worker samples the
// worker's open fds, its RSS and the number of live processes of the run; the script prints the
// samples and exits non-zero unless fds and processes stay flat (end ≤ start + 2, the end sampled
// once the spare child has gone), RSS stays bounded, and every process of the run is gone at the end.
// See bench/README.md ("The soak").
//
// Options (environment): SOAK_TESTS (default 1000, a multiple of 100), SOAK_CONCURRENCY (default 4),
// SOAK_ONLY=vitest|jest (default both). Needs `npm run build` and the Jest 30 fixture installed
// (`node scripts/install-fixtures.mjs jest30`).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('..', import.meta.url))
const work = join(repo, 'bench', '.work', 'soak')
const TESTS = Number(process.env.SOAK_TESTS ?? 1000)
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 4)
const EVERY = 100
const ONLY = process.env.SOAK_ONLY
if (!Number.isInteger(TESTS) || TESTS < EVERY || TESTS % EVERY !== 0) throw new TypeError(`SOAK_TESTS must be a multiple of ${EVERY}, got ${process.env.SOAK_TESTS}.`)
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1) throw new TypeError(`SOAK_CONCURRENCY must be an integer ≥ 1, got ${process.env.SOAK_CONCURRENCY}.`)

/** "Flat": at the end, at most this many more fds and live processes than at the start. */
const FLAT_SLACK = 2
/** "Bounded": the worker's RSS grows by at most this much from the first sample after warm-up to the end. */
const RSS_GROWTH_MB = 100

const TOKEN_ENV = 'SOAK_TOKEN'

// ---- the sampler, run in the worker every 100 tests ------------------------------------------

// Plain CommonJS, so that both Vitest (through Vite) and Jest (no transform) can load it.
const samplerSource = `const { appendFileSync, readdirSync, readFileSync } = require('node:fs')

/** Live processes whose environment holds the run's token: everything this run started. */
function liveProcesses() {
  const entry = '${TOKEN_ENV}=' + process.env.${TOKEN_ENV}
  let n = 0
  for (const name of readdirSync('/proc')) {
    if (!/^\\d+$/.test(name)) continue
    try {
      if (!readFileSync('/proc/' + name + '/environ', 'utf8').split('\\0').includes(entry)) continue
      const stat = readFileSync('/proc/' + name + '/stat', 'utf8')
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') n++
    } catch {}
  }
  return n
}

/**
 * The last sample first lets the spare child (kept for a next test, ended after 10 s unused) go, so
 * that start and end compare the same state: no child running. It waits at most 15 s.
 */
exports.sample = async (tests, last) => {
  if (last) {
    const start = JSON.parse(readFileSync(process.env.SOAK_SAMPLES, 'utf8').split('\\n')[0])
    const until = Date.now() + 15000
    while (liveProcesses() > start.processes && Date.now() < until) await new Promise((r) => setTimeout(r, 100))
  }
  const line = { tests, pid: process.pid, fds: readdirSync('/proc/self/fd').length, rssMb: Math.round(process.memoryUsage().rss / 2 ** 20), processes: liveProcesses(), at: Date.now() }
  appendFileSync(process.env.SOAK_SAMPLES, JSON.stringify(line) + '\\n')
}
`

/** The test file: a sample, then batches of 100 concurrent tests, each followed by a sample. */
function testFile(kind) {
  const lines = []
  if (kind === 'vitest') lines.push(`import { describe, expect, test } from 'vitest'`, `import { createRequire } from 'node:module'`, `const { sample } = createRequire(import.meta.url)('./sampler.cjs')`)
  else lines.push(`const { inProcess } = require('isolated-test')`, `const { sample } = require('./sampler.cjs')`)
  // Samplers stay in the worker: meta.isolated false (Vitest), inProcess() (Jest).
  const sampler = (n) => {
    const call = `() => sample(${n}, ${n === TESTS})`
    return kind === 'vitest' ? `test('sample at ${n}', { meta: { isolated: false } }, ${call})` : `test('sample at ${n}', inProcess(${call}))`
  }
  lines.push(sampler(0))
  for (let batch = 0; batch < TESTS / EVERY; batch++) {
    lines.push(`describe('batch ${batch}', () => {`, `  for (let i = 0; i < ${EVERY}; i++) test.concurrent(\`test \${${batch * EVERY} + i}\`, () => { expect(i + 1).toBe(i + 1) })`, '})')
    lines.push(sampler((batch + 1) * EVERY))
  }
  return `${lines.join('\n')}\n`
}

// ---- projects ---------------------------------------------------------------------------------

function write(path, text) {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
}

function run(file, args, options = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options })
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited with ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

function project(kind, tarball) {
  const dir = join(work, kind)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'node_modules', 'isolated-test'), { recursive: true })
  // isolated-test as users get it; vitest, jest's packages and our dependencies resolve upwards from here.
  run('tar', ['-xzf', tarball, '-C', join(dir, 'node_modules', 'isolated-test'), '--strip-components=1'])
  write(join(dir, 'sampler.cjs'), samplerSource)
  if (kind === 'vitest') {
    write(join(dir, 'package.json'), JSON.stringify({ name: 'soak-vitest', private: true, type: 'module' }))
    write(
      join(dir, 'vitest.config.mjs'),
      `import { defineConfig } from 'vitest/config'
import { isolatedTests } from 'isolated-test/vitest'
export default defineConfig({ plugins: [isolatedTests({ maxChildren: ${CONCURRENCY}, timeout: 30_000 })], test: { include: ['soak.test.mjs'], maxConcurrency: ${CONCURRENCY}, testTimeout: 60_000 } })
`,
    )
    write(join(dir, 'soak.test.mjs'), testFile('vitest'))
  } else {
    write(join(dir, 'package.json'), JSON.stringify({ name: 'soak-jest', private: true }))
    write(
      join(dir, 'jest.config.js'),
      `module.exports = { testEnvironment: 'isolated-test/jest', testEnvironmentOptions: { isolated: { maxChildren: ${CONCURRENCY}, timeout: 30_000 } }, testMatch: ['<rootDir>/soak.test.js'], transform: {}, maxConcurrency: ${CONCURRENCY}, testTimeout: 60_000 }
`,
    )
    write(join(dir, 'soak.test.js'), testFile('jest'))
  }
  return dir
}

// ---- one soak ---------------------------------------------------------------------------------

function processesWithToken(token) {
  const entry = `${TOKEN_ENV}=${token}`
  const found = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      if (!readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(entry)) continue
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') found.push(Number(name))
    } catch {
      // gone
    }
  }
  return found
}

function isRunning(pid) {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

async function soak(kind, dir) {
  const token = `soak-${process.pid}-${Date.now()}`
  const samplesFile = join(dir, 'samples.jsonl')
  const pidLog = join(dir, 'pids.log')
  const [bin, args] =
    kind === 'vitest'
      ? [join(repo, 'node_modules', 'vitest', 'vitest.mjs'), ['run', '--reporter=dot']]
      : [join(repo, 'fixtures', 'jest30', 'node_modules', 'jest', 'bin', 'jest.js'), ['--ci', '--silent']]
  if (!existsSync(bin)) throw new Error(`${bin} is missing: ${kind === 'jest' ? 'run `node scripts/install-fixtures.mjs jest30`' : 'run `npm ci`'}.`)
  const started = Date.now()
  const runner = spawn(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', [TOKEN_ENV]: token, SOAK_SAMPLES: samplesFile, ISOLATED_TEST_PID_LOG: pidLog },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  runner.stdout.on('data', (d) => (output += d))
  runner.stderr.on('data', (d) => (output += d))
  const code = await new Promise((resolve) => runner.on('close', (c) => resolve(c)))
  const seconds = (Date.now() - started) / 1000
  // What the run started must be gone once it has exited; give SIGKILLed ones a moment to be reaped.
  let left = []
  for (let i = 0; i < 20; i++) {
    const pids = existsSync(pidLog) ? readFileSync(pidLog, 'utf8').split('\n').filter(Boolean).map(Number) : []
    left = [...new Set([...pids.filter(isRunning), ...processesWithToken(token)])]
    if (left.length === 0) break
    await new Promise((r) => setTimeout(r, 100))
  }
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // gone
    }
  }
  const samples = existsSync(samplesFile) ? readFileSync(samplesFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []
  return { kind, code, seconds, samples, left, output }
}

function judge({ kind, code, samples, left, output }) {
  const problems = []
  if (code !== 0) problems.push(`the run exited with ${code}:\n${output.slice(-4000)}`)
  if (samples.length !== TESTS / EVERY + 1) problems.push(`${samples.length} samples, expected ${TESTS / EVERY + 1}`)
  if (new Set(samples.map((s) => s.pid)).size > 1) problems.push(`the samples come from more than one worker: ${[...new Set(samples.map((s) => s.pid))].join(', ')}`)
  const first = samples[0]
  const last = samples.at(-1)
  if (first && last) {
    if (last.fds > first.fds + FLAT_SLACK) problems.push(`open fds grew from ${first.fds} to ${last.fds}`)
    if (last.processes > first.processes + FLAT_SLACK) problems.push(`live processes grew from ${first.processes} to ${last.processes}`)
    const warm = samples[1]
    const peak = Math.max(...samples.slice(1).map((s) => s.rssMb))
    if (warm && peak > warm.rssMb + RSS_GROWTH_MB) problems.push(`RSS grew from ${warm.rssMb} MB (after ${warm.tests} tests) to ${peak} MB`)
  }
  if (left.length > 0) problems.push(`processes of the run still alive at the end: ${left.join(', ')}`)
  return problems.map((p) => `${kind}: ${p}`)
}

function print({ kind, seconds, samples, left }) {
  console.log(`\n${kind}: ${TESTS} isolated tests at concurrency ${CONCURRENCY} in ${seconds.toFixed(1)} s; left at the end: ${left.length}`)
  console.log('  tests   fds   processes   rss MB')
  for (const s of samples) console.log(`  ${String(s.tests).padStart(5)}   ${String(s.fds).padStart(3)}   ${String(s.processes).padStart(9)}   ${String(s.rssMb).padStart(6)}`)
}

// ---- main -------------------------------------------------------------------------------------

if (!existsSync(join(repo, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first.')
rmSync(work, { recursive: true, force: true })
mkdirSync(work, { recursive: true })
const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: repo }))
const tarball = join(work, packed[0].filename)

const kinds = ['vitest', 'jest'].filter((k) => !ONLY || ONLY === k)
const problems = []
for (const kind of kinds) {
  const result = await soak(kind, project(kind, tarball))
  print(result)
  problems.push(...judge(result))
}
console.log(`\nflat: fds and live processes at the end ≤ start + ${FLAT_SLACK}; bounded: RSS ≤ the sample after ${EVERY} tests + ${RSS_GROWTH_MB} MB`)
if (problems.length > 0) {
  console.error(`\nsoak FAILED:\n${problems.map((p) => `- ${p}`).join('\n')}`)
  process.exit(1)
}
console.log('soak passed')
