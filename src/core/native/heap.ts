// A zygote's last step before it is ready: a full, compacting collection, so that a child's first
// allocations land in an empty young generation instead of triggering a collection that writes (and
// so un-shares) pages all over the inherited heap.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

type Gc = (options?: { type?: string; execution?: string; flavor?: string }) => void

/**
 * 'major': one full mark-compact (V8 compacts the pages it finds fragmented). 'last-resort': V8's
 * CollectAllAvailableGarbage, repeated full GCs that reduce memory (older V8 treats it as 'major').
 */
export function compactHeap(flavor: 'major' | 'last-resort' = 'major'): void {
  exposedGc()({ type: 'major', execution: 'sync', flavor: flavor === 'last-resort' ? 'last-resort' : 'regular' })
}

function exposedGc(): Gc {
  const own = (globalThis as { gc?: unknown }).gc
  if (typeof own === 'function') return own as Gc
  // Without --expose-gc: turn the flag on, and take gc from a new context, which gets it.
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as Gc
}
