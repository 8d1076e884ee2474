// CPU-bound bodies, timed where they run (a forked child, or a plain `node` for comparison).
// Each takes roughly 100-300 ms in a plain process on this machine.

// One long numeric loop in a function called once: only on-stack replacement can optimize it.
function osr(n) {
  let s = 0
  for (let i = 0; i < n; i++) s += Math.sqrt(i) * (i & 7) + ((i * 31) % 17)
  return s
}

// Small functions called millions of times: inlining and call overhead.
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2)
}

// Short-lived objects and arrays: young-generation collections.
function alloc(rounds) {
  let total = 0
  for (let r = 0; r < rounds; r++) {
    const items = []
    for (let i = 0; i < 20000; i++) items.push({ i, label: 'item' + i, tags: [i, i + 1] })
    total += items.filter((x) => x.i % 3 === 0).map((x) => x.tags.length).length
  }
  return total
}

// A wasm loop (sum of i*i below n, i32), called many times so that tier-up could happen.
// (func (export "sum") (param i32) (result i32) (local i32 i32) block loop ... end end local.get 2)
const WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00,
  0x07, 0x07, 0x01, 0x03, 0x73, 0x75, 0x6d, 0x00, 0x00, 0x0a, 0x28, 0x01, 0x26, 0x01, 0x02, 0x7f, 0x02, 0x40, 0x03, 0x40,
  0x20, 0x01, 0x20, 0x00, 0x4f, 0x0d, 0x01, 0x20, 0x02, 0x20, 0x01, 0x20, 0x01, 0x6c, 0x6a, 0x21, 0x02, 0x20, 0x01, 0x41,
  0x01, 0x6a, 0x21, 0x01, 0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x02, 0x0b,
])
function wasm(calls) {
  const { sum } = new WebAssembly.Instance(new WebAssembly.Module(WASM)).exports
  let s = 0
  for (let i = 0; i < calls; i++) s = (s + sum(200000)) | 0
  return s
}

// Start-up of a wasm-backed API: the first fetch() compiles undici's llhttp (wasm) in this process.
async function firstFetch() {
  await fetch('http://127.0.0.1:9/').catch(() => {})
  return 1
}

const KINDS = {
  osr: (size) => osr(size ?? 5e7),
  calls: (size) => fib(size ?? 35),
  alloc: (size) => alloc(size ?? 25),
  wasm: (size) => wasm(size ?? 1500),
  fetch: () => firstFetch(),
}

/** Runs one workload; resolves with its wall time and the CPU time it used (user + system, ms). */
export async function cpu(kind, size) {
  const work = KINDS[kind]
  if (!work) throw new Error(`unknown workload ${kind}`)
  const t = performance.now()
  const c = process.cpuUsage()
  const result = await work(size)
  const used = process.cpuUsage(c)
  const ms = performance.now() - t
  if (result === undefined) throw new Error('no result')
  return { ms, cpuMs: (used.user + used.system) / 1000 }
}

export const workloadKinds = Object.keys(KINDS)

// `node workloads.mjs <kind>`: the plain-process side of the comparison.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  process.stdout.write(JSON.stringify(await cpu(process.argv[2])) + '\n')
}
