// Starts one child: a fresh Node process leading its own process group, with our message channel,
// piped stdout/stderr and the watchdog pipe. Nothing here knows about tests.
import { realProcess as process } from '../real-process.js'
import { clearTimeout, setTimeout } from 'node:timers'
import { spawn, type ChildProcess } from 'node:child_process'
import type { Readable, Duplex, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { setTimeout as delay } from 'node:timers/promises'
import { CHANNEL_IN_FD, CHANNEL_OUT_FD, CHILD_ENV, TAG, WATCHDOG_FD, type ChildMessage, type RunRequest, type WatchdogReport } from '../ipc/protocol.js'
import { ChannelEnd, StderrTail, type Child, type ExitInfo } from './child.js'
import { WATCH_ENV, watchedPids, watchedProcesses } from './watched.js'
import { encodeZygoteConfig, ZYGOTE_CONFIG_ENV } from '../native/zygote-config.js'
import { Containment } from './containment/index.js'
import { loadAddon } from '../native/addon.js'
import { trackChild, untrackChild } from './exit-guard.js'
import { logPids } from './pid-log.js'

const isWindows = process.platform === 'win32'
/**
 * After the child exits, how long its pipes may stay open before we stop reading them. What it wrote
 * is already in the pipes; a process that escaped its tree (a daemon) may hold them open for ever, and
 * nothing a test controls is waited on without a bound.
 */
export const DRAIN_AFTER_EXIT_MS = 300

/** Debugger flags are the parent's: a child that inherits them fights over the port or waits for a debugger. */
export function withoutInspectFlags(args: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (/^--(inspect|debug)(-brk|-port|-wait|-publish-uid)?(=|$)/.test(a)) {
      if (/^--inspect-port$|^--debug-port$/.test(a)) i++
      continue
    }
    out.push(a)
  }
  return out
}

function stripInspectFromNodeOptions(value: string | undefined): string | undefined {
  if (!value) return value
  return value
    .split(/\s+/)
    .filter((a) => !/^--(inspect|debug)/.test(a))
    .join(' ')
}

export interface StartOptions {
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  readonly execArgv: readonly string[]
}

/** Starting a zygote: its fork flags, and where its children connect back to. */
export interface ZygoteStart {
  readonly flags: readonly string[]
  readonly connectPath: string
}

/** The zygote's control socket (fork requests in, reports out), the fd after the watchdog's. */
export const ZYGOTE_CONTROL_FD = WATCHDOG_FD + 1

/** A fresh Node process running the child entry (the fresh model, and every zygote). */
export class ChildHandle implements Child {
  readonly model = 'fresh' as const
  readonly proc: ChildProcess
  readonly pid: number
  /** Its whole process tree, re-parented daemons included. */
  readonly containment: Containment
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>
  /** Resolves when it has exited and its stdout/stderr and channel are drained, or `DRAIN_AFTER_EXIT_MS` after the exit. */
  readonly closed: Promise<void>
  exitInfo: ExitInfo | undefined
  /** Resolves when the child has said it is ready for a request. */
  readonly ready: Promise<void>
  private readonly tail: StderrTail
  private readonly channel: ChannelEnd
  private readonly watchdog: Duplex | undefined
  private readonly toChild: Writable
  private readonly fromChild: Readable
  private watchdogBuffer = ''
  private watchdogWaiter: ((r: WatchdogReport) => void) | undefined

  /** A zygote's control socket. */
  readonly control: Duplex | undefined

