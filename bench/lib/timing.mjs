// One timed run of a scenario, and the checks that make its time mean something: the run passed every
// test, and every isolated test ran in the process model the scenario names (our JSON report).
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { jestModules, node24, repo, run, vitestBin, work } from './util.mjs'

// Colour codes would only get in the way of the pass check; a stray ISOLATED_TEST=off would silently
// turn isolated scenarios into plain runs, and a stray model variable would pick the wrong model.
const baseEnv = { NO_COLOR: '1', ISOLATED_TEST: '', ISOLATED_TEST_PROCESS_MODEL: '', ISOLATED_TEST_REPORT: '' }

/** The command of a scenario: Vitest or Jest on Node 24, on the scenario's project. */
export function command(s, outDir) {
  if (s.runner === 'jest') {
    return [node24, [join(jestModules, 'jest', 'bin', 'jest.js'), '--ci', '--config', join(s.dir, 'jest.config.cjs'), '--rootDir', s.dir, '--json', '--outputFile', join(outDir, 'jest.json')]]
  }
  return [node24, [vitestBin, 'run', '--root', s.dir]]
}

let runCounter = 0

/**
 * Runs a scenario once; returns { ms, notes } or throws with the reason the run is not valid. With
 * `trace` (a file), every process of the run appends its labelled points there (ISOLATED_TEST_TRACE):
 * that run is for the breakdown, not for its time.
 */
export function timeOnce(s, trace) {
  const outDir = join(work, 'runs', `${s.id}-${++runCounter}`)
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const report = join(outDir, 'report.jsonl')
  const env = { ...baseEnv, BENCH_OUT: outDir }
  if (s.model !== 'plain') Object.assign(env, { ISOLATED_TEST_PROCESS_MODEL: s.model, ISOLATED_TEST_REPORT: report })
  if (s.env) Object.assign(env, s.env)
  if (trace) env.ISOLATED_TEST_TRACE = trace
  const [file, args] = command(s, outDir)
  const start = performance.now()
  const r = run(file, args, { env, cwd: s.runner === 'jest' ? s.dir : repo })
  const ms = performance.now() - start
  checkPassed(s, r, outDir)
  const notes = readNotes(outDir)
  if (s.model !== 'plain') notes.durations = checkReport(s, report)
  return { ms, notes }
}

function checkPassed(s, r, outDir) {
  if (s.runner === 'jest') {
    const j = JSON.parse(readFileSync(join(outDir, 'jest.json'), 'utf8'))
    if (!j.success || j.numPassedTests !== s.tests || j.numTotalTests !== s.tests) throw new Error(`${s.label}: expected ${s.tests} passed Jest tests, got ${j.numPassedTests} of ${j.numTotalTests}:\n${r.stderr}`)
  } else if (!new RegExp(`Tests\\s+${s.tests} passed \\(${s.tests}\\)`).test(r.stdout)) {
    throw new Error(`${s.label}: expected ${s.tests} passed tests:\n${r.stdout}\n${r.stderr}`)
  }
}

// Without this, a fork-server figure could be a fresh-process figure (a silent fallback) or a plain one.
function checkReport(s, file) {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []
  const wrong = lines.filter((l) => l.processModel !== s.model || l.outcome !== 'pass')
  if (lines.length !== s.tests || wrong.length) {
    const sample = wrong.slice(0, 3).map((l) => `${l.fullName}: ${l.processModel} ${l.outcome}`).join('; ')
    throw new Error(`${s.label}: our report has ${lines.length} lines for ${s.tests} tests, ${wrong.length} not '${s.model}'/pass (${sample || 'none'}): ${file}`)
  }
  // Where each test's time went, as the parent saw it: boot (to the child's start of import), import, body.
  return Object.fromEntries(['boot', 'import', 'body'].map((k) => [k, lines.map((l) => l.durations?.[k]).filter(Number.isFinite)]))
}

// Lines the generated modules appended: imports (one pid per import of the heavy module), rss (bytes
// after the ballast import, once per importing process), spawn (ms for 20 spawnSync in one body).
function readNotes(outDir) {
  const notes = {}
  for (const name of ['imports', 'rss', 'spawn', 'body-await', 'body-parse']) {
    const f = join(outDir, name)
    if (existsSync(f)) notes[name] = readFileSync(f, 'utf8').trim().split('\n').map(Number)
  }
  return notes
}
