// Where a forked test's time goes: one untimed run of a scenario with ISOLATED_TEST_TRACE (README,
// Development), each process appending "pid label ms minorFaults" at labelled points on one clock
// (CLOCK_MONOTONIC). Tests run one after another in these scenarios, so a child's lines belong to the
// test whose fork request came last before its first line.
import { readFileSync } from 'node:fs'
import { median } from './util.mjs'

/** The per-test segments, in order; each is [label, from, to] over a test's named points. */
const SEGMENTS = [
  ['worker: our run start -> fork request written', 'p.run.start', 'p.fork.write'],
  ['zygote fork + connect-back -> child runs JS', 'p.fork.write', 'c.forked'],
  ["child: the framework's path from the fork point to user code", 'c.forked', 'c.user'],
  ['child: hooks and body (trivial)', 'c.user', 'c.user-end'],
  ['child: verdict and answer -> worker has it', 'c.user-end', 'p.result'],
  ["worker: after the answer -> next test's run start (the framework's own per-test work)", 'p.result', 'next.p.run.start'],
]

function parse(file) {
  const tests = []
  let parentPid
  let current
  const childOf = new Map()
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    // "pid label ms faults cpu": a label may hold spaces (Jest's "c.phase.beforeEach hook").
    const fields = line.split(' ')
    if (fields.length < 5) continue
    const [pid, ms, faults] = [fields[0], fields.at(-3), fields.at(-2)]
    const label = fields.slice(1, -3).join(' ')
    const at = Number(ms)
    if (label === 'p.run.start') {
      parentPid ??= pid
      if (current) current['next.p.run.start'] = at
      current = { 'p.run.start': at, parentFaultsStart: Number(faults) }
      tests.push(current)
      continue
    }
    if (!current) continue
    if (label.startsWith('p.')) {
      current[label] ??= at
      if (label === 'p.result') current.parentFaultsEnd = Number(faults)
      continue
    }
    // A child's line: its test is the one whose fork request came last before its first line.
    if (!childOf.has(pid)) childOf.set(pid, current)
    const test = childOf.get(pid)
    if (label === 'c.forked') test['c.forked'] = at
    if (label.startsWith('c.phase.') && test['c.user'] === undefined) test['c.user'] = at
    if (label.startsWith('c.phase-end.')) {
      test['c.user-end'] = at
      test.childFaults = Number(faults)
    }
  }
  return tests
}

/** Medians per segment over the tests (the first test is left out: it waits for the zygote's boot). */
export function traceBreakdown(file) {
  const tests = parse(file).slice(1).filter((t) => t['p.fork.write'] !== undefined && t['c.user'] !== undefined && t['p.result'] !== undefined)
  const segments = SEGMENTS.map(([label, from, to]) => ({ label, ms: median(tests.map((t) => t[to] - t[from]).filter(Number.isFinite)) }))
  return {
    tests: tests.length,
    segments,
    childFaults: median(tests.map((t) => t.childFaults).filter(Number.isFinite)),
    parentFaults: median(tests.map((t) => t.parentFaultsEnd - t.parentFaultsStart).filter(Number.isFinite)),
  }
}

export function printTraceBreakdown(title, b, pageFaultMicros) {
  const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-')
  console.log(`\nwhere a forked test's time goes, ${title} (one traced run, medians over ${b.tests} tests, ms):`)
  for (const s of b.segments) console.log(`  ${s.label.padEnd(92)}${f1(s.ms).padStart(8)}`)
  const total = b.segments.reduce((sum, s) => sum + (Number.isFinite(s.ms) ? s.ms : 0), 0)
  console.log(`  ${'total per test'.padEnd(92)}${f1(total).padStart(8)}`)
  const cost = (n) => (Number.isFinite(pageFaultMicros) && Number.isFinite(n) ? ` = ${f1((n * pageFaultMicros) / 1000)} ms at ${f1(pageFaultMicros)} us each` : '')
  console.log(`  minor page faults per test: child ${f1(b.childFaults)}${cost(b.childFaults)}; worker ${f1(b.parentFaults)}${cost(b.parentFaults)}`)
}
