// A zygote, seen from the test worker: a fresh child started with the fork flags and asked to collect
// the test file; once it is ready, each fork request gives a ForkedChild. The zygote's own output (the
// file's top-level output, once) and its framework traffic while it boots go to the caller.
import { trace } from '../trace.js'
import { serialize } from 'node:v8'
import type { Duplex } from 'node:stream'
import type { ChildMessage, RunRequest } from '../ipc/protocol.js'
import { ConnectBackServer } from '../native/connect-back.js'
import { encodeFork, encodePrefork, encodeShutdown, encodeSparePayload, encodeWriteSet, ZygoteEventDecoder, type ZygoteEvent } from '../native/control-protocol.js'
import { intersect, MAX_WRITE_SET_PAGES, toRuns, withinMappingsOf, writtenPages } from './write-set.js'
import type { ChildSockets } from '../native/connect-back.js'
import type { ChildExit } from '../native/zygote-client.js'
import { deserializeThrown } from '../ipc/serialize.js'
import { ChildHandle, type StartOptions } from './child-process.js'
import { ForkedChild, type StackAsker } from './forked-child.js'
import { loadAddon } from '../native/addon.js'
import { Containment } from './containment/index.js'
import { logPids } from './pid-log.js'
import { heapCapOf } from './resources/heap-cap.js'

export interface ZygoteOptions {
  readonly start: StartOptions
  /** The fork flags for this Node major (process-model.ts). */
  readonly flags: readonly string[]
  /** What to collect: the adapter's request with target `{ kind: 'zygote' }`. */
  readonly request: RunRequest
  /** The framework's traffic while the zygote boots and collects (module fetches...). */
  readonly onOther: (message: unknown, zygote: ChildHandle) => void
  readonly onOutput: (type: 'stdout' | 'stderr', text: string) => void
  /** The framework's source map of a module whose code names none (Vitest 5), for a child's stack answer. */
  readonly sourceMap?: ((file: string) => object | undefined) | undefined
}

/** Why a zygote cannot serve: it refused (what the import left open), or it failed (boot error, crash). */
export type ZygoteState = { readonly ok: true } | { readonly ok: false; readonly refused: boolean; readonly reason: string }

interface Pending {
  connected: boolean
  child?: ForkedChild
  readonly reject: (error: Error) => void
  readonly exit: (e: ChildExit) => void
  /** A spare forked ahead, no test handed to it yet: it runs no code of the user's and holds nothing up. */
  spare?: boolean
}

/** A child forked ahead of its test (FRAME_PREFORK), waiting for its payload on its channel. */
interface Spare {
  readonly id: number
  readonly containment: Containment
  readonly pending: Pending
  readonly exited: Promise<ChildExit>
  /** Its sockets once it connected back; rejects when it died first. */
  readonly sockets: Promise<ChildSockets>
}

/**
 * The gist of a dead zygote's stderr, for a one-line notice. Never the raw tail: a test worker's stderr
 * is watched by some runners (jest-worker kills a worker whose stderr shows V8's out-of-memory report).
 */
function whyItDied(stderrTail: string, start: ZygoteOptions['start']): string {
  if (/heap out of memory|Allocation failed/i.test(stderrTail)) {
    const cap = heapCapOf(start, undefined).capMb
    // With a memoryLimit the zygote's cap is the limit + 25% + 64 MB (resources/heap-cap.ts): its import may need more.
    return `: it ran out of memory${cap === undefined ? '' : ` under its V8 heap cap of ${cap} MB (with a memoryLimit: the limit + 25% + 64 MB, unless execArgv sets one)`} (raise --max-old-space-size through the \`execArgv\` option)`
  }
  const last = stderrTail.trim().split('\n').pop()?.trim()
  return last ? `: ${last.slice(0, 200)}` : ''
}

/** The exit codes a forked child uses when its set-up in C fails, before it connects back (native/src/child.h). */
const CHILD_SETUP_EXIT_MIN = 250
/** How long the sockets of a child that exited may still take to be accepted (an extreme bound: they are queued). */
const LATE_SOCKETS_MS = 5000

export class Zygote {
  readonly process: ChildHandle
  /** How it was started (its execArgv holds the heap cap its forks share). */
  readonly start: ZygoteOptions['start']
  /** Settles once the zygote serves forks, or cannot. */
  readonly state: Promise<ZygoteState>
  private readonly control: Duplex
  private readonly server: ConnectBackServer
  private readonly sourceMap: ZygoteOptions['sourceMap']
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private gone: string | undefined
  private spare: Spare | undefined
  private forks = 0

