// A child forked from a zygote, seen from the test worker: its three connect-back sockets (channel,
// stdout, stderr), its exit as the zygote reports it, its tree (it is a subreaper, set in C after the
// fork), and, having no watchdog thread, where it is stuck: its stack thread answers the addon's stack
// signal with the JS stack (busy), and an idle child opens its inspector when asked (what it waits on).
import { constants } from 'node:os'
import type { Readable } from 'node:stream'
import { InspectorLinesFilter } from './inspector-lines.js'
import { setTimeout as delay } from 'node:timers/promises'
import type { ChildMessage, RunRequest, WatchdogReport } from '../ipc/protocol.js'
import type { StuckFrame } from '../errors.js'
import type { ChildSockets } from '../native/connect-back.js'
import type { ChildExit } from '../native/zygote-client.js'
import { captureStuck, coverageOverCdp, userFrames } from '../stuck/capture.js'
import { addOutputFd, blockedState, forgetOutputFd, isPolling, workerThreads } from '../stuck/blocked.js'
import { parseNativeStack } from '../stuck/native-stack.js'
import { TAG } from '../ipc/protocol.js'
import { trace } from '../trace.js'
import { connectCdp } from '../stuck/websocket-cdp.js'
import { ChannelEnd, StderrTail, type Child, type ExitInfo } from './child.js'
import { DRAIN_AFTER_EXIT_MS } from './child-process.js'
import { Containment } from './containment/index.js'
import { trackChild, untrackChild } from './exit-guard.js'
import { logPids } from './pid-log.js'
import type { ExitUsage } from './resources/figures.js'
import { LONG_WRITE_BYTES } from '../stuck/output-flow.js'

// The first name of each number (SIGABRT, not its alias SIGIOT).
const SIGNAL_NAMES = new Map<number, NodeJS.Signals>()
for (const [name, n] of Object.entries(constants.signals)) if (!SIGNAL_NAMES.has(n)) SIGNAL_NAMES.set(n, name as NodeJS.Signals)

/** How to ask a forked child for its JS stack: the signal, and the next answer on the connect-back server. */
export interface StackAsker {
  readonly signal: number
  /** The next answer (the child's stack thread gives up after a while: "no-answer"). */
  answer(): Promise<string>
  /** The framework's map of a script whose code names none. */
  readonly sourceMap?: ((file: string) => object | undefined) | undefined
}

/** A stack answer later than this, while more than LONG_WRITE_BYTES went out, means one long write was under way. */
const LATE_ANSWER_MS = 50

export class ForkedChild implements Child {
  readonly model = 'fork-server' as const
  readonly pid: number
  readonly containment: Containment
  readonly exited: Promise<ExitInfo>
  readonly closed: Promise<void>
  exitInfo: ExitInfo | undefined
  exitUsage: ExitUsage | undefined
  readonly ready: Promise<void>
  readonly stdout: Readable
  readonly stderr: Readable
  readonly outputEnded: Promise<void>
  /** Its output has ended: it answered (and is being ended) or died; it runs no more test code. */
  outputDone = false
  /** When the zygote began the fork (CLOCK_MONOTONIC ns), for the record. */
  forkStartNs: bigint | undefined
  rssAtForkKb: number | undefined
  private stackArmed = false
  /** Bytes read from it so far (stdout, stderr, channel): flowing while it does not answer means it is writing. */
  private outputBytes = 0
  private readonly channel: ChannelEnd
  private readonly tail: StderrTail
  private readonly sockets: ChildSockets
  private readonly stack: StackAsker | undefined

  /** `containment`: made before the fork, its token in the child's request. `stack`: how to ask for its JS stack. */
  constructor(sockets: ChildSockets, exit: Promise<ChildExit>, containment: Containment, stack?: StackAsker) {
    this.sockets = sockets
    this.stack = stack
    this.pid = sockets.pid
    this.containment = containment
    this.containment.adopt(this.pid)
    trackChild(this.containment)
    logPids([this.pid])
    this.exited = exit.then((e) => {
      this.exitInfo = e.lost ? { code: null, signal: 'SIGKILL' } : { code: e.code, signal: e.signal === null ? null : (SIGNAL_NAMES.get(e.signal) ?? null) }
      if (!e.lost) this.exitUsage = { maxRssKb: e.maxRssKb, userMicros: e.userMicros, systemMicros: e.systemMicros }
      untrackChild(this.containment)
      forgetOutputFd(this.pid)
      return this.exitInfo
    })
    this.channel = new ChannelEnd(sockets.channel, sockets.channel)
    this.stdout = sockets.stdout
    this.stderr = sockets.stderr.pipe(new InspectorLinesFilter())
    sockets.stdout.on('error', () => {})
    sockets.stderr.on('error', () => {})
    this.tail = new StderrTail(this.stderr)
    // The channel too: under Jest a child's output travels as messages (the console relay).
    for (const s of [sockets.stdout, sockets.stderr, sockets.channel]) s.on('data', (chunk: Buffer) => (this.outputBytes += chunk.length))
    const ended = (s: Readable): Promise<unknown> => (s.destroyed ? Promise.resolve() : new Promise((resolve) => s.once('close', resolve)))
    this.outputEnded = Promise.all([ended(this.stdout), ended(this.stderr)]).then(() => {
      this.outputDone = true
    })
    const drained = Promise.all([this.exited, ended(sockets.channel), ended(sockets.stdout), ended(sockets.stderr)])
    this.closed = Promise.race([drained, this.exited.then(() => delay(DRAIN_AFTER_EXIT_MS))]).then(() => this.release())
    this.ready = new Promise((resolve) => {
      const off = this.onMessage((m) => {
        if (m.kind !== 'forked') return
        off()
        this.stackArmed = m.stack
        this.forkStartNs = BigInt(m.forkStartNs)
        this.rssAtForkKb = m.rssKb
        // Blocked writing there is writing output (under Jest the console travels on the channel).
        addOutputFd(this.pid, m.channelFd)
        resolve()
      })
    })
    // The connect-back server left them paused: read them now that readers are attached (the caller
    // adds its own before any data can arrive, which is never sooner than the next turn of the loop).
    sockets.channel.resume()
    sockets.stdout.resume()
  }

