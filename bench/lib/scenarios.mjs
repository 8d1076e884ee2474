// Every timed scenario: one generated project, run under one process model. A project with isolated
// tests is shared by its 'fresh' and 'fork-server' scenarios, so the two differ only in the model.
import { allocBody, allocImports, jestFile, spawnBody, spawnImports, vitestFile } from './modules.mjs'
import { jestProject, vitestProject } from './projects.mjs'

export const COUNTS = { small: 50, large: 200, heavy: 20, pluginFiles: 10, pluginPerFile: 20, jest: 50, spawn: 10, alloc: 10 }
export const SIZES_MB = [50, 150, 300]
// Ballast scenarios: a child costs seconds here under both models (fresh children rebuild the ballast;
// forked children of a big zygote measured 1-5 s each), so 1 and 4 tests, once, to fit the budget.
export const SIZE_COUNTS = { 'fork-server': [1, 4], fresh: [1, 4] }

const MODELS = ['fresh', 'fork-server']

/**
 * once: run in the first round only. Reserved for fresh-model runs that cost a minute or more and are
 * only the reference the fork server is compared with; their figures are marked "1 run".
 */
export function buildScenarios({ tarball, heavy }) {
  const list = []
  const add = (id, label, dir, { runner = 'vitest', model = 'plain', tests, once = false, group, env }) => list.push({ id, label, dir, runner, model, tests, once, group, env })

  // A: trivial tests in one file (slope and intercept between 50 and 200), and Vitest's per-file isolation.
  for (const n of [COUNTS.small, COUNTS.large]) {
    add(`A.plain${n}`, `plain vitest, ${n} tests in 1 file`, vitestProject(`plain-${n}`, { tarball, files: { 'bench.test.js': vitestFile({ count: n }) } }), { tests: n, group: 'A' })
    const dir = vitestProject(`isolated-${n}`, { tarball, files: { 'bench.test.js': vitestFile({ count: n, wrap: true }) } })
    for (const model of MODELS) add(`A.${model}${n}`, `isolated(), ${n} tests in 1 file`, dir, { model, tests: n, once: model === 'fresh' && n === COUNTS.large, group: 'A' })
  }
  const perFile = {}
  for (let i = 0; i < COUNTS.small; i++) perFile[`t${String(i).padStart(2, '0')}.test.js`] = vitestFile({ from: i, count: 1 })
  add('A.perfile', `vitest per-file isolation, ${COUNTS.small} files`, vitestProject('per-file', { tarball, files: perFile, config: { pool: 'forks', isolate: true } }), { tests: COUNTS.small, group: 'A' })

  // H: a test module whose import costs ~300 ms.
  const heavyImport = [`import { checksum } from 'heavy-dep'`]
  const heavyBody = (i) => `expect(${i} + 1).toBe(${i + 1}); expect(checksum).toBeTypeOf('number')`
  add('H.plain', `plain vitest + heavy import, ${COUNTS.heavy} tests`, vitestProject('heavy-plain', { tarball, heavy, files: { 'bench.test.js': vitestFile({ count: COUNTS.heavy, imports: heavyImport, body: heavyBody }) } }), { tests: COUNTS.heavy, group: 'H' })
  const heavyDir = vitestProject('heavy-isolated', { tarball, heavy, files: { 'bench.test.js': vitestFile({ count: COUNTS.heavy, wrap: true, imports: heavyImport, body: heavyBody }) } })
  for (const model of MODELS) add(`H.${model}`, `isolated() + heavy import, ${COUNTS.heavy} tests`, heavyDir, { model, tests: COUNTS.heavy, group: 'H' })

  // P: 200 trivial tests in 10 files, plain and under the plugin.
  const pluginFiles = {}
  for (let f = 0; f < COUNTS.pluginFiles; f++) pluginFiles[`f${f}.test.js`] = vitestFile({ from: f * COUNTS.pluginPerFile, count: COUNTS.pluginPerFile })
  const pluginTests = COUNTS.pluginFiles * COUNTS.pluginPerFile
  add('P.plain', `plain vitest, ${pluginTests} tests in ${COUNTS.pluginFiles} files`, vitestProject('plugin-plain', { tarball, files: pluginFiles }), { tests: pluginTests, group: 'P' })
  const pluginDir = vitestProject('plugin', { tarball, files: pluginFiles, plugin: true })
  // Both models cost ~90 s a run here (measured): once each, so the bench fits in ~15 minutes.
  for (const model of MODELS) add(`P.${model}`, `isolatedTests() plugin, ${pluginTests} tests in ${COUNTS.pluginFiles} files`, pluginDir, { model, tests: pluginTests, once: true, group: 'P' })

  // J: Jest 30 + babel-jest, one file of 50 tests, plain and under the environment.
  const jestFiles = { 'bench.test.js': jestFile({ count: COUNTS.jest }) }
  add('J.plain', `plain jest, ${COUNTS.jest} tests`, jestProject('jest-plain', { tarball, files: jestFiles, isolated: false }), { runner: 'jest', tests: COUNTS.jest, group: 'J' })
  const jestDir = jestProject('jest-isolated', { tarball, files: jestFiles, isolated: true })
  for (const model of MODELS) add(`J.${model}`, `jest, testEnvironment isolated-test/jest, ${COUNTS.jest} tests`, jestDir, { runner: 'jest', model, tests: COUNTS.jest, group: 'J' })

  // Z: zygote sizes, a test module that keeps ~50/150/300 MB alive from import on.
  for (const mb of SIZES_MB) {
    for (const model of MODELS) {
      for (const n of SIZE_COUNTS[model]) {
        const dir = vitestProject(`ballast-${mb}-${n}`, { tarball, ballastMb: mb, files: { 'bench.test.js': vitestFile({ count: n, wrap: true, imports: [`import { size } from 'ballast'`] }) } })
        add(`Z${mb}.${model}${n}`, `isolated(), +${mb} MB at import, ${n} tests`, dir, { model, tests: n, once: true, group: 'Z' })
      }
    }
  }

  // S: a spawn-heavy body (20 spawnSync('true')), timed inside the body.
  const spawnFile = (wrap) => vitestFile({ count: COUNTS.spawn, wrap, imports: spawnImports, body: spawnBody })
  add('S.plain', `plain vitest, ${COUNTS.spawn} spawn-heavy tests`, vitestProject('spawn-plain', { tarball, files: { 'bench.test.js': spawnFile(false) } }), { tests: COUNTS.spawn, group: 'S' })
  const spawnDir = vitestProject('spawn-isolated', { tarball, files: { 'bench.test.js': spawnFile(true) } })
  for (const model of MODELS) add(`S.${model}`, `isolated(), ${COUNTS.spawn} spawn-heavy tests`, spawnDir, { model, tests: COUNTS.spawn, group: 'S' })

  // B: allocating bodies (awaits, JSON.parse), timed inside the body; the fork server also without the
  // zygote's memory-reducing GC before it serves (ISOLATED_TEST_ZYGOTE_GC=off), to show what it buys.
  const allocFile = (wrap) => vitestFile({ count: COUNTS.alloc, wrap, imports: allocImports, body: allocBody })
  add('B.plain', `plain vitest, ${COUNTS.alloc} allocating tests`, vitestProject('alloc-plain', { tarball, files: { 'bench.test.js': allocFile(false) } }), { tests: COUNTS.alloc, group: 'B' })
  const allocDir = vitestProject('alloc-isolated', { tarball, files: { 'bench.test.js': allocFile(true) } })
  for (const model of MODELS) add(`B.${model}`, `isolated(), ${COUNTS.alloc} allocating tests`, allocDir, { model, tests: COUNTS.alloc, group: 'B' })
  add('B.fork-server-nogc', `isolated(), ${COUNTS.alloc} allocating tests, zygote GC off`, allocDir, { model: 'fork-server', tests: COUNTS.alloc, group: 'B', env: { ISOLATED_TEST_ZYGOTE_GC: 'off' } })

  // C: coverage on (v8, issue 12) and off, for the same 50 tests calling a source module: plain Vitest
  // and isolated() on the fork server, so each gets its cost of coverage beside the other's.
  const calc = { 'src/calc.js': 'export const add = (a, b) => a + b\nexport const unused = () => 0\n' }
  const covFile = (wrap) => vitestFile({ count: COUNTS.small, wrap, imports: [`import { add } from './src/calc.js'`], body: (i) => `expect(add(${i}, 1)).toBe(${i + 1})` })
  const coverage = { coverage: { enabled: true, provider: 'v8', reporter: ['json-summary'], include: ['src/**'] } }
  for (const [wrap, model] of [[false, 'plain'], [true, 'fork-server']]) {
    const what = wrap ? 'isolated()' : 'plain vitest'
    const files = { ...calc, 'bench.test.js': covFile(wrap) }
    add(`C.${model}`, `${what}, ${COUNTS.small} tests calling src/, coverage off`, vitestProject(`cov-off-${model}`, { tarball, files }), { model, tests: COUNTS.small, group: 'C' })
    add(`C.${model}-cov`, `${what}, ${COUNTS.small} tests calling src/, coverage v8`, vitestProject(`cov-on-${model}`, { tarball, files, config: coverage }), { model, tests: COUNTS.small, group: 'C' })
  }

  // M: the memoryLimit sampler's cost (issue 13): the same 50 trivial isolated() tests on the fork server,
  // without a limit (nothing sampled; the figures are read once at the end) and with one (the tree read
  // from /proc every 50 ms while each test runs).
  for (const [suffix, options] of [['', '10_000'], ['-mem', '{ timeout: 10_000, memoryLimit: 500 }']]) {
    const files = { 'bench.test.js': vitestFile({ count: COUNTS.small, wrap: true, options }) }
    add(`M.fork-server${suffix}`, `isolated(), ${COUNTS.small} tests in 1 file, ${suffix ? 'memoryLimit 500 MB' : 'no memoryLimit'}`, vitestProject(`mem${suffix || '-none'}`, { tarball, files }), { model: 'fork-server', tests: COUNTS.small, group: 'M' })
  }

  return list
}
