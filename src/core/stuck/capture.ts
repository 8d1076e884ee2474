// Where a child is stuck, asked through the Chrome DevTools Protocol: pause its main thread and read the
// stack (source-mapped the way the framework maps its own errors), or, when it runs no JS, what it waits
// on; plus its other worker threads. Used over an in-process session by a fresh child's watchdog thread,
// and over the inspector's WebSocket by the parent of a forked child.
import { readlinkSync } from 'node:fs'
import type { StuckFrame } from '../errors.js'
import type { WatchdogReport } from '../ipc/protocol.js'
import { RESOURCES_KEY } from '../resources-key.js'
import { COVERAGE_NOW_KEY } from '../coverage-key.js'
import { blockedState, steadilyPolling, workerThreads } from './blocked.js'
import { mapFrame, type CallFrame, type ScriptInfo } from './source-maps.js'

/** The part of a CDP connection the capture needs. `post` resolves undefined when no answer came in `waitMs`. */
export interface Cdp {
  post<T>(method: string, params: object, waitMs: number): Promise<T | undefined>
  on(event: string, listener: (params: never) => void): () => void
}

/** Frames of the framework and ours: a stuck line there is not the user's. */
const FRAMEWORK = /^node:|\/node_modules\/(vitest|@vitest|vite|tinypool|jest-circus|jest-runtime|@jest|isolated-test)\/|\/isolated-test\/dist\//

/** The user's frames of a stack (none: only Node's, the framework's and ours), and the whole stack without Node's. */
export function userFrames(all: readonly StuckFrame[]): { readonly frames: StuckFrame[]; readonly allFrames: StuckFrame[] } {
  return { frames: all.filter((f) => !FRAMEWORK.test(f.file) && f.file !== '').slice(0, 10), allFrames: all.filter((f) => !f.file.startsWith('node:')).slice(0, 10) }
}

const wait = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms))

export interface CaptureOptions {
  /** The URL part of a worker of ours to leave out. */
  readonly ownWorker?: string
  /**
   * The child's stack was read another way and none of the user's code runs: skip straight to what it
   * waits on (pausing an idle thread only waits out its timeout).
   */
  readonly knownIdle?: boolean
  /** The most the whole capture may take, ms: each step gets what is left, and a step that cannot finish in it is skipped. */
  readonly budgetMs?: number
}

/**
 * Kept back from the budget: the last look at /proc after a wait that ran out (a dozen samples 4 ms
 * apart, slower on a loaded machine) and the report's way to the parent.
 */
const SEND_RESERVE_MS = 200

/** `pid`: the child's, for /proc when it does not answer. */
export async function captureStuck(cdp: Cdp, pid: number, o: CaptureOptions = {}): Promise<WatchdogReport> {
  const deadline = performance.now() + (o.budgetMs ?? Number.POSITIVE_INFINITY) - SEND_RESERVE_MS
  /** `ms`, cut to what is left of the budget. */
  const within = (ms: number): number => Math.max(0, Math.min(ms, deadline - performance.now()))
  const scripts = new Map<string, ScriptInfo>()
  const offScripts = cdp.on('Debugger.scriptParsed', (p: { scriptId: string; url: string; sourceMapURL?: string }) => {
    scripts.set(p.scriptId, { url: p.url, sourceMapURL: p.sourceMapURL ?? '' })
  })
  let offPaused = (): void => {}
  const paused = new Promise<CallFrame[]>((resolve) => {
    offPaused = cdp.on('Debugger.paused', (p: { callFrames: CallFrame[] }) => resolve(p.callFrames))
  })
  try {
    if (o.knownIdle) return await waitingOn(cdp, pid, o.ownWorker, [], within)
    // Every message is served by the main thread, through a V8 interrupt when it runs JS. A thread that
    // runs (JS, or a cold start replaying many scripts) answers late rather than never: give it longer
    // than one blocked in a system call, which will not answer at all.
    // A cheap probe first: Debugger.enable replays every parsed script, which in a Jest child (thousands
    // of modules) on a loaded machine takes longer than a thread blocked in a system call gets.
    const probing = cdp.post('Runtime.evaluate', { expression: '0', returnByValue: true }, within(1200))
    const answered = (await Promise.race([probing, wait(within(300), undefined)])) ?? (blockedState(pid) === 'busy' ? await probing : undefined)
    if (answered === undefined) return { op: 'stuck', state: blockedState(pid), frames: [], resources: [], workers: workerThreads(pid, ownThread(pid)) }
    // Back in the event loop's poll at every look: no JS runs, so there is nothing to pause. Skipping
    // Debugger.enable and the pause saves what a loaded machine was measured to need for them (the
    // budget ran out before a live Worker was named, seen on Jest 29 / Node 24).
    if (steadilyPolling(pid)) return await waitingOn(cdp, pid, o.ownWorker, [], within)
    const enabled = await cdp.post('Debugger.enable', {}, within(1500))
    if (enabled === undefined) return { op: 'stuck', state: blockedState(pid), frames: [], resources: [], workers: workerThreads(pid, ownThread(pid)) }
    void cdp.post('Debugger.pause', {}, within(500))
    const frames = await Promise.race([paused, wait(within(500), undefined)])
    const viaStack = frames?.[0] ? await stackFromPausedFrame(cdp, frames[0].callFrameId, within(300)) : undefined
    const all = viaStack ?? frames?.map((f) => mapFrame(f, scripts)) ?? []
    const { frames: user, allFrames } = userFrames(all)
    if (frames && user.length > 0) {
      // Let a SIGTERM handler run; the child is killed next either way.
      void cdp.post('Debugger.resume', {}, 100)
      const workers = await describeWorkers(cdp, pid, o.ownWorker, within)
      return { op: 'stuck', state: 'busy', frames: user, allFrames, resources: [], workers }
    }
    // Paused in Node's or the framework's code only (a callback of theirs starting while the loop was
    // idle): none of the user's code was running. Resume and say what the child waits on.
    // No JS is running: the event loop is waiting. Disabling drops the pending pause (or resumes it).
    if (frames) await cdp.post('Debugger.resume', {}, within(100))
    await cdp.post('Debugger.disable', {}, within(100))
    return await waitingOn(cdp, pid, o.ownWorker, allFrames, within)
  } finally {
    offScripts()
    offPaused()
  }
}

