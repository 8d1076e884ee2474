// Starts one child: a fresh Node process leading its own process group, with the IPC channel, piped
// stdout/stderr and the watchdog pipe. Nothing here knows about tests.
import { spawn, type ChildProcess } from 'node:child_process'
import type { Readable, Duplex } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { CHILD_ENV, isOurs, WATCHDOG_FD, type ChildMessage, type WatchdogReport } from '../ipc/protocol.js'
import { trackChild, untrackChild } from './exit-guard.js'
import { logPids } from './pid-log.js'

const isWindows = process.platform === 'win32'
const STDERR_TAIL_LINES = 20

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

export interface ExitInfo {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export class ChildHandle {
  readonly proc: ChildProcess
  readonly pid: number
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>
  /** Resolves when it has exited and its stdout/stderr are drained. */
  readonly closed: Promise<void>
  exitInfo: ExitInfo | undefined
  /** Resolves when the child has said it is ready for a request. */
  readonly ready: Promise<void>
  private readonly stderrLines: string[] = []
  private stderrPartial = ''
  private readonly watchdog: Duplex | undefined
  private watchdogBuffer = ''
  private watchdogWaiter: ((r: WatchdogReport) => void) | undefined

  constructor(opts: StartOptions) {
    const entry = fileURLToPath(new URL('./child-entry.js', import.meta.url))
    const env: Record<string, string> = { ...opts.env, [CHILD_ENV]: '1' }
    const nodeOptions = stripInspectFromNodeOptions(env.NODE_OPTIONS)
    if (nodeOptions === undefined || nodeOptions === '') delete env.NODE_OPTIONS
    else env.NODE_OPTIONS = nodeOptions
    this.proc = spawn(process.execPath, [...withoutInspectFlags(opts.execArgv), entry], {
      cwd: opts.cwd,
      env,
      detached: !isWindows,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
      serialization: 'advanced',
      windowsHide: true,
    })
    if (this.proc.pid === undefined) throw new Error('isolated-test: could not start a child process (spawn returned no pid).')
    this.pid = this.proc.pid
    trackChild(this.pid)
    logPids([this.pid])
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.exitInfo = { code, signal }
        untrackChild(this.pid)
        resolve(this.exitInfo)
      })
    })
    this.closed = new Promise((resolve) => this.proc.once('close', () => resolve()))
    this.ready = new Promise((resolve) => {
      const onReady = (m: unknown): void => {
        if (isOurs(m) && (m as ChildMessage).kind === 'ready') {
          this.proc.off('message', onReady)
          resolve()
        }
      }
      this.proc.on('message', onReady)
    })
    // A closed IPC channel on a dead child is expected; the exit event reports what happened.
    this.proc.on('error', () => {})
    this.proc.stderr!.on('data', (chunk: Buffer) => this.keepStderr(chunk.toString('utf8')))
    this.watchdog = this.proc.stdio[WATCHDOG_FD] as Duplex | undefined
    this.watchdog?.on('data', (chunk: Buffer) => this.onWatchdogData(chunk.toString('utf8')))
    this.watchdog?.on('error', () => {})
  }

  /** A spare child must not keep the test process alive; a running one must. */
  unref(): void {
    this.proc.unref()
    this.proc.channel?.unref()
    for (const s of [this.proc.stdout, this.proc.stderr, this.watchdog] as unknown as ({ unref?: () => void } | null)[]) s?.unref?.()
  }

  ref(): void {
    this.proc.ref()
    this.proc.channel?.ref()
    for (const s of [this.proc.stdout, this.proc.stderr, this.watchdog] as unknown as ({ ref?: () => void } | null)[]) s?.ref?.()
  }

  get stdout(): Readable {
    return this.proc.stdout!
  }
  get stderr(): Readable {
    return this.proc.stderr!
  }

  /** The last lines the child wrote to stderr, for crash messages. */
  stderrTail(): string {
    const lines = [...this.stderrLines]
    if (this.stderrPartial) lines.push(this.stderrPartial)
    return lines.slice(-STDERR_TAIL_LINES).join('\n')
  }

  private keepStderr(text: string): void {
    const parts = (this.stderrPartial + text).split('\n')
    this.stderrPartial = parts.pop() ?? ''
    this.stderrLines.push(...parts)
    if (this.stderrLines.length > STDERR_TAIL_LINES * 2) this.stderrLines.splice(0, this.stderrLines.length - STDERR_TAIL_LINES)
  }

  send(message: unknown): void {
    if (!this.proc.connected) return
    this.proc.send(message as never, (error) => {
      // The child died between our check and the write: its exit is reported instead.
      void error
    })
  }

  onMessage(listener: (message: ChildMessage) => void, other?: (message: unknown) => void): () => void {
    const handler = (message: unknown): void => {
      if (isOurs(message)) listener(message as ChildMessage)
      else other?.(message)
    }
    this.proc.on('message', handler)
    return () => this.proc.off('message', handler)
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
      this.watchdog!.write(`${JSON.stringify({ op: 'capture' })}\n`)
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
