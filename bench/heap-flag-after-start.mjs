// Repro (issue 13): does `v8.setFlagsFromString('--max-old-space-size=N')` after start cap the heap?
// It would let a fork of a zygote get a heap cap of its own. Run: node bench/heap-flag-after-start.mjs [N]
// (any Node; fixtures/nodes has 22, 24, 26). It prints heap_size_limit before and after setting the
// flag, then fills the heap 1 MB at a time: a cap in force ends it with V8's out-of-memory crash near N.
//
// Measured 2026-12-01 (this VM): no effect. Node 22.23.5: limit 4144 MB before and after setting 128,
// 1200 MB filled without a crash; Node 24.22.3: 4288 MB before and after, 1200 MB filled. The same in a
// forked child of the fork server (an isolated() test doing the same on Vitest 4.1, Node 22 and 24,
// processModel 'fork-server' and 'fresh'): 4144 / 4288 MB before and after, 610 MB of heap held.
// V8 sizes its heap from the flag once, when the isolate is created.
import v8 from 'node:v8'

const mb = (bytes) => Math.round(bytes / 2 ** 20)
const want = Number(process.argv[2] ?? 128)
const before = mb(v8.getHeapStatistics().heap_size_limit)
v8.setFlagsFromString(`--max-old-space-size=${want}`)
const after = mb(v8.getHeapStatistics().heap_size_limit)
console.log(JSON.stringify({ node: process.version, set: want, limitBefore: before, limitAfter: after }))
const kept = []
for (let i = 1; i <= 1200; i++) {
  kept.push(new Array(1 << 17).fill(i))
  if (i % 200 === 0) console.log(`filled ${i} MB, heap used ${mb(v8.getHeapStatistics().used_heap_size)} MB, limit ${mb(v8.getHeapStatistics().heap_size_limit)} MB`)
}
console.log(`filled 1200 MB without a crash: the flag set after start did not cap the heap (asked ${want} MB)`)
