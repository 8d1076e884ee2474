// The worker's side of a zygote: spawns it (control socket on fd 3), asks for forks, matches each
// child's connect-back sockets, and turns the zygote's reports into promises.
import { spawn, type ChildProcess } from 'node:child_process'
import type { Socket } from 'node:net'
import { ConnectBackServer, type ChildSockets } from './connect-back.js'
import { encodeFork, encodeShutdown, ZygoteEventDecoder, type ByeReason, type ZygoteEvent } from './control-protocol.js'
import { ZYGOTE_CONFIG_ENV, encodeZygoteConfig } from './zygote-config.js'

export interface StartZygoteOptions {
  /** The node binary (the zygote must run with --single-threaded on its command line). */
  readonly node: string
  readonly execArgv: readonly string[]
  /** The zygote program: loads what children share, then calls serveForks(). */
  readonly script: string
  readonly args?: readonly string[]
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
  /** The runner's main process: its death, like the worker's, ends the zygote and every child's tree. */
  readonly mainPid?: number
  /** The zygote's own stdout/stderr (its module top level's output): 'pipe' (default) or 'inherit'. */
  readonly stdio?: 'pipe' | 'inherit'
  /** Leftovers of exited children that the zygote killed (re-parented daemons), for the pid log. */
  readonly onStrays?: (pids: readonly number[]) => void
}

export type ChildExit =
  | { readonly lost: false; readonly code: number | null; readonly signal: number | null; readonly maxRssKb: number; readonly userMicros: number; readonly systemMicros: number }
  | { readonly lost: true; readonly reason: string }

export interface ForkedChildHandle extends ChildSockets {
  readonly id: number
  readonly forkStartNs: bigint
  readonly forkCallMicros: number
  /** Settles when the zygote reaped the child (lost: the zygote died first). */
  readonly exited: Promise<ChildExit>
}

export interface ZygoteGone {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly bye?: { readonly reason: ByeReason; readonly pid: number }
}

interface Request {
  forked: (e: Extract<ZygoteEvent, { type: 'forked' }>) => void
  failed: (error: Error) => void
  exit: (e: ChildExit) => void
}

export class Zygote {
  readonly process: ChildProcess
  readonly ready: Extract<ZygoteEvent, { type: 'ready' }>
  /** Settles when the zygote process has exited. */
  readonly gone: Promise<ZygoteGone>
  readonly #control: Socket
  readonly #server: ConnectBackServer
  readonly #requests = new Map<number, Request>()
  #nextId = 1
  #goneReason: string | undefined

  private constructor(proc: ChildProcess, control: Socket, server: ConnectBackServer, ready: Extract<ZygoteEvent, { type: 'ready' }>, gone: Promise<ZygoteGone>) {
    this.process = proc
    this.#control = control
    this.#server = server
    this.ready = ready
    this.gone = gone
  }

  get pid(): number {
    return this.ready.pid
  }

  static async start(options: StartZygoteOptions): Promise<Zygote> {
    const server = await ConnectBackServer.listen()
    const watchPids = [process.pid, ...(options.mainPid && options.mainPid !== process.pid ? [options.mainPid] : [])]
    const out = options.stdio ?? 'pipe'
    const proc: ChildProcess = spawn(options.node, [...options.execArgv, options.script, ...(options.args ?? [])], {
      cwd: options.cwd,
      env: { ...(options.env ?? process.env), [ZYGOTE_CONFIG_ENV]: encodeZygoteConfig({ controlFd: 3, connectPath: server.address, watchPids }) },
      stdio: ['ignore', out, out, 'pipe'],
    })
    const control = proc.stdio[3] as Socket
    const decoder = new ZygoteEventDecoder()
    let bye: ZygoteGone['bye']
    let zygote: Zygote | undefined
    const early: ZygoteEvent[] = []
    // The end of the zygote's stderr, for the error when it dies before it is ready.
    let stderrTail = ''
    proc.stderr?.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-2000)))
    const gone = new Promise<ZygoteGone>((resolve) => {
      proc.once('exit', (code, signal) => {
        // Children that were not reported exited are beyond reach now.
        if (zygote) zygote.#loseAll(`the zygote exited (${signal ?? `code ${code}`}) before reporting it`)
        server.close()
        resolve({ code, signal, ...(bye && { bye }) })
      })
    })
    const ready = await new Promise<Extract<ZygoteEvent, { type: 'ready' }>>((resolve, reject) => {
      control.on('data', (chunk: Buffer) => {
        for (const event of decoder.push(chunk)) {
          if (event.type === 'bye') bye = { reason: event.reason, pid: event.pid }
          if (event.type === 'ready') resolve(event)
          else if (zygote) zygote.#onEvent(event, options)
          else early.push(event)
        }
      })
      control.on('error', () => {})
      void gone.then((g) => reject(new Error(`the zygote exited before it was ready (${g.signal ?? `code ${g.code}`})${stderrTail ? `:\n${stderrTail}` : ''}`)))
    })
    zygote = new Zygote(proc, control, server, ready, gone)
    for (const event of early) zygote.#onEvent(event, options)
    return zygote
  }

  /** Asks for a child; resolves once it is forked and its three sockets are connected. */
  fork(payload: Uint8Array | string = ''): Promise<ForkedChildHandle> {
    if (this.#goneReason) return Promise.reject(new Error(this.#goneReason))
    const id = this.#nextId++
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload
    return new Promise((resolve, reject) => {
      let exitResolve!: (e: ChildExit) => void
      const exited = new Promise<ChildExit>((r) => (exitResolve = r))
      let connected = false
      this.#requests.set(id, {
        forked: (e) => {
          void this.#server.sockets(id).then((sockets) => {
            connected = true
            resolve({ ...sockets, id, forkStartNs: e.forkStartNs, forkCallMicros: e.forkCallMicros, exited })
          })
        },
        failed: reject,
        exit: (e) => {
          exitResolve(e)
          if (connected) return
          this.#server.forget(id)
          reject(new Error(`the forked child exited before it connected back (${describeExit(e)})`))
        },
      })
      this.#control.write(encodeFork(id, bytes))
    })
  }

  /** Ends every child's tree and the zygote; resolves when it has exited. */
  shutdown(): Promise<ZygoteGone> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.#control.write(encodeShutdown())
    return this.gone
  }

  #onEvent(event: ZygoteEvent, options: StartZygoteOptions): void {
    if (event.type === 'strays') options.onStrays?.(event.pids)
    if (event.type !== 'forked' && event.type !== 'exit' && event.type !== 'fork-failed') return
    const request = this.#requests.get(event.id)
    if (!request) return
    if (event.type === 'forked') request.forked(event)
    else if (event.type === 'fork-failed') {
      this.#requests.delete(event.id)
      request.failed(new Error(`the zygote could not fork (errno ${event.errno})`))
    } else {
      this.#requests.delete(event.id)
      const { code, signal, maxRssKb, userMicros, systemMicros } = event
      request.exit({ lost: false, code, signal, maxRssKb, userMicros, systemMicros })
    }
  }

  #loseAll(reason: string): void {
    this.#goneReason = 'the zygote has exited'
    for (const [id, request] of this.#requests) {
      this.#requests.delete(id)
      request.failed(new Error(reason))
      request.exit({ lost: true, reason })
    }
  }
}

function describeExit(e: ChildExit): string {
  if (e.lost) return e.reason
  return e.signal !== null ? `signal ${e.signal}` : `code ${e.code}`
}
