// V8's heap cap for a child with a `memoryLimit`: `--max-old-space-size` a little above the limit (the
// limit + 25% + 64 MB), so that the sampler, which counts the whole tree, usually decides first, and a
// heap that grows faster than it samples still ends in V8's own out-of-memory crash (reported as
// IsolatedMemoryError, mechanism 'v8-heap') rather than the machine's. A cap the user set (execArgv,
// NODE_OPTIONS) wins. V8 reads the flag only when the heap is set up: setting it later
// (v8.setFlagsFromString) changes nothing, measured on Node 22 and 24, in a plain process and in a
// forked child (bench/heap-flag-after-start.mjs). So a fresh child gets its own cap, and a fork shares
// its zygote's, fixed when the zygote starts (the zygote's key holds it: a test with another limit has
// a zygote of its own).
import type { StartOptions } from '../child-process.js'

const FLAG = /--max[-_]old[-_]space[-_]size(?:=(\d+))?/

/** The cap for a limit, MB. */
export function heapCapFor(memoryLimit: number): number {
  return Math.ceil(memoryLimit * 1.25) + 64
}

/** `start` with the heap cap for `memoryLimit` first in its execArgv, unless it has one already. */
export function withHeapCap(start: StartOptions, memoryLimit: number | undefined): StartOptions {
  if (memoryLimit === undefined) return start
  if (start.execArgv.some((a) => FLAG.test(a)) || FLAG.test(start.env.NODE_OPTIONS ?? '')) return start
  return { ...start, execArgv: [`--max-old-space-size=${heapCapFor(memoryLimit)}`, ...start.execArgv] }
}

export interface HeapCap {
  /** MB; undefined: V8's default (from the machine's memory). */
  readonly capMb: number | undefined
  readonly by: 'memoryLimit' | 'user' | 'default'
}

/** The heap cap a process started with `start` has, and who set it. */
export function heapCapOf(start: StartOptions, memoryLimit: number | undefined): HeapCap {
  // Node applies NODE_OPTIONS first and the command line after it: the last value wins.
  const values = [...(start.env.NODE_OPTIONS ?? '').split(/\s+/), ...start.execArgv].map((a) => FLAG.exec(a)).filter((m) => m?.[1] !== undefined)
  const last = values.at(-1)
  if (!last) return { capMb: undefined, by: 'default' }
  const capMb = Number(last[1])
  const ours = memoryLimit !== undefined && values.length === 1 && start.execArgv[0] === `--max-old-space-size=${heapCapFor(memoryLimit)}`
  return { capMb, by: ours ? 'memoryLimit' : 'user' }
}