  private release(): void {
    this.channel.close()
    for (const s of [this.sockets.channel, this.sockets.stdout, this.sockets.stderr]) s.destroy()
  }

  /** Forked with its request: there is nothing to hand it. */
  start(_request: RunRequest): void {}

  stderrTail(): string {
    return this.tail.text()
  }

  send(message: unknown): void {
    if (!this.exitInfo) this.channel.send(message)
  }

  onMessage(listener: (message: ChildMessage) => void, other?: (message: unknown) => void): () => void {
    return this.channel.onMessage(listener, other)
  }

  /**
   * Where it is stuck, and (coverage on) what it ran: the stack thread's interrupt runs the child's
   * stack hook after reading the frames, busy or idle; without a stack thread, over the inspector.
   */
  async captureStuck(waitMs: number): Promise<WatchdogReport | undefined> {
    if (this.exitInfo) return undefined
    const taken: { coverage?: string | undefined } = {}
    const report = await this.whereStuck(waitMs, taken)
    return report && taken.coverage !== undefined ? { ...report, coverage: taken.coverage } : report
  }

  /** `taken.coverage`: set once (each take resets the child's counters: a second would lose the first). */
  private async whereStuck(waitMs: number, taken: { coverage?: string | undefined }): Promise<WatchdogReport | undefined> {
    const started = performance.now()
    const left = (): number => Math.max(0, waitMs - (performance.now() - started))
    // What the stack answer showed when none of it was the user's (the framework's frames, for a stretch of ours).
    let idleAt: StuckFrame[] | undefined
    if (this.stackArmed && this.stack && this.containment.signalChild(this.stack.signal)) {
      trace('p.stuck.ask')
      const answer = this.stack.answer()
      const output = this.outputBytes
      const asked = performance.now()
      let text = await Promise.race([answer, delay(300, undefined)])
      if (text === undefined) {
        // Its output is still flowing: the main thread is inside one long write (it answers once that ends).
        if (this.outputBytes > output) return { op: 'stuck', state: 'writing', frames: [], resources: [] }
        // Running, or idle in the event loop on a loaded machine, it answers late rather than never;
        // blocked in another system call, it will not answer at all.
        if (isPolling(this.pid) || blockedState(this.pid) === 'busy') text = await Promise.race([answer, delay(left(), undefined)])
      }
      trace('p.stuck.answer')
      const stack = text === undefined ? undefined : parseNativeStack(text, this.stack.sourceMap)
      if (stack?.answered) taken.coverage = stack.coverage
      if (!stack?.answered) {
        // Still in the event loop's poll beside a live Worker: idle, waiting on it (a loaded machine, with
        // the Worker spinning on a core, was measured to leave the answer later than the budget).
        const workers = workerThreads(this.pid)
        if (workers.length > 0 && isPolling(this.pid)) return { op: 'stuck', state: 'idle', frames: [], resources: [], workers }
        // The main thread never reached a safe point: blocked in a system call or a native addon.
        return { op: 'stuck', state: blockedState(this.pid), frames: [], resources: [], workers }
      }
      const { frames, allFrames } = userFrames(stack.frames)
      // A late answer while megabytes flowed: the main thread was inside one long write when asked, and
      // answered only as it ended (busy JS answers within milliseconds). The stack is where it wrote from.
      // It may answer only after the write's function returned, with none of the user's frames left.
      if (performance.now() - asked > LATE_ANSWER_MS && this.outputBytes - output > LONG_WRITE_BYTES) {
        return { op: 'stuck', state: 'writing', frames, allFrames, resources: [] }
      }
      if (frames.length > 0) return { op: 'stuck', state: 'busy', frames, allFrames, resources: [] }
      idleAt = allFrames
    }
    // No JS of the user's is running: the child's own JS can open its inspector, which says what it waits on.
    const url = await this.openInspector(Math.min(1000, left()))
    trace('p.stuck.inspector')
    if (!url) return { op: 'stuck', state: blockedState(this.pid), frames: [], resources: [] }
    const cdp = await connectCdp(url, Math.min(300, left()))
    trace('p.stuck.connected')
    if (!cdp) return undefined
    try {
      const report = await Promise.race([captureStuck(cdp, this.pid, { knownIdle: idleAt !== undefined, budgetMs: left() }), delay(left(), undefined)])
      // No stack thread, or it answered from an idle loop (no hook then): the inspector runs the same collector.
      if (report && report.state !== 'native' && taken.coverage === undefined) taken.coverage = await coverageOverCdp(cdp, left())
      return report && idleAt?.length ? { ...report, allFrames: idleAt } : report
    } finally {
      cdp.close()
    }
  }

  private inspectorUrl: Promise<string | undefined> | undefined

  /** Asks the child to open its inspector (once); undefined when it does not answer in `waitMs`. */
  private openInspector(waitMs: number): Promise<string | undefined> {
    this.inspectorUrl ??= new Promise((resolve) => {
      const off = this.onMessage((m) => {
        if (m.kind !== 'inspector') return
        off()
        resolve(m.url)
      })
      this.send({ [TAG]: true, kind: 'open-inspector' })
    })
    return Promise.race([this.inspectorUrl, delay(waitMs, undefined)])
  }
}
