// The zygote's side of the fork server. A zygote is a child started with the fork flags that boots the
// framework, imports and collects the test file once, and at the adapter's fork point checks it is
// quiescent, says it is ready and blocks in the native serve loop: it runs no JavaScript again. Each
// fork returns from that loop in a new child, which takes its own channel, request, env and cwd and
// goes on from the fork point as if it had done all that work itself.
import { trace } from '../trace.js'
import { warmStateReport } from './state-carry.js'
import { finishZygoteTuning } from '../native/zygote-tuning.js'
import { flushZygoteCompileCache } from '../native/compile-cache.js'
import { createHook } from 'node:async_hooks'
import { readdirSync, readFileSync } from 'node:fs'
import { open as openInspector, url as inspectorUrl } from 'node:inspector'
import { deserialize } from 'node:v8'
import { CGROUP_ENV, TAG, isOurs, type ParentMessage, type RunRequest } from '../ipc/protocol.js'
import { loadAddon } from '../native/addon.js'
import { readZygoteConfig, type ZygoteConfig } from '../native/zygote-config.js'
import { serveForks } from '../native/zygote-serve.js'
import { reseedMathRandom } from '../native/random.js'
import { monotonicMs } from '../clock.js'
import { markResourceBaseline } from './resources.js'
import { trackAsyncOrigins } from './async-origins.js'
import type { ChildState } from './state.js'
import { coverageNow, coverageOn, resetCoverage } from './coverage.js'
import { joinCgroup } from './cgroup-join.js'

export type ApplyRequest = (request: RunRequest) => void

interface ZygoteSetup {
  readonly applyRequest: ApplyRequest
  /** fds of ours a child must not keep (the zygote's own channel). */
  readonly closeFds: readonly number[]
}

interface Zygote {
  readonly setup: ZygoteSetup
  readonly startResources: Map<string, number>
  readonly startThreads: Set<string>
  /** Where each live resource the user's code created was made (async_hooks, non-promise types). */
  readonly origins: Map<number, { type: string; where: string }>
  readonly originsHook: ReturnType<typeof createHook>
  /** Read at start: the run request replaces the environment it came in. */
  readonly config: ZygoteConfig
}

// On globalThis: the framework may load this module again as an instance of its own (Vitest's module
// runner loads our child runner, which calls forkPoint), and all must see the zygote the entry started.
const KEY = Symbol.for('isolated-test.zygote')
const zygote = (): Zygote | undefined => (globalThis as Record<symbol, Zygote | undefined>)[KEY]

function counts(list: readonly string[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const r of list) out.set(r, (out.get(r) ?? 0) + 1)
  return out
}

function threads(): Map<string, string> {
  const out = new Map<string, string>()
  try {
    for (const tid of readdirSync('/proc/self/task')) out.set(tid, readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim())
  } catch {
    // no /proc: nothing to compare
  }
  return out
}

const OURS = /node:|\/node_modules\/|\/isolated-test\/dist\//

/** Called once when this process starts as a zygote, before the framework boots. */
export function startZygote(setup: ZygoteSetup): void {
  const origins = new Map<number, { type: string; where: string }>()
  const originsHook = createHook({
    init(asyncId, type) {
      if (type === 'PROMISE') return
      const frame = (new Error().stack ?? '').split('\n').slice(1).find((line) => /\/[^()]+:\d+:\d+/.test(line) && !OURS.test(line))
      if (frame) origins.set(asyncId, { type, where: frame.trim().replace(/^at /, '') })
    },
    destroy(asyncId) {
      origins.delete(asyncId)
    },
  }).enable()
  ;(globalThis as Record<symbol, Zygote>)[KEY] = { setup, startResources: counts(process.getActiveResourcesInfo()), startThreads: new Set(threads().keys()), origins, originsHook, config: readZygoteConfig() }
}

export function isZygote(): boolean {
  return zygote() !== undefined
}

/**
 * What would make forking unsafe: resources the file's import left open (a socket, a server, a child
 * process, a Worker: every child would share them) and threads beyond Node's own. Empty when quiescent.
 */
function notQuiescent({ startResources, startThreads, origins }: Zygote): string[] {
  const problems: string[] = []
  const now = counts(process.getActiveResourcesInfo())
  for (const [name, n] of now) {
    const extra = n - (startResources.get(name) ?? 0)
    if (extra <= 0) continue
    const where = [...origins.values()].filter((o) => o.type === name || name.startsWith(o.type)).map((o) => o.where)
    problems.push(`${extra} × ${name}${where.length > 0 ? ` (created at ${[...new Set(where)].slice(0, 3).join('; ')})` : ''}`)
  }
  for (const [tid, comm] of threads()) {
    // libuv's threadpool is Node's own (re-created in each child after fork).
    if (!startThreads.has(tid) && comm !== 'libuv-worker') problems.push(`a thread "${comm}" (tid ${tid})`)
  }
  return problems
}

