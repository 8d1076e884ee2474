// `node bench/fork/measure.mjs [--majors 22,24,26] [--runs 5] [--children 200] [--samples 30] [--sections a,b]`
// (after `npm run build`): the fork server's figures, framework-free, per Node major. Prints tables
// and writes bench/.work/fork-results.json. Medians; the machine is shared and noisy.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { zygoteFlags } from '../../dist/native.js'
import { FLAG_SETS, forkScenario, median, nodeFor, startZygote } from './harness.mjs'
import { workloadKinds } from './workloads.mjs'

const repo = fileURLToPath(new URL('../..', import.meta.url))
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? fallback : process.argv[i + 1]
}
const MAJORS = arg('majors', '22,24,26').split(',').map(Number)
const RUNS = Number(arg('runs', 5))
const CHILDREN = Number(arg('children', 200))
// Trivial and bare children per latency median (bench/run.mjs lowers it for its quick pass).
const SAMPLES = Number(arg('samples', 30))
const SECTIONS = arg('sections', 'faults,latency,memory,gc,warm,watch,flags,node20').split(',')
const results = {}

const ms = (ns) => Number(ns) / 1e6
const round = (x, d = 1) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d))
function table(title, header, rows) {
  console.log(`\n### ${title}\n`)
  console.log(`| ${header.join(' | ')} |`)
  console.log(`|${header.map(() => ' --- ').join('|')}|`)
  for (const r of rows) console.log(`| ${r.join(' | ')} |`)
}
function procKb(pid, file, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'))
  return m ? Number(m[1]) : NaN
}

// One trivial child: request -> first JS in the child -> its message at the worker -> reaped.
async function trivial(zygote) {
  const t0 = process.hrtime.bigint()
  const c = await forkScenario(zygote, 'trivial')
  const m = await c.next()
  const t1 = process.hrtime.bigint()
  const exit = await c.child.exited
  const t2 = process.hrtime.bigint()
  return {
    forkToJs: ms(BigInt(m.firstJsNs) - c.child.forkStartNs),
    forkToResult: ms(t1 - c.child.forkStartNs),
    requestToReaped: ms(t2 - t0),
    forkCall: c.child.forkCallMicros / 1000,
    cpu: (exit.userMicros + exit.systemMicros) / 1000,
    user: exit.userMicros / 1000,
    sys: exit.systemMicros / 1000,
  }
}

async function bare(zygote) {
  const t0 = process.hrtime.bigint()
  const exited = await new Promise((resolve, reject) => {
    // 'bare' children exit before connecting back: the fork promise rejects, the exit still comes.
    zygote.fork('bare').then((c) => c.exited.then(resolve), () => resolve('early'))
  })
  return ms(process.hrtime.bigint() - t0) + (exited === 'early' ? 0 : 0)
}

async function latency(major) {
  const zygote = await startZygote({ node: nodeFor(major), flags: zygoteFlags(major), graph: 'vitest' })
  try {
    const rss = procKb(zygote.pid, 'status', 'VmRSS')
    const samples = []
    for (let i = 0; i < SAMPLES; i++) samples.push(await trivial(zygote))
    const floor = []
    for (let i = 0; i < SAMPLES; i++) floor.push(await bare(zygote))
    // The marginal cost: CHILDREN sequential trivial children, slope between the 50th and the last.
    const marks = []
    const each = []
    const start = performance.now()
    for (let i = 1; i <= CHILDREN; i++) {
      const t = performance.now()
      await trivial(zygote)
      each.push(performance.now() - t)
      if (i === 50 || i === CHILDREN) marks.push(performance.now() - start)
    }
    const slope = (marks[1] - marks[0]) / (CHILDREN - 50)
    // Drift: does a zygote get slower as it serves more children?
    const drift = { first50: median(each.slice(0, 50)), last50: median(each.slice(-50)) }
    const pick = (k) => median(samples.map((s) => s[k]))
    return { zygoteRssMb: rss / 1024, dontforkRanges: zygote.ready.dontforkRanges, forkCall: pick('forkCall'), forkToJs: pick('forkToJs'), forkToResult: pick('forkToResult'), requestToReaped: pick('requestToReaped'), childCpu: pick('cpu'), childUser: pick('user'), childSys: pick('sys'), floor: median(floor), slope, drift }
  } finally {
    await zygote.shutdown()
  }
}

