// Loads the native addon (prebuilds/linux-x64/*.node, made by scripts/build-native.mjs) with
// node-gyp-build from the package root, or says why it cannot: another OS or architecture, musl, no
// prebuild, or ISOLATED_TEST_NO_ADDON set. Callers fall back to what needs no addon.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** How a process the caller owns ended, from wait4(2). */
export interface ExitStatus {
  readonly pid: number
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null
  /** Signal number, or null. */
  readonly signal: number | null
  readonly maxRssKb: number
  readonly userMicros: number
  readonly systemMicros: number
}

/** What serve() returns in a forked child: the request it was forked for. */
export interface ForkRequest {
  readonly id: number
  /** This child's real pid (process.pid still shows the zygote's until fixed). */
  readonly pid: number
  readonly zygotePid: number
  /** The child's own channel to the worker (a connected unix socket), -1 without connect-back. */
  readonly channelFd: number
  /** The bytes the worker sent with the request. */
  readonly payload: Buffer
  /** CLOCK_MONOTONIC in the zygote just before fork(), comparable with process.hrtime.bigint(). */
  readonly forkStartNs: bigint
  /** The child's stack thread runs: it answers `stackSignal` with its JS stack on a connect-back connection of kind 3. */
  readonly stackArmed: boolean
  /** 16 bytes from getrandom(2), read in the child (all zero if it could not): its Math.random seed. Only from serve(). */
  readonly seed?: Buffer
}

export interface ServeOptions {
  /** The worker's connect-back socket (a leading "\0" = Linux abstract name); children connect to it three times. */
  readonly connectPath?: string
  /** Processes whose death ends the zygote and every child's tree (the worker, the runner's main process). At most 8. */
  readonly watchPids?: readonly number[]
  /** Children's oom_score_adj = the zygote's + this (default 100). */
  readonly oomScoreAdjDelta?: number
  /** Children's PR_SET_PDEATHSIG (default SIGKILL; `treeDeathSignal` = end the child's tree first). */
  readonly deathSignal?: number
  /** Children watch `watchPids` and the zygote with a thread of their own (the zygote then watches only its control socket). */
  readonly childWatchThread?: boolean
  /** More descriptors of the zygote's own to close in children. At most 24. */
  readonly closeFds?: readonly number[]
}

export interface ForkOptions {
  /** setpgid(0, 0) in the child (default true). */
  readonly newGroup?: boolean
  /** PR_SET_CHILD_SUBREAPER in the child (default true). */
  readonly subreaper?: boolean
  readonly deathSignal?: number
  readonly oomScoreAdjDelta?: number
}