/**
 * The adapter's fork point: in the zygote it never returns (it serves forks, or, when it is not
 * quiescent, says why and waits to be ended); in each forked child it returns with `state` now
 * describing the child's own request.
 */
/** A realm of the child's own (Jest's sandbox, a jsdom window) draws its own random numbers after a fork. */
export function reseedRealm(realm: object): void {
  reseedMathRandom(realm as Parameters<typeof reseedMathRandom>[0])
}

/**
 * The zygote's last collection before it serves forks. The framework's import grows V8's young
 * generation to its largest; without a memory-reducing GC every child then allocates across those
 * semi-spaces, each first write a copy-on-write fault (300,000 awaits ran 3.7x the in-process time,
 * bench group B). 'last-resort' shrinks them (native/README.md, "Full GC in the zygote").
 * ISOLATED_TEST_ZYGOTE_GC=off skips it, to measure the difference.
 */
function zygoteGc(): false | 'last-resort' {
  return process.env.ISOLATED_TEST_ZYGOTE_GC === 'off' ? false : 'last-resort'
}

export async function forkPoint(state: ChildState): Promise<void> {
  const z = zygote()
  if (!z) throw new Error('isolated-test: forkPoint() outside a zygote')
  const { setup } = z
  const addon = loadAddon().addon
  // Let what the import started settle (a resolved promise's callbacks, an I/O completion).
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve))
  z.originsHook.disable()
  finishZygoteTuning()
  const problems = addon ? notQuiescent(z) : ['the native addon is not available']
  if (problems.length > 0) {
    state.send({ [TAG]: true, kind: 'zygote-refused', reasons: problems })
    await new Promise(() => {})
  }
  warmStateReport()
  flushZygoteCompileCache()
  trace('z.ready')
  // The file's import is counted once, by the parent's own run: each fork counts only its own test.
  resetCoverage()
  state.send({ [TAG]: true, kind: 'zygote-ready', at: monotonicMs() })
  // The zygote's channel goes: its children get their own, and the zygote runs no JS from here on.
  state.link.detach()
  // A child whose zygote dies ends its own tree first (its grandchildren would otherwise be re-parented
  // out of reach), then itself: the addon's tree death signal, not a bare SIGKILL.
  const { request: forked, channel } = serveForks(addon!, z.config, { closeFds: [...setup.closeFds], deathSignal: addon!.treeDeathSignal, compactHeap: zygoteGc() })
  // ---- from here on: a forked child ----
  trace('c.forked')
  state.link.attach(channel, forked.channelFd)
  const request = deserialize(forked.payload) as RunRequest
  joinCgroup(request.env[CGROUP_ENV])
  setup.applyRequest(request)
  if (request.asyncOrigins) trackAsyncOrigins()
  state.request = request
  state.received = performance.now()
  state.endOutput = () => {
    // A write after the answer (Vitest 5 flushes stdio as the file ends) has no reader left: its EPIPE
    // is no error of the test's, and unhandled it would reach the parent as one.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})
    addon!.shutdownWrite(1)
    addon!.shutdownWrite(2)
  }
  // What the zygote held was checked to be ours or the framework's: the user's resources start now.
  markResourceBaseline()
  // With coverage on, a stack answer (asked on a timeout, before the kill) carries what this child ran.
  // Without coverage no hook: the stack answer then goes straight from Node's interrupt.
  if (forked.stackArmed && coverageOn()) addon!.setStackHook?.(coverageNow)
  // Without a watchdog thread (too dear per child), the parent asks where we are stuck: our stack thread
  // answers for busy JS (native/src/stack.c); when we are idle, our JS opens the inspector on request.
  state.link.onMessage((m) => {
    if (!isOurs(m) || (m as ParentMessage).kind !== 'open-inspector') return
    let url: string | undefined
    try {
      openInspector(0, '127.0.0.1', false)
      url = inspectorUrl()
    } catch {
      // a port cannot be opened: the parent reads /proc instead
    }
    state.send({ [TAG]: true, kind: 'inspector', url })
  })
  // Its size before any test code ran: the report counts what the test added to it.
  const rssKb = Math.round(process.memoryUsage.rss() / 1024)
  state.send({ [TAG]: true, kind: 'forked', stack: forked.stackArmed, forkStartNs: String(forked.forkStartNs), channelFd: forked.channelFd, rssKb })
}