// A fresh `node` importing the same graph, for scale.
function freshImport(major) {
  const times = []
  for (let i = 0; i < Math.max(3, RUNS); i++) {
    const t = performance.now()
    const r = spawnSync(nodeFor(major), ['--input-type=module', '-e', "await import('vitest/node'); await import('@vitest/runner'); await import('@vitest/expect'); await import('vitest')"], { cwd: repo })
    if (r.status !== 0) throw new Error(String(r.stderr))
    times.push(performance.now() - t)
  }
  return median(times)
}

async function memoryOf(zygote, n = 7, objects = 1000) {
  const rows = []
  for (let i = 0; i < n; i++) {
    const c = await forkScenario(zygote, 'memory', { objects })
    const m = await c.next()
    const t = await trivialQuick(zygote)
    await c.child.exited
    rows.push({ privateKb: m.uss.privateKb, pssKb: m.uss.pssKb, faults: m.minorFaults, forkToJs: t, bodyCpuMs: m.bodyCpuMs })
  }
  const med = (k) => median(rows.map((r) => r[k]))
  return { privateMb: med('privateKb') / 1024, pssMb: med('pssKb') / 1024, faults: med('faults'), forkToJs: med('forkToJs'), bodyCpuMs: med('bodyCpuMs') }
}
async function trivialQuick(zygote) {
  return (await trivial(zygote)).forkToJs
}

async function memory(major, zygoteArgs = [], objects = 1000) {
  const zygote = await startZygote({ node: nodeFor(major), flags: zygoteFlags(major), graph: 'vitest', zygoteArgs })
  try {
    const zygotePss = procKb(zygote.pid, 'smaps_rollup', 'Pss') / 1024
    return { ...(await memoryOf(zygote, 7, objects)), zygotePssMb: zygotePss, zygoteRssMb: procKb(zygote.pid, 'status', 'VmRSS') / 1024 }
  } finally {
    await zygote.shutdown()
  }
}

function cpuPlain(major, kind) {
  const r = spawnSync(nodeFor(major), [join(repo, 'bench', 'fork', 'workloads.mjs'), kind], { encoding: 'utf8' })
  return JSON.parse(r.stdout)
}

// What works in a forked child on a major: each scenario with a deadline.
async function capabilities(major) {
  const out = {}
  const zygote = await startZygote({ node: nodeFor(major), flags: zygoteFlags(major) })
  try {
    for (const scenario of ['full', 'worker', 'gc-then-exit']) {
      const c = await forkScenario(zygote, scenario)
      const verdict = await Promise.race([
        (async () => {
          const m = await c.next()
          if (scenario === 'full') c.send({ exit: 0 })
          const e = await c.child.exited
          return e.code === 0 ? `ok${m.worker ? ' (worker answered)' : ''}` : `exit ${e.code ?? 'signal ' + e.signal}`
        })(),
        new Promise((r) => setTimeout(() => r('hung (killed after 10 s)'), 10_000)),
      ])
      if (verdict.startsWith('hung')) process.kill(c.child.pid, 'SIGKILL')
      out[scenario] = verdict
    }
  } finally {
    await zygote.shutdown()
  }
  return out
}

if (SECTIONS.includes('faults')) {
  // What one page fault costs on this machine: first touch of 64 MB, in this process.
  const b = Buffer.allocUnsafeSlow(64 << 20)
  const t = performance.now()
  b.fill(1)
  const us = ((performance.now() - t) * 1000) / ((64 << 20) / 4096)
  results.pageFaultMicros = us
  console.log(`\nFirst-touch page fault on this machine: ${round(us, 2)} us per 4 KiB page (load average ${(await import('node:os')).loadavg()[0].toFixed(1)}).`)
}

