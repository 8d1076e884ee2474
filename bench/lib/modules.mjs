// Sources of the dependencies and test files the generated projects use. Each dependency appends one
// line to a file under BENCH_OUT (a per-run directory) when it is imported or measured, so the bench
// can count imports and read sizes without trusting wall times alone.
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { median, node24, run, work, write } from './util.mjs'

const note = (file, value) => `if (process.env.BENCH_OUT) (await import('node:fs')).appendFileSync(process.env.BENCH_OUT + '/${file}', ${value} + '\\n')`

// A fixed amount of integer work at import time: deterministic, not cacheable, independent of Vite's
// transform cache, so every process that imports it pays it again, as for a real dependency graph.
export const heavySource = (n) => `let h = 2166136261
for (let i = 0; i < ${n}; i++) h = Math.imul(h ^ i, 16777619)
export const checksum = h >>> 0
${note('imports', 'process.pid')}
`

/** Calibrates the loop so that a fresh Node 24 takes about `targetMs` to import the module. */
export function calibrateHeavy(targetMs) {
  const file = join(work, 'calibrate', 'heavy.mjs')
  const importMs = () => {
    const code = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t)`
    return median([0, 1, 2].map(() => Number(run(node24, ['--input-type=module', '-e', code]).stdout)))
  }
  let n = 10_000_000
  for (let round = 0; round < 2; round++) {
    write(file, heavySource(n))
    n = Math.round((n * targetMs) / importMs())
  }
  write(file, heavySource(n))
  return { iterations: n, importMs: importMs() }
}

// About `mb` MB of resident memory kept alive from import on: half small objects on V8's heap (like a
// big module graph), half Buffers written once (so the pages are really resident, not lazily zero).
// ~95 bytes of RSS per object with its string and array slot (measured on Node 24). A zygote holds it once; a forked child shares it copy-on-write; a fresh child builds it again.
export const ballastSource = (mb) => `const kept = []
const objects = ${Math.round(((mb / 2) * 1e6) / 95)}
for (let i = 0; i < objects; i += 1000) {
  const chunk = []
  for (let j = 0; j < 1000; j++) chunk.push({ i: i + j, tag: 'b' + ((i + j) & 1023) })
  kept.push(chunk)
}
for (let i = 0; i < ${Math.round(mb / 2)}; i++) kept.push(Buffer.alloc(1 << 20, i & 255))
globalThis.__benchBallast = kept
export const size = kept.length
${note('rss', 'process.memoryUsage().rss')}
`

/** A Vitest test file. wrap: false (plain) or true (each body in isolated(), with `options` if given). */
export function vitestFile({ count, from = 0, wrap = false, options = '10_000', imports = [], body = (i) => `expect(${i} + 1).toBe(${i + 1})` }) {
  const lines = [`import { test, expect } from 'vitest'`]
  if (wrap) lines.push(`import { isolated } from 'isolated-test'`)
  lines.push(...imports, '')
  for (let i = from; i < from + count; i++) {
    const fn = `() => { ${body(i)} }`
    lines.push(`test('t${i}', ${wrap ? `isolated(${options})(${fn})` : fn})`)
  }
  return `${lines.join('\n')}\n`
}

/** A Jest test file (CommonJS through babel-jest): the environment isolates it, or not. */
export function jestFile({ count }) {
  const lines = []
  for (let i = 0; i < count; i++) lines.push(`test('t${i}', () => { expect(${i} + 1).toBe(${i + 1}) })`)
  return `${lines.join('\n')}\n`
}

// 20 spawnSync('true') in the body, timed inside the body: the page-table copy a child of a big
// process pays on every spawn shows up here, whatever the rest of the run costs.
export const spawnImports = [`import { spawnSync } from 'node:child_process'`, `import { appendFileSync } from 'node:fs'`]
export const spawnBody = () =>
  `const t = performance.now(); for (let k = 0; k < 20; k++) spawnSync('true'); if (process.env.BENCH_OUT) appendFileSync(process.env.BENCH_OUT + '/spawn', (performance.now() - t) + '\\n')`

// B: bodies that allocate, timed inside the body: 300,000 awaits (promises and their reactions), or
// JSON.parse of a 2 MB string three times. A forked child allocates into the young generation it
// inherited; each of those pages costs it a copy-on-write fault on first write, so this shows what
// a real test's allocation costs in a fork beside the same body in-process.
export const allocImports = [`import { appendFileSync } from 'node:fs'`]
const timed = (kind, code) => `const t = performance.now(); ${code}; if (process.env.BENCH_OUT) appendFileSync(process.env.BENCH_OUT + '/body-${kind}', (performance.now() - t) + '\\n')`
export const ALLOC_KINDS = ['await', 'parse']
export const allocBody = (i) =>
  i % 2 === 0
    ? `return (async () => { ${timed('await', 'for (let k = 0; k < 300000; k++) await null')} })()`
    : `const s = JSON.stringify(Array.from({ length: 40000 }, (_, k) => ({ id: k, name: 'item ' + k, tags: ['a', 'b'] }))); ${timed('parse', 'for (let k = 0; k < 3; k++) JSON.parse(s)')}`
