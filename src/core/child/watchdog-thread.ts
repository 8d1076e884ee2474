// Runs as a worker thread inside the child. It owns the watchdog pipe, so it can answer while the main
// thread is blocked: it pauses the main thread through the inspector to say where it is stuck (and
// names the child's other worker threads), and it kills the child's process group when the test worker
// or the runner's main process dies (pipe EOF, a new parent pid, or a watched pid gone).
import { Session } from 'node:inspector'
import { SourceMap } from 'node:module'
import { Socket } from 'node:net'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { workerData } from 'node:worker_threads'
import { execFileSync } from 'node:child_process'
import type { StuckFrame } from '../errors.js'
import type { WatchdogReport } from '../ipc/protocol.js'
import { RESOURCES_KEY } from './resources.js'
import { startTimeOf } from '../process-info.js'

interface Watched {
  readonly pid: number
  /** Its start time (field 22 of /proc/<pid>/stat), so a reused pid is not mistaken for it. */
  readonly start: string | undefined
}

const { fd, parentPid, watch } = workerData as { fd: number; parentPid: number; watch: readonly Watched[] }
const pipe = new Socket({ fd, readable: true, writable: true })
let buffer = ''

function killOwnTree(): never {
  // Descendants that left our group are found through ps, then the group goes.
  try {
    const out = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    const byParent = new Map<number, number[]>()
    for (const line of out.split('\n')) {
      const [p, pp] = line.trim().split(/\s+/).map(Number)
      if (p && pp !== undefined) byParent.set(pp, [...(byParent.get(pp) ?? []), p])
    }
    const stack = [process.pid]
    while (stack.length) for (const c of byParent.get(stack.pop()!) ?? []) (stack.push(c), tryKill(c))
  } catch {
    // ps missing: the group kill below still runs
  }
  tryKill(-process.pid)
  process.kill(process.pid, 'SIGKILL')
  throw new Error('unreachable')
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // gone
  }
}

function isGone(w: Watched): boolean {
  if (w.start !== undefined) return startTimeOf(w.pid) !== w.start
  try {
    process.kill(w.pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

pipe.on('end', killOwnTree)
pipe.on('error', killOwnTree)
// The test worker and the runner's main process: when either is gone, so are we (within a second).
setInterval(() => {
  if (process.ppid !== parentPid || watch.some(isGone)) killOwnTree()
}, 500)

pipe.on('data', (chunk: Buffer) => {
  buffer += chunk.toString('utf8')
  let nl: number
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, nl)
    buffer = buffer.slice(nl + 1)
    if (line.includes('"capture"')) void capture().then(send, () => send({ op: 'stuck', state: blockedState(), frames: [], resources: [] }))
  }
})

function send(report: WatchdogReport): void {
  pipe.write(`${JSON.stringify(report)}\n`)
}

interface CallFrame {
  callFrameId: string
  functionName: string
  url: string
  location: { scriptId: string; lineNumber: number; columnNumber: number }
}

function post<T>(session: Session, method: string, params: object, waitMs: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), waitMs)
    session.post(method, params, (error, result) => {
      clearTimeout(timer)
      resolve(error ? undefined : (result as T))
    })
  })
}

const IGNORED = /^node:|\/node_modules\/(vitest|@vitest|vite|tinypool|jest-circus|jest-runtime|@jest|isolated-test)\/|\/isolated-test\/dist\//
// System calls that write (x64: write, writev, pwrite64; arm64: write, writev, pwrite64).
const WRITE_CALLS = process.arch === 'arm64' ? new Set([64, 66, 68]) : new Set([1, 20, 18])

/**
 * What the main thread is doing when it does not answer the inspector: writing to stdout/stderr that
 * nobody reads fast enough, blocked in another system call, or running (native code, or JS that did not
 * reach an interrupt check in time). From /proc (Linux); elsewhere 'native'.
 */
function blockedState(): WatchdogReport['state'] {
  try {
    const syscall = readFileSync(`/proc/self/task/${process.pid}/syscall`, 'utf8').trim().split(' ')
    if (syscall[0] === 'running') return 'busy'
    const nr = Number(syscall[0])
    const target = Number(syscall[1])
    if (WRITE_CALLS.has(nr) && (target === 1 || target === 2)) return 'writing'
    return 'native'
  } catch {
    return 'native'
  }
}

