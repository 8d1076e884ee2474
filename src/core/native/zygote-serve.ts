// The zygote's side, after it has loaded what its children share: make the heap and the UUID cache
// fork-ready, then block in the addon's serve loop. Returns only in a forked child, with the child
// already fixed up (pid, exit path, Math.random) and its own channel to the worker open.
import { Socket } from 'node:net'
import type { ForkRequest, NativeAddon, ServeOptions } from './addon.js'
import { routeExitThroughExitNow } from './child-exit.js'
import { fixProcessPid } from './child-identity.js'
import { compactHeap } from './heap.js'
import { installRandom, randomFactory, type Factory } from './random.js'
import { resetUuidCache, type UuidCacheReset } from './uuid-cache.js'
import type { ZygoteConfig } from './zygote-config.js'
import { tuneForkedChild } from './zygote-tuning.js'

export interface ServeForksOptions extends Omit<ServeOptions, 'connectPath' | 'watchPids'> {
  /** A full GC before serving: 'major', 'last-resort' (memory-reducing, what test zygotes use), or false (the default here; see native/README.md). */
  readonly compactHeap?: false | 'major' | 'last-resort'
  /** Compile the fix-ups' code in the zygote, so children do not (default true). */
  readonly warm?: boolean
  /** Make crypto.randomUUID's batch start fresh in every child (default true; false only to show why). */
  readonly resetUuidCache?: boolean
  /** Called in the zygote once it is about to serve (after the GC and the UUID reset). */
  readonly onPrepared?: (prepared: { readonly uuidCache: UuidCacheReset }) => void
}

export interface ForkedChild {
  readonly request: ForkRequest
  /** The channel to the worker, paused until read from. */
  readonly channel: Socket
}

export function serveForks(addon: NativeAddon, config: ZygoteConfig, options: ServeForksOptions = {}): ForkedChild {
  const uuidCache: UuidCacheReset = options.resetUuidCache === false ? { state: 'unknown', reason: 'not reset (resetUuidCache: false)' } : resetUuidCache()
  if (options.compactHeap) compactHeap(options.compactHeap)
  // This realm's generator is compiled here once; each child only seeds it.
  const random = randomFactory(globalThis)
  if (options.warm !== false) warmChildPath(random)
  options.onPrepared?.({ uuidCache })
  const request = addon.serve(config.controlFd, {
    connectPath: config.connectPath,
    watchPids: config.watchPids,
    ...(options.oomScoreAdjDelta !== undefined && { oomScoreAdjDelta: options.oomScoreAdjDelta }),
    ...(options.deathSignal !== undefined && { deathSignal: options.deathSignal }),
    ...(options.childWatchThread !== undefined && { childWatchThread: options.childWatchThread }),
    ...(options.closeFds !== undefined && { closeFds: options.closeFds }),
  })
  // From here on we are a forked child.
  fixForkedChild(addon, request.pid, { random, seed: request.seed })
  const channel = new Socket({ fd: request.channelFd, readable: true, writable: true })
  return { request, channel }
}

// V8 compiles a function at its first call: what a child runs first would be compiled, and its
// bytecode allocated, again in every child. Run those paths once here on throwaway objects.
function warmChildPath(random: Factory): void {
  installRandom({ Math: Object.create(Math) as Math, Function }, random, new Uint8Array(16).fill(1))
  new Socket().destroy()
}

/**
 * What every forked child needs before user code runs (also after addon.fork()). `random`: this realm's
 * generator factory, compiled before the fork, with the seed the addon read; without it, compiled here.
 */
export function fixForkedChild(addon: NativeAddon, pid: number, random?: { readonly random: Factory; readonly seed: Uint8Array | undefined }): void {
  fixProcessPid(pid)
  routeExitThroughExitNow(addon)
  installRandom(globalThis, random?.random ?? randomFactory(globalThis), random?.seed)
  tuneForkedChild()
}