/** The calling thread's id when it belongs to `pid` (a fresh child's watchdog, a Worker itself): it is not the user's. */
function ownThread(pid: number): number | undefined {
  if (pid !== process.pid) return undefined
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop())
  } catch {
    return undefined
  }
}

/** What an idle child waits on: its resources and where they were made, its workers; or "writing". */
async function waitingOn(cdp: Cdp, pid: number, ownWorker: string | undefined, allFrames: StuckFrame[], within: (ms: number) => number): Promise<WatchdogReport> {
  // Idle, unless output is still queued for a pipe nobody reads fast enough.
  const expression = `JSON.stringify({ resources: globalThis[Symbol.for(${JSON.stringify(RESOURCES_KEY.description)})]?.() ?? process.getActiveResourcesInfo(), origins: globalThis[Symbol.for('isolated-test.async-origins')]?.() ?? [], queued: (process.stdout.writableLength || 0) + (process.stderr.writableLength || 0) })`
  const evaluated = await cdp.post<{ result: { value?: string } }>('Runtime.evaluate', { expression, returnByValue: true }, within(300))
  const found = evaluated?.result.value ? (JSON.parse(evaluated.result.value) as { resources: string[]; origins: string[]; queued: number }) : undefined
  const workers = await describeWorkers(cdp, pid, ownWorker, within)
  const state = !found ? blockedState(pid) : found.queued > 0 ? 'writing' : 'idle'
  return { op: 'stuck', state, frames: [], allFrames, resources: summarize(found?.resources ?? []), origins: found?.origins ?? [], workers }
}

/**
 * The child's worker threads (but ours), each with where it is: paused through its own inspector
 * session (NodeWorker domain), or only its script when it does not answer in time; when the domain does
 * not answer in what is left of the budget, the threads /proc names (Node 24 and later).
 */
async function describeWorkers(cdp: Cdp, pid: number, ownWorker: string | undefined, within: (ms: number) => number): Promise<string[]> {
  const attached: { sessionId: string; url: string }[] = []
  const off = cdp.on('NodeWorker.attachedToWorker', (p: { sessionId: string; workerInfo: { url: string } }) => {
    if (!ownWorker || !p.workerInfo.url.includes(ownWorker)) attached.push({ sessionId: p.sessionId, url: p.workerInfo.url })
  })
  // The main thread serves it, beside a Worker that may spin on a core of its own: on a loaded machine
  // 150 ms was measured too short (the Worker went unnamed); the caller's budget bounds the whole.
  const enabled = within(800) > 0 ? await cdp.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, within(800)) : undefined
  off()
  // Not answered in time, or answered before any Worker attached (seen on a loaded machine): the
  // threads /proc names still say a Worker is there.
  if (enabled === undefined || attached.length === 0) return workerThreads(pid, ownThread(pid))
  const out: string[] = []
  for (const w of attached.slice(0, 5)) {
    const where = within(400) >= 400 ? await pauseWorker(cdp, w.sessionId) : undefined
    out.push(`a Worker (${w.url ? displayPath(w.url) : 'inline code'})${where ? `, busy at ${where}` : ''}`)
  }
  void cdp.post('NodeWorker.disable', {}, 100)
  return out
}