async function capture(): Promise<WatchdogReport> {
  const session = new Session()
  session.connectToMainThread()
  const scripts = new Map<string, { url: string; sourceMapURL: string }>()
  session.on('Debugger.scriptParsed', (m) => {
    const p = m.params as { scriptId: string; url: string; sourceMapURL?: string }
    scripts.set(p.scriptId, { url: p.url, sourceMapURL: p.sourceMapURL ?? '' })
  })
  const paused = new Promise<CallFrame[]>((resolve) => {
    session.once('Debugger.paused', (m) => resolve((m.params as { callFrames: CallFrame[] }).callFrames))
  })
  // Every message is served by the main thread, through a V8 interrupt when it runs JS: no answer at
  // all means it is blocked outside JS (or too busy to take the interrupt in time).
  // A thread that runs (JS, or a cold start replaying many scripts) answers late rather than never:
  // give it longer than one blocked in a system call, which will not answer at all.
  const enabling = post(session, 'Debugger.enable', {}, 1200)
  const enabled = await Promise.race([enabling, new Promise<undefined>((r) => setTimeout(() => r(undefined), 300))])
  if (enabled === undefined && (blockedState() !== 'busy' || (await Promise.race([enabling, new Promise<undefined>((r) => setTimeout(() => r(undefined), 500))])) === undefined)) {
    return { op: 'stuck', state: blockedState(), frames: [], resources: [] }
  }
  void post(session, 'Debugger.pause', {}, 500)
  const frames = await Promise.race([paused, new Promise<undefined>((r) => setTimeout(() => r(undefined), 500))])
  if (frames) {
    const viaStack = frames[0] ? await stackFromPausedFrame(session, frames[0].callFrameId) : undefined
    const all = viaStack ?? frames.map((f) => mapFrame(f, scripts))
    // Let a SIGTERM handler run; the parent kills us next either way.
    void post(session, 'Debugger.resume', {}, 100)
    const workers = await describeWorkers(session)
    return { op: 'stuck', state: 'busy', frames: all.filter((f) => !IGNORED.test(f.file)).slice(0, 10), allFrames: all.filter((f) => !f.file.startsWith('node:')).slice(0, 10), resources: [], workers }
  }
  // No JS is running: the event loop is waiting. Disabling drops the pending pause first.
  await post(session, 'Debugger.disable', {}, 100)
  // Idle, unless output is still queued for a pipe nobody reads fast enough.
  const expression = `JSON.stringify({ resources: globalThis[Symbol.for(${JSON.stringify(RESOURCES_KEY.description)})]?.() ?? process.getActiveResourcesInfo(), origins: globalThis[Symbol.for('isolated-test.async-origins')]?.() ?? [], queued: (process.stdout.writableLength || 0) + (process.stderr.writableLength || 0) })`
  const evaluated = await post<{ result: { value?: string } }>(session, 'Runtime.evaluate', { expression, returnByValue: true }, 300)
  const found = evaluated?.result.value ? (JSON.parse(evaluated.result.value) as { resources: string[]; origins: string[]; queued: number }) : undefined
  const workers = await describeWorkers(session)
  const state = !found ? blockedState() : found.queued > 0 ? 'writing' : 'idle'
  return { op: 'stuck', state, frames: [], resources: summarize(found?.resources ?? []), origins: found?.origins ?? [], workers }
}

/**
 * The child's worker threads (but this one), each with where it is: paused through its own inspector
 * session (NodeWorker domain), or only its script when it does not answer in time.
 */
async function describeWorkers(session: Session): Promise<string[]> {
  const attached: { sessionId: string; url: string }[] = []
  const onAttached = (m: { params: { sessionId: string; workerInfo: { url: string; title: string } } }): void => {
    if (!m.params.workerInfo.url.includes('watchdog-thread')) attached.push({ sessionId: m.params.sessionId, url: m.params.workerInfo.url })
  }
  session.on('NodeWorker.attachedToWorker', onAttached as never)
  if ((await post(session, 'NodeWorker.enable', { waitForDebuggerOnStart: false }, 150)) === undefined) return []
  session.off('NodeWorker.attachedToWorker', onAttached as never)
  const out: string[] = []
  for (const w of attached.slice(0, 5)) {
    const where = await pauseWorker(session, w.sessionId)
    out.push(`a Worker (${w.url.startsWith('file:') ? fileURLToPath(w.url) : w.url})${where ? `, busy at ${where}` : ''}`)
  }
  void post(session, 'NodeWorker.disable', {}, 100)
  return out
}