if (SECTIONS.includes('latency')) {
  const rows = []
  for (const major of MAJORS) {
    const l = await latency(major)
    const fresh = freshImport(major)
    results[`latency-${major}`] = { ...l, freshImport: fresh }
    rows.push([major, round(l.zygoteRssMb, 0), round(l.forkCall, 2), round(l.forkToJs), round(l.forkToResult), round(l.requestToReaped), round(l.floor), round(l.slope), `${round(l.drift.first50)} / ${round(l.drift.last50)}`, `${round(l.childUser)} / ${round(l.childSys)}`, round(fresh, 0)])
  }
  table(`Latency, zygote with a Vitest-sized graph and the chosen flags (medians of 30; slope over ${CHILDREN} children; ms)`, ['Node', 'zygote RSS MB', 'fork() call', 'fork -> first JS', 'fork -> result at worker', 'request -> reaped', 'bare floor', 'marginal per child', 'per child, first / last 50', 'child CPU user / sys', 'fresh node + same imports'], rows)
}

if (SECTIONS.includes('memory')) {
  const rows = []
  for (const major of MAJORS) {
    const m = await memory(major)
    results[`memory-${major}`] = m
    rows.push([major, round(m.zygoteRssMb, 0), round(m.zygotePssMb, 0), round(m.privateMb, 2), round(m.pssMb, 1), m.faults])
  }
  table('Memory of a trivial child (1000 small objects, a timer), after the compacting GC (medians of 7)', ['Node', 'zygote RSS MB', 'zygote PSS MB', 'child USS MB', 'child PSS MB', 'child minor faults'], rows)
}

if (SECTIONS.includes('gc')) {
  const rows = []
  for (const major of MAJORS) {
    for (const objects of [1000, 150_000]) {
      const g = {}
      for (const flavor of ['none', 'major', 'last-resort']) g[flavor] = await memory(major, [`--gc=${flavor}`], objects)
      results[`gc-${major}-${objects}`] = g
      const cell = (f, d) => Object.values(g).map((m) => round(f(m), d)).join(' / ')
      rows.push([major, objects, cell((m) => m.privateMb, 2), cell((m) => m.faults, 0), cell((m) => m.bodyCpuMs, 1), cell((m) => m.zygoteRssMb, 0)])
    }
  }
  table('Full GC in the zygote before ready: none / major / last-resort (medians of 7)', ['Node', 'objects the child allocates', 'child USS MB', 'child minor faults', 'body CPU ms', 'zygote RSS MB'], rows)
}

if (SECTIONS.includes('warm')) {
  const rows = []
  for (const major of MAJORS) {
    const warm = await memory(major)
    const cold = await memory(major, ['--no-warm'])
    results[`warm-${major}`] = { warm, cold }
    rows.push([major, `${round(cold.privateMb, 2)} / ${round(warm.privateMb, 2)}`, `${cold.faults} / ${warm.faults}`, `${round(cold.forkToJs)} / ${round(warm.forkToJs)}`])
  }
  table('Fix-up code compiled in the zygote: no / yes (trivial child, medians of 7)', ['Node', 'child USS MB', 'child minor faults', 'fork -> first JS ms'], rows)
}

if (SECTIONS.includes('watch')) {
  const rows = []
  for (const major of MAJORS) {
    const zygoteWatch = await memory(major)
    const thread = await memory(major, ['--child-thread'])
    results[`watch-${major}`] = { zygoteWatch, thread }
    rows.push([major, `${round(zygoteWatch.privateMb, 2)} / ${round(thread.privateMb, 2)}`, `${round(zygoteWatch.forkToJs)} / ${round(thread.forkToJs)}`])
  }
  table('Kill-on-death: the zygote watches (chosen) / a watcher thread per child', ['Node', 'child USS MB', 'fork -> first JS ms'], rows)
}