/** The addon's functions. Errors thrown carry `code` (errno name), `errno` and `syscall`. */
export interface NativeAddon {
  readonly abiVersion: number
  /** A real-time signal: as a child's parent-death signal, its handler ends the child's tree, then the child. */
  readonly treeDeathSignal: number
  /** A real-time signal: asks a forked child whose stack thread runs for its JS stack (native/src/stack.h). */
  readonly stackSignal: number
  /** shutdown(fd, SHUT_WR): the reader gets EOF after what was written. False when fd is not a connected socket. */
  shutdownWrite(fd: number): boolean
  setChildSubreaper(on: boolean): void
  /** PR_SET_PDEATHSIG for the calling thread's process; 0 clears it. */
  setParentDeathSignal(signal: number): void
  setpgid(pid: number, pgid: number): void
  getpgid(pid: number): number
  /** A pidfd (close it with fs.closeSync), or why not: the process is gone, or the kernel predates 5.3. */
  pidfdOpen(pid: number): number | 'gone' | 'unsupported'
  pidfdSendSignal(pidfd: number, signal: number): 'sent' | 'gone' | 'unsupported'
  /** wait4(pid, WNOHANG) for one pid the caller owns: undefined while it runs. Throws ECHILD for others. */
  waitNoHang(pid: number): ExitStatus | undefined
  /** Freezes the tree under pid (and pid when includeRoot), lists it until stable, SIGKILLs it. Returns the pids signalled. */
  killTree(pid: number, includeRoot: boolean): number[]
  /** _exit(2): no 'exit' event, no Node teardown. */
  exitNow(code: number): never
  /** The mappings currently marked MADV_DONTFORK. */
  dontforkRanges(): { count: number; bytes: number }
  /** fork(2) with the DONTFORK undo and uv_loop_fork: the pid in the parent, 0 in the child. Needs --single-threaded. */
  fork(options?: ForkOptions): number
  /**
   * In a forked child: how many of Node's worker-thread task methods were redirected to a no-op (the
   * zygote's worker threads are not in the child: tasks for them would hang it). 2 on Node 20-26;
   * 0 = unknown Node internals; -2 = this process is not a forked child.
   */
  workerTaskSlots(): number
  /**
   * In a forked child: a function called on the main thread after each stack answer's frames are read
   * (inside the same interrupt); its string result travels with the answer (a "c" record). null clears it.
   */
  setStackHook?(hook: (() => string | undefined) | null): void
  /**
   * In a zygote: moves the 2 MB-aligned part of Node's code to transparent huge pages (native/src/hugetext.h).
   * `moved` in MiB (0: nothing moved), `error` the errno of the step that failed.
   */
  moveTextToHugePages(): { moved: number; error: number }
  /**
   * The same move in two steps: a thread of the addon copies the code to huge pages while the zygote
   * boots (0, or the errno that kept the thread from starting); finishTextMove() joins it and moves the
   * copy over the code (nothing when no copy was started). Finish before the threads are counted.
   */
  startTextMove(): number
  finishTextMove(): { moved: number; error: number }
  /** The zygote's loop (see native/README.md): blocks, returns only in a forked child. */
  serve(controlFd: number, options: ServeOptions): ForkRequest
}

export type AddonLoad = { readonly addon: NativeAddon; readonly reason?: undefined } | { readonly addon: undefined; readonly reason: string }

const ABI_VERSION = 1
let loaded: AddonLoad | undefined

/** The addon, loaded once per process, or undefined with the reason. */
export function loadAddon(): AddonLoad {
  loaded ??= tryLoad()
  return loaded
}

function tryLoad(): AddonLoad {
  if (process.env.ISOLATED_TEST_NO_ADDON) return { addon: undefined, reason: 'ISOLATED_TEST_NO_ADDON is set' }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { addon: undefined, reason: `the native addon is built for linux-x64 only (this is ${process.platform}-${process.arch})` }
  }
  if (isMusl()) return { addon: undefined, reason: 'the native addon is built for glibc; this system uses musl' }
  const root = packageRoot()
  if (!root) return { addon: undefined, reason: 'the isolated-test package root was not found above ' + here() }
  try {
    const require = createRequire(join(root, 'package.json'))
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown
    const addon = nodeGypBuild(root) as NativeAddon
    if (addon.abiVersion !== ABI_VERSION) {
      return { addon: undefined, reason: `the native addon in ${root}/prebuilds is version ${addon.abiVersion}, this code needs ${ABI_VERSION}` }
    }
    return { addon }
  } catch (error) {
    return { addon: undefined, reason: `the native addon could not be loaded from ${root}/prebuilds: ${(error as Error).message.split('\n')[0]}` }
  }
}

function here(): string {
  return dirname(fileURLToPath(import.meta.url))
}

// dist/ sits one level below the package root, but bundling may move chunks: look upwards.
function packageRoot(): string | undefined {
  for (let dir = here(); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'isolated-test') return dir
      } catch {
        // not ours; keep looking
      }
    }
    if (dirname(dir) === dir) return undefined
  }
}

// musl's dynamic loader is /lib/ld-musl-<arch>.so.1; glibc systems have none.
function isMusl(): boolean {
  try {
    return readdirSync('/lib').some((f) => f.startsWith('ld-musl-'))
  } catch {
    return false
  }
}
