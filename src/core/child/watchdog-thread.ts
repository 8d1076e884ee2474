// Runs as a worker thread inside a fresh child. It owns the watchdog pipe, so it can answer while the
// main thread is blocked: it says where the main thread is stuck (core/stuck/capture.ts, over an
// in-process inspector session), and it kills the child's process group when the test worker or the
// runner's main process dies (pipe EOF, a new parent pid, or a watched pid gone).
import { Session } from 'node:inspector'
import { Socket } from 'node:net'
import { workerData } from 'node:worker_threads'
import { execFileSync } from 'node:child_process'
import type { WatchdogReport } from '../ipc/protocol.js'
import { isRunning } from '../process-info.js'
import { captureStuck, coverageOverCdp, type Cdp } from '../stuck/capture.js'

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
  if (w.start !== undefined) return !isRunning(w.pid, w.start)
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

/** An inspector session on the main thread, as the capture's CDP connection. */
function mainThreadCdp(): Cdp {
  const session = new Session()
  session.connectToMainThread()
  return {
    post: <T>(method: string, params: object, waitMs: number) =>
      new Promise<T | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), waitMs)
        session.post(method, params, (error, result) => {
          clearTimeout(timer)
          resolve(error ? undefined : (result as T))
        })
      }),
    on(event, listener) {
      const handler = (m: { params: unknown }): void => (listener as (p: unknown) => void)(m.params)
      session.on(event, handler)
      return () => session.off(event, handler)
    },
  }
}

pipe.on('data', (chunk: Buffer) => {
  buffer += chunk.toString('utf8')
  let nl: number
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, nl)
    buffer = buffer.slice(nl + 1)
    if (line.includes('"capture"')) void capture(line).then(send, () => send({ op: 'stuck', state: 'native', frames: [], resources: [] }))
  }
})

/**
 * Where the main thread is, then (coverage on) what it ran, in what is left of the parent's wait: the
 * parent kills the child next, and a child killed writes nothing of its own.
 */
async function capture(line: string): Promise<WatchdogReport> {
  const started = performance.now()
  const { waitMs } = JSON.parse(line) as { waitMs?: number }
  const cdp = mainThreadCdp()
  const report = await captureStuck(cdp, process.pid, { ownWorker: 'watchdog-thread', ...(waitMs === undefined ? {} : { budgetMs: waitMs - (performance.now() - started) }) })
  // A main thread that did not answer the capture (blocked outside JS, or inside one long write) will
  // not answer this either: waiting out the budget only made the report late (seen: "writing" lost).
  if (report.state === 'native' || report.state === 'writing' || waitMs === undefined) return report
  const coverage = await coverageOverCdp(cdp, waitMs - (performance.now() - started) - 50)
  return coverage === undefined ? report : { ...report, coverage }
}

function send(report: WatchdogReport): void {
  pipe.write(`${JSON.stringify(report)}\n`)
}