if (SECTIONS.includes('flags')) {
  // One zygote per flag set, all alive; rounds interleave plain runs and every set, so that the
  // machine's load swings hit all columns alike. CPU time (user + system) of the body, not wall time.
  const rows = []
  for (const major of MAJORS) {
    const zygotes = {}
    for (const [name, flags] of Object.entries(FLAG_SETS)) zygotes[name] = await startZygote({ node: nodeFor(major), flags })
    try {
      const samples = {}
      for (let round = 0; round < RUNS; round++) {
        for (const kind of workloadKinds) {
          ;(samples[`${kind}/plain`] ??= []).push(cpuPlain(major, kind).cpuMs)
          for (const name of Object.keys(FLAG_SETS)) {
            const c = await forkScenario(zygotes[name], 'cpu', { kind })
            ;(samples[`${kind}/${name}`] ??= []).push((await c.next()).cpuMs)
            await c.child.exited
          }
        }
      }
      for (const kind of workloadKinds) {
        const plain = median(samples[`${kind}/plain`])
        const row = [major, kind, round(plain, 0)]
        for (const name of Object.keys(FLAG_SETS)) {
          const forked = median(samples[`${kind}/${name}`])
          results[`flags-${major}-${kind}-${name}`] = { plain, forked, ratio: forked / plain }
          row.push(`${round(forked, 0)} (${round(forked / plain, 2)}x)`)
        }
        rows.push(row)
      }
    } finally {
      for (const z of Object.values(zygotes)) await z.shutdown()
    }
    console.error(`flags: Node ${major} done`)
  }
  table(`CPU-bound bodies: CPU ms in a forked child vs a plain node (medians of ${RUNS} interleaved rounds; ratio)`, ['Node', 'workload', 'plain node', ...Object.keys(FLAG_SETS)], rows)
}

if (SECTIONS.includes('cpu')) {
  // The 'flags' section with only the chosen flags (zygoteFlags), the quick pass bench/run.mjs makes.
  const rows = []
  for (const major of MAJORS) {
    const zygote = await startZygote({ node: nodeFor(major), flags: zygoteFlags(major) })
    try {
      const samples = {}
      for (let round = 0; round < RUNS; round++) {
        for (const kind of workloadKinds) {
          ;(samples[`${kind}/plain`] ??= []).push(cpuPlain(major, kind).cpuMs)
          const c = await forkScenario(zygote, 'cpu', { kind })
          ;(samples[`${kind}/forked`] ??= []).push((await c.next()).cpuMs)
          await c.child.exited
        }
      }
      for (const kind of workloadKinds) {
        const plain = median(samples[`${kind}/plain`])
        const forked = median(samples[`${kind}/forked`])
        results[`cpu-${major}-${kind}`] = { flags: zygoteFlags(major), plain, forked, ratio: forked / plain }
        rows.push([major, kind, round(plain, 0), round(forked, 0), `${round(forked / plain, 2)}x`])
      }
    } finally {
      await zygote.shutdown()
    }
  }
  table(`CPU-bound bodies with the chosen flags: CPU ms, forked child vs plain node (medians of ${RUNS} interleaved rounds)`, ['Node', 'workload', 'plain node', 'forked', 'ratio'], rows)
}

if (SECTIONS.includes('node20')) {
  const rows = []
  for (const major of [20, ...MAJORS]) {
    const c = await capabilities(major)
    results[`capabilities-${major}`] = c
    rows.push([major, c.full, c.worker, c['gc-then-exit']])
  }
  table('What works in a forked child (harness zygote, the chosen flags)', ['Node', 'full scenario', 'new Worker', 'major GCs, then a natural end'], rows)
}

mkdirSync(join(repo, 'bench', '.work'), { recursive: true })
writeFileSync(join(repo, 'bench', '.work', 'fork-results.json'), JSON.stringify(results, null, 2))