  private constructor(server: ConnectBackServer, o: ZygoteOptions) {
    this.server = server
    this.sourceMap = o.sourceMap
    this.start = o.start
    trace('p.zygote.spawn')
    this.process = new ChildHandle(o.start, { flags: o.flags, connectPath: server.address })
    this.control = this.process.control!
    const decoder = new ZygoteEventDecoder()
    let settle!: (s: ZygoteState) => void
    this.state = new Promise((resolve) => (settle = resolve))
    this.control.on('error', () => {})
    this.control.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.type === 'ready') {
          trace('p.zygote.ready')
          settle({ ok: true })
          this.holdLoop()
        } else this.onEvent(event)
      }
    })
    this.process.onMessage(
      (m: ChildMessage) => {
        if (m.kind === 'zygote-refused') settle({ ok: false, refused: true, reason: `the test file leaves open ${m.reasons.join(', ')} when it is imported, which every forked child would share` })
        if (m.kind === 'fatal') settle({ ok: false, refused: false, reason: `it failed while collecting the file: ${String((deserializeThrown(m.error) as Error)?.message ?? m.error)}` })
      },
      (message) => o.onOther(message, this.process),
    )
    for (const [stream, type] of [[this.process.stdout, 'stdout'], [this.process.stderr, 'stderr']] as const) {
      stream.on('data', (chunk: Buffer) => o.onOutput(type, chunk.toString('utf8')))
    }
    void this.process.ready.then(() => {
      trace('p.zygote.start')
      this.process.start(o.request)
    })
    void this.process.exited.then((info) => {
      this.gone = `the zygote (pid ${this.process.pid}) ${info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`}`
      settle({ ok: false, refused: false, reason: `${this.gone} before it was ready${whyItDied(this.process.stderrTail(), o.start)}` })
      for (const [id, p] of this.pending) {
        this.pending.delete(id)
        p.reject(new Error(this.gone))
        p.exit({ lost: true, reason: this.gone })
      }
      server.close()
    })
  }

  static async start(o: ZygoteOptions): Promise<Zygote> {
    return new Zygote(await ConnectBackServer.listen(), o)
  }

  get pid(): number {
    return this.process.pid
  }

  /**
   * True while a child it forked may still run test code: ending the zygote now would end that child
   * too. A child whose output has ended answered (we are ending it) or died, even if its exit is not in.
   */
  get busy(): boolean {
    for (const p of this.pending.values()) if (!p.spare && !p.child?.outputDone) return true
    return false
  }

  /** Why the zygote is gone, once it is. */
  get death(): string | undefined {
    return this.gone
  }

  /**
   * A zygote keeps the test worker alive only while a fork is on its way (its children's own sockets
   * hold it while they run): an idle one must not keep a runner from exiting (the exit guard ends it).
   */
  private holdLoop(): void {
    let connecting = false
    for (const p of this.pending.values()) connecting ||= !p.connected && !p.spare
    if (connecting) this.process.ref()
    else this.process.unref()
    ;(this.control as { ref?: () => void; unref?: () => void })[connecting ? 'ref' : 'unref']?.()
    this.server.hold(connecting)
  }

  /**
   * A child forked for `request`, with its three sockets connected. From the second fork of a zygote
   * on, the next child is forked ahead while this one runs (a fork and its connect-back measured 50-70
   * ms on the 2-core VM, now off the test's path); a file of one test forks no spare.
   */
  async fork(request: RunRequest, memoryLimitMb?: number): Promise<ForkedChild> {
    if (this.gone) throw new Error(this.gone)
    this.forks++
    const spare = this.spare
    this.spare = undefined
    const child = spare ? await this.handOver(spare, request, memoryLimitMb).catch(() => this.forkNow(request, memoryLimitMb)) : await this.forkNow(request, memoryLimitMb)
    if (this.forks >= 2) this.prefork()
    // Read once its answer is in, before it is ended (the caller's wait on outputEnded comes after ours).
    if (this.learning < 2 && process.env.ISOLATED_TEST_PREFAULT !== '0') void child.outputEnded.then(() => this.learnWrites(child.pid))
    return child
  }

  /** Children read for their written pages so far (two, then the write set is sent, or not). */
  private learning = 0
  private firstWrites: number[] | undefined

  /**
   * What two children both wrote, within the zygote's mappings, becomes the zygote's write set: every
   * child forked after pre-copies those pages in one madvise per run instead of a page fault each
   * (write-set.ts). A test's own heavy writes differ between children, so they drop out.
   */
  private learnWrites(pid: number): void {
    if (this.gone || this.learning >= 2) return
    const pages = writtenPages(pid)
    if (!pages) return
    trace('p.writes.read')
    if (++this.learning === 1) {
      this.firstWrites = pages
      return
    }
    const both = withinMappingsOf(this.process.pid, intersect(this.firstWrites!, pages))
    this.firstWrites = undefined
    if (!both || both.length === 0 || both.length > MAX_WRITE_SET_PAGES) return
    this.control.write(encodeWriteSet(toRuns(both)))
  }

  /** Gives a spare its request: written on its channel, which it reads before running any JS. */
  private async handOver(spare: Spare, request: RunRequest, memoryLimitMb: number | undefined): Promise<ForkedChild> {
    const sockets = await spare.sockets
    if (this.gone) throw new Error(this.gone)
    // Its cgroup (where there is one) gets the limit before the request: it joins it as its JS starts.
    if (memoryLimitMb !== undefined) spare.containment.limitMemory(memoryLimitMb)
    spare.pending.spare = false
    this.holdLoop()
    trace('p.fork.write')
    const forked: RunRequest = { ...request, env: { ...request.env, ...spare.containment.env } }
    sockets.channel.write(encodeSparePayload(serialize(forked)))
    const child = new ForkedChild(sockets, spare.exited, spare.containment, this.stackAsker(spare.id))
    spare.pending.child = child
    return child
  }

  /** Forks a spare now; it connects back and waits for a request (or dies with the zygote). */
  private prefork(): void {
    if (this.gone || this.spare) return
    const id = this.nextId++
    const containment = new Containment({ childIsSubreaper: true })
    let exit!: (e: ChildExit) => void
    const exited = new Promise<ChildExit>((r) => (exit = r))
    let reject!: (error: Error) => void
    const sockets = new Promise<ChildSockets>((resolve, fail) => {
      reject = fail
      void this.server.sockets(id).then((s) => {
        pending.connected = true
        // Ours from now: the pid log lists it even if it is never used (it dies with the zygote).
        logPids([s.pid])
        resolve(s)
      })
    })
    sockets.catch(() => {})
    const pending: Pending = { connected: false, reject, exit, spare: true }
    this.pending.set(id, pending)
    this.spare = { id, containment, pending, exited, sockets }
    // A spare that dies unused (its exit comes through onEvent, or with its zygote) is dropped, with its
    // (empty) cgroup; the next test forks anew.
    void exited.then(() => {
      if (this.spare?.id === id) this.spare = undefined
      if (pending.spare) containment.dispose()
    })
    this.control.write(encodePrefork(id))
  }

  private forkNow(request: RunRequest, memoryLimitMb: number | undefined): Promise<ForkedChild> {
    if (this.gone) return Promise.reject(new Error(this.gone))
    const id = this.nextId++
    // The fork's own containment token: its processes carry it, not the zygote's. Its cgroup (where
    // there is one) has its memory limit before the fork: the child joins it before it allocates.
    const containment = new Containment({ childIsSubreaper: true })
    if (memoryLimitMb !== undefined) containment.limitMemory(memoryLimitMb)
    const forked: RunRequest = { ...request, env: { ...request.env, ...containment.env } }
    return new Promise((resolve, reject) => {
      let exit!: (e: ChildExit) => void
      const exited = new Promise<ChildExit>((r) => (exit = r))
      // A fork that never connected has no child to end: its (empty) cgroup goes with it.
      const fail = (error: Error): void => {
        if (!pending.connected) containment.dispose()
        reject(error)
      }
      const pending: Pending = { connected: false, reject: fail, exit }
      this.pending.set(id, pending)
      this.holdLoop()
      trace('p.fork.write')
      void this.server.sockets(id).then((sockets) => {
        pending.connected = true
        pending.child = new ForkedChild(sockets, exited, containment, this.stackAsker(id))
        this.holdLoop()
        resolve(pending.child)
      })
      this.control.write(encodeFork(id, serialize(forked)))
    })
  }

  private stackAsker(id: number): StackAsker | undefined {
    const signal = loadAddon().addon?.stackSignal
    return signal === undefined ? undefined : { signal, answer: () => this.server.stackAnswer(id), sourceMap: this.sourceMap }
  }

  private onEvent(event: ZygoteEvent): void {
    if (event.type === 'strays') logPids(event.pids)
    if (event.type === 'fork-failed') {
      const p = this.pending.get(event.id)
      this.pending.delete(event.id)
      this.holdLoop()
      p?.reject(new Error(`the zygote (pid ${this.pid}) could not fork (errno ${event.errno})`))
    }
    if (event.type === 'exit') {
      const p = this.pending.get(event.id)
      this.pending.delete(event.id)
      this.holdLoop()
      const { code, signal, maxRssKb, userMicros, systemMicros } = event
      p?.exit({ lost: false, code, signal, maxRssKb, userMicros, systemMicros })
      if (p && !p.connected) {
        const fail = (): void => {
          if (p.connected) return
          this.server.forget(event.id)
          p.reject(new Error(`a child forked by the zygote (pid ${this.pid}) exited (${signal !== null ? `signal ${signal}` : `code ${code}`}) before it connected back`))
        }
        // A child connects back in C before any JavaScript runs: one that ended with a code of its own
        // (a test's process.exit, faster than this worker accepted its sockets) did connect, and its
        // sockets are still queued for us. Only the set-up codes (CHILD_EXIT_*, 250-254) mean it never
        // did; the bound is for a signal that struck before its connect.
        if (this.gone || (code !== null && code >= CHILD_SETUP_EXIT_MIN)) fail()
        else setTimeout(fail, LATE_SOCKETS_MS).unref()
      }
    }
  }

  /** Ends the zygote and every child of it. */
  shutdown(): void {
    if (this.gone) return
    try {
      this.control.write(encodeShutdown())
    } catch {
      // gone already
    }
    this.process.containment.killAll()
  }
}