function displayPath(url: string): string {
  return url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url
}

/** Pauses one worker through its session and says where (its first frame outside node:), or undefined. */
async function pauseWorker(cdp: Cdp, sessionId: string): Promise<string | undefined> {
  let id = 0
  const waiters = new Map<number, (r: unknown) => void>()
  let onPaused: ((frames: CallFrame[]) => void) | undefined
  const off = cdp.on('NodeWorker.receivedMessageFromWorker', (p: { sessionId: string; message: string }) => {
    if (p.sessionId !== sessionId) return
    const msg = JSON.parse(p.message) as { id?: number; method?: string; params?: { callFrames?: CallFrame[] } }
    if (msg.id !== undefined) waiters.get(msg.id)?.(msg)
    if (msg.method === 'Debugger.paused') onPaused?.(msg.params?.callFrames ?? [])
  })
  const call = (method: string, ms: number): Promise<unknown> => {
    const n = ++id
    const answered = new Promise((resolve) => waiters.set(n, resolve))
    void cdp.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id: n, method }) }, ms)
    return Promise.race([answered, wait(ms, undefined)])
  }
  try {
    const paused = Promise.race([new Promise<CallFrame[]>((resolve) => (onPaused = resolve)), wait(250, undefined)])
    if ((await call('Debugger.enable', 150)) === undefined) return undefined
    void call('Debugger.pause', 100)
    const frames = await paused
    void call('Debugger.resume', 100)
    const frame = frames?.find((f) => f.url && !f.url.startsWith('node:'))
    return frame ? `${frame.functionName || '<anonymous>'} (${displayPath(frame.url)}:${frame.location.lineNumber + 1}:${frame.location.columnNumber + 1})` : undefined
  } finally {
    off()
  }
}

/**
 * Asks the paused main thread for `new Error().stack` on the stuck frame: the stack is then formatted
 * by the same source-map support the framework installs for its own errors (Vite's module runner,
 * Node's loader hooks, Jest's runtime), so stuck frames point where error frames would.
 */
async function stackFromPausedFrame(cdp: Cdp, callFrameId: string, waitMs: number): Promise<StuckFrame[] | undefined> {
  const expression = '(() => { const l = Error.stackTraceLimit; Error.stackTraceLimit = 50; const s = new Error().stack; Error.stackTraceLimit = l; return s })()'
  const evaluated = await cdp.post<{ result: { value?: unknown } }>('Debugger.evaluateOnCallFrame', { callFrameId, expression, returnByValue: true, silent: true }, waitMs)
  const stack = evaluated?.result.value
  if (typeof stack !== 'string') return undefined
  const frames: StuckFrame[] = []
  for (const line of stack.split('\n').slice(1)) {
    const m = /^\s*at (?:(.*?) \()?((?:file:\/\/)?\/[^()]*?|[A-Za-z]:\\[^()]*?):(\d+):(\d+)\)?\s*$/.exec(line)
    if (!m) continue
    const file = m[2]!.startsWith('file://') ? decodeURIComponent(new URL(m[2]!).pathname) : m[2]!
    frames.push({ functionName: m[1] ?? '', file, line: Number(m[3]), column: Number(m[4]) })
  }
  return frames.length > 0 ? frames : undefined
}

/**
 * The child's coverage as JSON (core/child/coverage.ts `coverageNow`, registered on its globalThis), taken
 * on its main thread: through an interrupt when it runs JS, from the event loop when idle. Undefined
 * without coverage, or when no answer comes in `waitMs`.
 */
export async function coverageOverCdp(cdp: Cdp, waitMs: number): Promise<string | undefined> {
  if (waitMs < 20) return undefined
  const expression = `globalThis[Symbol.for(${JSON.stringify(COVERAGE_NOW_KEY)})]?.()`
  const evaluated = await cdp.post<{ result: { value?: unknown } }>('Runtime.evaluate', { expression, returnByValue: true, silent: true }, waitMs)
  const value = evaluated?.result.value
  return typeof value === 'string' ? value : undefined
}

/** `["Timeout","Timeout","FSReqCallback"]` → `["2 × Timeout", "FSReqCallback"]`. */
function summarize(resources: readonly string[]): string[] {
  const counts = new Map<string, number>()
  for (const r of resources) counts.set(r, (counts.get(r) ?? 0) + 1)
  return [...counts].map(([name, n]) => (n > 1 ? `${n} × ${name}` : name))
}