  constructor(opts: StartOptions, zygote?: ZygoteStart) {
    const entry = fileURLToPath(new URL('./child-entry.js', import.meta.url))
    // With the native addon the child makes itself a subreaper (child/entry.ts): its orphans stay below it.
    this.containment = new Containment({ childIsSubreaper: loadAddon().addon !== undefined })
    const env: Record<string, string> = { ...opts.env, ...this.containment.env, [CHILD_ENV]: '1', [WATCH_ENV]: watchedProcesses() }
    if (zygote) env[ZYGOTE_CONFIG_ENV] = encodeZygoteConfig({ controlFd: ZYGOTE_CONTROL_FD, connectPath: zygote.connectPath, watchPids: watchedPids() })
    // Node would collect disk-mapped coverage for the whole process (a zygote's for every fork) and write
    // none, being killed after its answer; the request's env puts the variable back for the test's own
    // subprocesses (Vitest 5's autoAttachSubprocess). The child's coverage comes back as a message.
    delete env.NODE_V8_COVERAGE
    const nodeOptions = stripInspectFromNodeOptions(env.NODE_OPTIONS)
    if (nodeOptions === undefined || nodeOptions === '') delete env.NODE_OPTIONS
    else env.NODE_OPTIONS = nodeOptions
    this.proc = spawn(process.execPath, [...(zygote?.flags ?? []), ...withoutInspectFlags(opts.execArgv), entry], {
      cwd: opts.cwd,
      env,
      detached: !isWindows,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', ...(zygote ? (['pipe'] as const) : [])],
      windowsHide: true,
    })
    if (this.proc.pid === undefined) throw new Error('isolated-test: could not start a child process (spawn returned no pid).')
    this.pid = this.proc.pid
    this.containment.adopt(this.pid)
    trackChild(this.containment)
    logPids([this.pid])
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.exitInfo = { code, signal }
        untrackChild(this.containment)
        resolve(this.exitInfo)
      })
    })
    this.control = zygote ? (this.proc.stdio as unknown as Duplex[])[ZYGOTE_CONTROL_FD] : undefined
    this.toChild = this.proc.stdio[CHANNEL_IN_FD] as Writable
    this.fromChild = this.proc.stdio[CHANNEL_OUT_FD] as Readable
    this.channel = new ChannelEnd(this.toChild, this.fromChild)
    // Drained: every stream the child writes to has reached its end (all holders closed it).
    const ended = (s: Readable | null): Promise<unknown> => (s && !s.destroyed ? new Promise((resolve) => s.once('close', resolve)) : Promise.resolve())
    const drained = Promise.all([this.exited, ended(this.proc.stdout), ended(this.proc.stderr), ended(this.fromChild)])
    this.closed = Promise.race([drained, this.exited.then(() => delay(DRAIN_AFTER_EXIT_MS))]).then(() => this.release())
    this.ready = new Promise((resolve) => {
      const off = this.onMessage((m) => {
        if (m.kind !== 'ready') return
        off()
        resolve()
      })
    })
    this.proc.on('error', () => {})
    this.tail = new StderrTail(this.proc.stderr!)
    this.watchdog = (this.proc.stdio as unknown as (Duplex | undefined)[])[WATCHDOG_FD]
    this.watchdog?.on('data', (chunk: Buffer) => this.onWatchdogData(chunk.toString('utf8')))
    this.watchdog?.on('error', () => {})
  }

  /** Stops reading from a child that is gone: pipes a daemon still holds must not keep this process busy. */
  private release(): void {
    this.channel.close()
    for (const s of this.streams()) (s as { destroy?: () => void } | null | undefined)?.destroy?.()
  }

  private streams(): unknown[] {
    return [this.proc.stdout, this.proc.stderr, this.toChild, this.fromChild, this.watchdog]
  }

  /** A spare child must not keep the test process alive; a running one must. */
  unref(): void {
    this.proc.unref()
    // A closed stream has no handle: net.Socket would queue the call on a 'connect' that never comes
    // (one listener per call: Node's MaxListenersExceededWarning after ten forks).
    for (const s of this.streams() as ({ unref?: () => void; destroyed?: boolean } | null)[]) if (s && !s.destroyed) s.unref?.()
  }

  ref(): void {
    this.proc.ref()
    for (const s of this.streams() as ({ ref?: () => void; destroyed?: boolean } | null)[]) if (s && !s.destroyed) s.ref?.()
  }

  get stdout(): Readable {
    return this.proc.stdout!
  }
  get stderr(): Readable {
    return this.proc.stderr!
  }

  stderrTail(): string {
    return this.tail.text()
  }

  start(request: RunRequest): void {
    this.send({ [TAG]: true, kind: 'run', request })
  }

  send(message: unknown): void {
    if (!this.exitInfo) this.channel.send(message)
  }

  onMessage(listener: (message: ChildMessage) => void, other?: (message: unknown) => void): () => void {
    return this.channel.onMessage(listener, other)
  }

  /** Asks the watchdog thread where the main thread is; undefined if it does not answer in time. */
  captureStuck(waitMs: number): Promise<WatchdogReport | undefined> {
    if (!this.watchdog || this.exitInfo) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.watchdogWaiter = undefined
        resolve(undefined)
      }, waitMs)
      this.watchdogWaiter = (report) => {
        clearTimeout(timer)
        this.watchdogWaiter = undefined
        resolve(report)
      }
      this.watchdog!.write(`${JSON.stringify({ op: 'capture', waitMs })}\n`)
    })
  }

  private onWatchdogData(text: string): void {
    this.watchdogBuffer += text
    let nl: number
    while ((nl = this.watchdogBuffer.indexOf('\n')) >= 0) {
      const line = this.watchdogBuffer.slice(0, nl)
      this.watchdogBuffer = this.watchdogBuffer.slice(nl + 1)
      try {
        const report = JSON.parse(line) as WatchdogReport
        if (report.op === 'stuck') this.watchdogWaiter?.(report)
      } catch {
        // not ours
      }
    }
  }
}
