// A child forked from a zygote, seen from the test worker: its three connect-back sockets (channel,
// stdout, stderr), its exit as the zygote reports it, its tree (it is a subreaper, set in C after the
// fork), and, having no watchdog thread, its inspector for where it is stuck.
import { constants } from 'node:os'
import type { Readable } from 'node:stream'
import { InspectorLinesFilter } from './inspector-lines.js'
import { setTimeout as delay } from 'node:timers/promises'
import type { ChildMessage, RunRequest, WatchdogReport } from '../ipc/protocol.js'
import type { ChildSockets } from '../native/connect-back.js'
import type { ChildExit } from '../native/zygote-client.js'
import { captureStuck } from '../stuck/capture.js'
import { connectCdp } from '../stuck/websocket-cdp.js'
import { ChannelEnd, StderrTail, type Child, type ExitInfo } from './child.js'
import { DRAIN_AFTER_EXIT_MS } from './child-process.js'
import { Containment } from './containment/index.js'
import { trackChild, untrackChild } from './exit-guard.js'
import { logPids } from './pid-log.js'

// The first name of each number (SIGABRT, not its alias SIGIOT).
const SIGNAL_NAMES = new Map<number, NodeJS.Signals>()
for (const [name, n] of Object.entries(constants.signals)) if (!SIGNAL_NAMES.has(n)) SIGNAL_NAMES.set(n, name as NodeJS.Signals)

export class ForkedChild implements Child {
  readonly model = 'fork-server' as const
  readonly pid: number
  readonly containment: Containment
  readonly exited: Promise<ExitInfo>
  readonly closed: Promise<void>
  exitInfo: ExitInfo | undefined
  readonly ready: Promise<void>
  readonly stdout: Readable
  readonly stderr: Readable
  /** When the zygote began the fork (CLOCK_MONOTONIC ns), for the record. */
  forkStartNs: bigint | undefined
  private inspectorUrl: string | undefined
  private readonly channel: ChannelEnd
  private readonly tail: StderrTail
  private readonly sockets: ChildSockets

  /** `containment`: made before the fork, its token in the child's request. */
  constructor(sockets: ChildSockets, exit: Promise<ChildExit>, containment: Containment) {
    this.sockets = sockets
    this.pid = sockets.pid
    this.containment = containment
    this.containment.adopt(this.pid)
    trackChild(this.containment)
    logPids([this.pid])
    this.exited = exit.then((e) => {
      this.exitInfo = e.lost ? { code: null, signal: 'SIGKILL' } : { code: e.code, signal: e.signal === null ? null : (SIGNAL_NAMES.get(e.signal) ?? null) }
      untrackChild(this.containment)
      return this.exitInfo
    })
    this.channel = new ChannelEnd(sockets.channel, sockets.channel)
    this.stdout = sockets.stdout
    this.stderr = sockets.stderr.pipe(new InspectorLinesFilter())
    sockets.stdout.on('error', () => {})
    sockets.stderr.on('error', () => {})
    this.tail = new StderrTail(this.stderr)
    const ended = (s: Readable): Promise<unknown> => (s.destroyed ? Promise.resolve() : new Promise((resolve) => s.once('close', resolve)))
    const drained = Promise.all([this.exited, ended(sockets.channel), ended(sockets.stdout), ended(sockets.stderr)])
    this.closed = Promise.race([drained, this.exited.then(() => delay(DRAIN_AFTER_EXIT_MS))]).then(() => this.release())
    this.ready = new Promise((resolve) => {
      const off = this.onMessage((m) => {
        if (m.kind !== 'forked') return
        off()
        this.inspectorUrl = m.inspector
        this.forkStartNs = BigInt(m.forkStartNs)
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

  async captureStuck(waitMs: number): Promise<WatchdogReport | undefined> {
    if (!this.inspectorUrl || this.exitInfo) return undefined
    const started = performance.now()
    const cdp = await connectCdp(this.inspectorUrl, Math.min(300, waitMs))
    if (!cdp) return undefined
    try {
      const left = Math.max(0, waitMs - (performance.now() - started))
      return await Promise.race([captureStuck(cdp, this.pid), delay(left, undefined)])
    } finally {
      cdp.close()
    }
  }
}
