// The child process's main module. It starts the watchdog, says it is ready, may prepare the framework
// while it waits (a spare child: no test code runs), then takes one run request, takes on the requested
// env and cwd, and hands over to the framework's own machinery. Started as a zygote (the fork server),
// it has no watchdog thread (a thread must not exist at fork), and its run request is to collect the
// file; each of its forks runs its own request from the adapter's fork point (zygote.ts).
import { trace } from '../trace.js'
import { Worker } from 'node:worker_threads'
import { readFileSync, writeFileSync } from 'node:fs'
import { ZYGOTE_CONFIG_ENV } from '../native/zygote-config.js'
import { startZygote } from './zygote.js'
import { adoptZygoteTuning } from '../native/zygote-tuning.js'
import { enableZygoteCompileCache } from '../native/compile-cache.js'
import { CHANNEL_IN_FD, CHANNEL_OUT_FD, CHILD_STATE, TAG, TREE_ENV, WATCHDOG_FD, isOurs, type ChildMessage, type ParentMessage, type PrepareRequest, type RunRequest } from '../ipc/protocol.js'
import { serializeThrown } from '../ipc/serialize.js'
import { getChildState, type ChildState } from './state.js'
import type { ChildAdapter } from '../adapter.js'
import { createLink } from './link.js'
import { loadAddon } from '../native/addon.js'
import { installResourceView, markResourceBaseline } from './resources.js'
import { holdStartupWarnings } from './warnings.js'
import { takeCoverage } from './coverage.js'

holdStartupWarnings()

const asZygote = process.env[ZYGOTE_CONFIG_ENV] !== undefined
// Orphans of the test's processes (double-forked daemons) are re-parented to us, not to init, so the
// parent finds the whole tree below us (core/parent/containment). A zygote's forks get it in C.
if (!asZygote) loadAddon().addon?.setChildSubreaper(true)
// Without a memoryLimit, the kernel's OOM killer is the last bound: it should pick the test, not the
// worker or a zygote. Raising our own score needs no privilege; forks of a zygote get it in C.
if (!asZygote) raiseOomScore(100)
// A zygote dies with the worker that started it, even while it boots.
else loadAddon().addon?.setParentDeathSignal(9)

// Keep our own handles: frameworks replace process.exit.
const processExit = process.exit.bind(process)
const link = createLink()
link.attach(CHANNEL_IN_FD, CHANNEL_OUT_FD)

// Output must be complete even when we are killed mid-test: no buffering in this process.
for (const stream of [process.stdout, process.stderr] as unknown as { _handle?: { setBlocking?: (b: boolean) => void } }[]) {
  stream._handle?.setBlocking?.(true)
}

if (asZygote) {
  trace('z.entry')
  enableZygoteCompileCache()
  adoptZygoteTuning(loadAddon().addon)
  startZygote({ applyRequest, closeFds: [CHANNEL_IN_FD, CHANNEL_OUT_FD, WATCHDOG_FD] })
} else {
  const watchdog = new Worker(new URL('./watchdog-thread.js', import.meta.url), {
    workerData: { fd: WATCHDOG_FD, parentPid: process.ppid, watch: JSON.parse(process.env.ISOLATED_TEST_WATCH ?? '[]') as unknown },
    stdout: false,
    stderr: false,
  })
  watchdog.unref()
}

function raiseOomScore(by: number): void {
  try {
    const now = Number(readFileSync('/proc/self/oom_score_adj', 'utf8'))
    if (now < 1000) writeFileSync('/proc/self/oom_score_adj', String(Math.min(1000, now + by)))
  } catch {
    // not Linux, or not allowed: the default score
  }
}

function send(message: ChildMessage): void {
  // A forked child's answer ends its output (the parent then has all of it without waiting for its death).
  if (message.kind === 'result' || message.kind === 'fatal') getChildState()?.endOutput?.()
  link.send(message)
}

/**
 * The result message carries the state report and the import time, wherever it is sent from, and
 * follows what the child's code ran (coverage on): a child killed later has sent it already.
 */
function withStateReport(send: (m: ChildMessage) => void, state: () => ChildState): (m: ChildMessage) => void {
  return (m) => {
    if (m.kind !== 'result') return send(m)
    const coverage = takeCoverage()
    if (coverage !== undefined) send({ [TAG]: true, kind: 'coverage', data: coverage })
    const s = state()
    send({ ...m, report: m.report ?? s.report, importMs: s.bodyStarted === undefined ? undefined : s.bodyStarted - s.received })
  }
}

// The containment token stays whatever env the request brings (a fork's request brings its own): the
// test's processes must inherit it.
const treeToken = process.env[TREE_ENV]

function applyRequest(request: RunRequest): void {
  for (const key of Object.keys(process.env)) if (!(key in request.env)) delete process.env[key]
  if (treeToken !== undefined && request.env[TREE_ENV] === undefined) process.env[TREE_ENV] = treeToken
  for (const [key, value] of Object.entries(request.env)) process.env[key] = value
  process.env.ISOLATED_TEST_CHILD = '1'
  if (process.cwd() !== request.cwd) process.chdir(request.cwd)
}

const adapters = new Map<string, Promise<ChildAdapter>>()

/** The adapter's child half named by the request (a module URL), imported once. */
function adapter(url: string): Promise<ChildAdapter> {
  let loaded = adapters.get(url)
  if (!loaded) {
    loaded = import(url).then((m: Partial<ChildAdapter> & { default?: ChildAdapter }) => (typeof m.run === 'function' ? (m as ChildAdapter) : m.default!))
    adapters.set(url, loaded)
  }
  return loaded
}

/** Framework boot done ahead of the request, when this child was started as a spare. Memoized by
 * the adapter, so the run awaits the same work (and sees its error, if any). */
async function prepare(p: PrepareRequest): Promise<void> {
  await (await adapter(p.adapter)).prepare(p.payload, link)
}

async function run(request: RunRequest): Promise<void> {
  const received = performance.now()
  applyRequest(request)
  // Until the adapter says the framework is ready, everything open now is ours or the framework's.
  markResourceBaseline()
  installResourceView()
  if (request.asyncOrigins) (await import('./async-origins.js')).trackAsyncOrigins()
  const state: ChildState = { request, link, send: withStateReport(send, () => state), resultSent: false, realExit: processExit, received, wrapperSites: new Map(), wrappers: new Map() }
  ;(globalThis as Record<symbol, unknown>)[CHILD_STATE] = state
  await (await adapter(request.adapter)).run(request, state)
}

let running = false
// The channel stays open for the child's whole life: a child that has answered waits for its parent to
// end its tree instead of racing it by exiting on its own.
link.onMessage((message: unknown) => {
  if (!isOurs(message)) return
  const m = message as ParentMessage
  if (m.kind === 'prepare') {
    // A failed preparation is reported by the run, which awaits the same promise.
    prepare(m.prepare).catch(() => {})
    return
  }
  if (m.kind !== 'run' || running) return
  running = true
  run(m.request).catch((error: unknown) => {
    send({ [TAG]: true, kind: 'fatal', error: serializeThrown(error) })
  })
})

send({ [TAG]: true, kind: 'ready' })
