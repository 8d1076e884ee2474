// Runs as a worker thread inside the child. It owns the watchdog pipe, so it can answer while the main
// thread is blocked: it pauses the main thread through the inspector to say where it is stuck, and it
// kills the child's process group when the parent dies (pipe EOF or a new parent pid).
import { Session } from 'node:inspector'
import { SourceMap } from 'node:module'
import { Socket } from 'node:net'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { workerData } from 'node:worker_threads'
import { execFileSync } from 'node:child_process'
import type { StuckFrame } from '../errors.js'
import type { WatchdogReport } from '../ipc/protocol.js'

const { fd, parentPid } = workerData as { fd: number; parentPid: number }
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

pipe.on('end', killOwnTree)
pipe.on('error', killOwnTree)
setInterval(() => {
  if (process.ppid !== parentPid) killOwnTree()
}, 500)

pipe.on('data', (chunk: Buffer) => {
  buffer += chunk.toString('utf8')
  let nl: number
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, nl)
    buffer = buffer.slice(nl + 1)
    if (line.includes('"capture"')) void capture().then(send, () => send({ op: 'stuck', state: 'native', frames: [], resources: [] }))
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
  // all means it is blocked in native code.
  if ((await post(session, 'Debugger.enable', {}, 400)) === undefined) {
    return { op: 'stuck', state: 'native', frames: [], resources: [] }
  }
  void post(session, 'Debugger.pause', {}, 300)
  const frames = await Promise.race([paused, new Promise<undefined>((r) => setTimeout(() => r(undefined), 300))])
  if (frames) {
    const viaStack = frames[0] ? await stackFromPausedFrame(session, frames[0].callFrameId) : undefined
    const mapped = (viaStack ?? frames.map((f) => mapFrame(f, scripts))).filter((f) => !IGNORED.test(f.file))
    // Let a SIGTERM handler run; the parent kills us next either way.
    void post(session, 'Debugger.resume', {}, 100)
    return { op: 'stuck', state: 'busy', frames: mapped.slice(0, 10), resources: [] }
  }
  // No JS is running: the event loop is waiting. Disabling drops the pending pause first.
  await post(session, 'Debugger.disable', {}, 200)
  const expression = `JSON.stringify({ resources: process.getActiveResourcesInfo(), origins: globalThis[Symbol.for('isolated-test.async-origins')]?.() ?? [] })`
  const evaluated = await post<{ result: { value?: string } }>(session, 'Runtime.evaluate', { expression, returnByValue: true }, 300)
  const found = evaluated?.result.value ? (JSON.parse(evaluated.result.value) as { resources: string[]; origins: string[] }) : undefined
  return { op: 'stuck', state: evaluated ? 'idle' : 'native', frames: [], resources: summarize(found?.resources ?? []), origins: found?.origins ?? [] }
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

/** `["Timeout","Timeout","FSReqCallback"]` → `["2 × Timeout", "FSReqCallback"]`, without our own IPC pipe. */
function summarize(resources: readonly string[]): string[] {
  const counts = new Map<string, number>()
  for (const r of resources) counts.set(r, (counts.get(r) ?? 0) + 1)
  // The IPC channel, stdio pipes and this thread are ours.
  for (const ours of ['PipeWrap', 'TTYWrap', 'MessagePort', 'Worker']) counts.delete(ours)
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