/** Pauses one worker through its session and says where (its first frame outside node:), or undefined. */
async function pauseWorker(session: Session, sessionId: string): Promise<string | undefined> {
  let id = 0
  const waiters = new Map<number, (r: unknown) => void>()
  let onPaused: ((frames: CallFrame[]) => void) | undefined
  const onMessage = (m: { params: { sessionId: string; message: string } }): void => {
    if (m.params.sessionId !== sessionId) return
    const msg = JSON.parse(m.params.message) as { id?: number; method?: string; params?: { callFrames?: CallFrame[] } }
    if (msg.id !== undefined) waiters.get(msg.id)?.(msg)
    if (msg.method === 'Debugger.paused') onPaused?.(msg.params?.callFrames ?? [])
  }
  session.on('NodeWorker.receivedMessageFromWorker', onMessage as never)
  const call = (method: string, ms: number): Promise<unknown> =>
    new Promise((resolve) => {
      const n = ++id
      waiters.set(n, resolve)
      setTimeout(() => resolve(undefined), ms)
      session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id: n, method }) })
    })
  try {
    const paused = new Promise<CallFrame[] | undefined>((resolve) => {
      onPaused = resolve
      setTimeout(() => resolve(undefined), 250)
    })
    if ((await call('Debugger.enable', 150)) === undefined) return undefined
    void call('Debugger.pause', 100)
    const frames = await paused
    void call('Debugger.resume', 100)
    const frame = frames?.find((f) => f.url && !f.url.startsWith('node:'))
    return frame ? `${frame.functionName || '<anonymous>'} (${frame.url.startsWith('file:') ? fileURLToPath(frame.url) : frame.url}:${frame.location.lineNumber + 1}:${frame.location.columnNumber + 1})` : undefined
  } finally {
    session.off('NodeWorker.receivedMessageFromWorker', onMessage as never)
  }
}

/**
 * Asks the paused main thread for `new Error().stack` on the stuck frame: the stack is then formatted
 * by the same source-map support the framework installs for its own errors (Vite's module runner,
 * Node's loader hooks, Jest's runtime), so stuck frames point where error frames would.
 */
async function stackFromPausedFrame(session: Session, callFrameId: string): Promise<StuckFrame[] | undefined> {
  const expression = '(() => { const l = Error.stackTraceLimit; Error.stackTraceLimit = 50; const s = new Error().stack; Error.stackTraceLimit = l; return s })()'
  const evaluated = await post<{ result: { value?: unknown } }>(session, 'Debugger.evaluateOnCallFrame', { callFrameId, expression, returnByValue: true, silent: true }, 300)
  const stack = evaluated?.result.value
  if (typeof stack !== 'string') return undefined
  const frames: StuckFrame[] = []
  for (const line of stack.split('\n').slice(1)) {
    const m = /^\s*at (?:(.*?) \()?((?:file:\/\/)?\/[^()]*?|[A-Za-z]:\\[^()]*?):(\d+):(\d+)\)?\s*$/.exec(line)
    if (!m) continue
    const file = m[2]!.startsWith('file://') ? fileURLToPath(m[2]!) : m[2]!
    frames.push({ functionName: m[1] ?? '', file, line: Number(m[3]), column: Number(m[4]) })
  }
  return frames.length > 0 ? frames : undefined
}

/** `["Timeout","Timeout","FSReqCallback"]` → `["2 × Timeout", "FSReqCallback"]`. */
function summarize(resources: readonly string[]): string[] {
  const counts = new Map<string, number>()
  for (const r of resources) counts.set(r, (counts.get(r) ?? 0) + 1)
  return [...counts].map(([name, n]) => (n > 1 ? `${n} × ${name}` : name))
}

const maps = new Map<string, SourceMap | null>()

function loadMap(scriptId: string, url: string, sourceMapURL: string): SourceMap | null {
  if (maps.has(scriptId)) return maps.get(scriptId)!
  let map: SourceMap | null = null
  try {
    if (sourceMapURL.startsWith('data:')) {
      const json = Buffer.from(sourceMapURL.slice(sourceMapURL.indexOf(',') + 1), 'base64').toString('utf8')
      map = new SourceMap(JSON.parse(json))
    } else if (sourceMapURL && url) {
      const base = url.startsWith('file:') ? url : `file://${url}`
      map = new SourceMap(JSON.parse(readFileSync(fileURLToPath(new URL(sourceMapURL, base)), 'utf8')))
    }
  } catch {
    map = null
  }
  maps.set(scriptId, map)
  return map
}

function toPath(url: string): string {
  return url.startsWith('file://') ? fileURLToPath(url) : url
}

function mapFrame(f: CallFrame, scripts: Map<string, { url: string; sourceMapURL: string }>): StuckFrame {
  const script = scripts.get(f.location.scriptId)
  const url = f.url || script?.url || ''
  const map = script ? loadMap(f.location.scriptId, url, script.sourceMapURL) : null
  const entry = map?.findEntry(f.location.lineNumber, f.location.columnNumber) as
    | { originalSource?: string; originalLine?: number; originalColumn?: number }
    | undefined
  if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
    const source = entry.originalSource
    const file = source.startsWith('file://') ? fileURLToPath(source) : source.startsWith('/') ? source : toPath(new URL(source, url.startsWith('file:') ? url : `file://${url}`).href)
    return { functionName: f.functionName, file, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 }
  }
  return { functionName: f.functionName, file: toPath(url), line: f.location.lineNumber + 1, column: f.location.columnNumber + 1 }
}
