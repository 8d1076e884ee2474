// What the run of one test needs from its child process, whichever way the child came to be: a fresh
// Node process (child-process.ts) or a fork of a zygote (forked-child.ts). And the parts both share:
// our message channel's parent end, and the tail of the child's stderr for crash messages.
import type { Readable, Writable } from 'node:stream'
import { isOurs, type ChildMessage, type RunRequest, type WatchdogReport } from '../ipc/protocol.js'
import { encodeFrame, FrameReader } from '../ipc/frames.js'
import type { Containment } from './containment/index.js'
import type { ExitUsage } from './resources/figures.js'

export interface ExitInfo {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export type ProcessModel = 'fresh' | 'fork-server'

export interface Child {
  readonly model: ProcessModel
  readonly pid: number
  /** Its whole process tree, re-parented daemons included. */
  readonly containment: Containment
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>
  /** Resolves once it has exited and its output and channel are drained (bounded after the exit). */
  readonly closed: Promise<void>
  readonly exitInfo: ExitInfo | undefined
  /** What wait4 said about its resources, when its reaper tells us (the zygote does, for a fork). */
  readonly exitUsage?: ExitUsage | undefined
  /** A fork's resident size (kB) as it began, before any test code ran, as it said itself. */
  readonly rssAtForkKb?: number | undefined
  /** Resolves when the child can take `start(request)`. */
  readonly ready: Promise<void>
  readonly stdout: Readable
  readonly stderr: Readable
  /**
   * Resolves when stdout and stderr have ended, if the child ends them with its answer (a forked child
   * does): its output is then complete without waiting for its death. Undefined: wait for `closed`.
   */
  readonly outputEnded?: Promise<void> | undefined
  /** Hands the child its request (a forked child was forked with it: nothing to do). */
  start(request: RunRequest): void
  stderrTail(): string
  send(message: unknown): void
  onMessage(listener: (message: ChildMessage) => void, other?: (message: unknown) => void): () => void
  /** Where the child is stuck, or undefined when it cannot say in `waitMs`. */
  captureStuck(waitMs: number): Promise<WatchdogReport | undefined>
}

/** The parent's end of our message channel: frames out on `out`, frames in from `input`. */
export class ChannelEnd {
  private readonly listeners = new Set<(message: unknown) => void>()
  private open = true

  constructor(
    private readonly out: Writable,
    input: Readable,
  ) {
    const reader = new FrameReader()
    input.on('data', (chunk: Buffer) => {
      for (const m of reader.push(chunk)) for (const l of [...this.listeners]) l(m)
    })
    // A closed channel of a dead child is expected: its exit reports what happened.
    out.on('error', () => {})
    input.on('error', () => {})
  }

  send(message: unknown): void {
    if (!this.open || this.out.destroyed) return
    this.out.write(encodeFrame(message))
  }

  close(): void {
    this.open = false
  }

  onMessage(listener: (message: ChildMessage) => void, other?: (message: unknown) => void): () => void {
    const handler = (message: unknown): void => {
      if (isOurs(message)) listener(message as ChildMessage)
      else other?.(message)
    }
    this.listeners.add(handler)
    return () => this.listeners.delete(handler)
  }
}

const STDERR_TAIL_LINES = 20

/** V8's fatal-error line: kept even when a long native stack trace (Node 24) pushes it out of the tail. */
const FATAL_LINE = /FATAL ERROR: .*(?:heap out of memory|Allocation failed)/
/** A GC line of V8's out-of-memory report ("Mark-Compact 64.6 (97.5) -> 64.6 (97.5) MB"): kept with the fatal line. */
const GC_LINE = /(\d+(?:\.\d+)?) \(\d+(?:\.\d+)?\) -> (\d+(?:\.\d+)?) \(\d+(?:\.\d+)?\) MB/g
const GC_ONE = new RegExp(GC_LINE.source)

/**
 * What a child's stderr tail says about a V8 out-of-memory crash: undefined when it shows none; else
 * the most heap (MB) its last GCs saw, when they are in the tail.
 */
export function v8OutOfMemory(tail: string): { readonly heapMb: number | undefined } | undefined {
  if (!FATAL_LINE.test(tail)) return undefined
  let heapMb: number | undefined
  for (const m of tail.matchAll(GC_LINE)) heapMb = Math.max(heapMb ?? 0, Number(m[1]), Number(m[2]))
  return { heapMb }
}

/** The last lines a child wrote to stderr, for crash messages. */
export class StderrTail {
  private readonly lines: string[] = []
  private partial = ''
  private fatal: string | undefined
  /** The last GC line before the fatal one (the heap at the crash). */
  private gc: string | undefined

  constructor(stream: Readable) {
    stream.on('data', (chunk: Buffer) => this.keep(chunk.toString('utf8')))
  }

  text(): string {
    const lines = [...this.lines]
    if (this.partial) lines.push(this.partial)
    const tail = lines.slice(-STDERR_TAIL_LINES)
    if (this.fatal && !tail.includes(this.fatal)) tail.unshift(this.fatal, '…')
    if (this.gc && !tail.includes(this.gc)) tail.unshift(this.gc)
    return tail.join('\n')
  }

  private keep(text: string): void {
    const parts = (this.partial + text).split('\n')
    this.partial = parts.pop() ?? ''
    if (this.fatal === undefined) {
      for (const line of parts) {
        if (FATAL_LINE.test(line)) {
          this.fatal = line
          break
        }
        if (GC_ONE.test(line)) this.gc = line
      }
    }
    this.lines.push(...parts)
    if (this.lines.length > STDERR_TAIL_LINES * 2) this.lines.splice(0, this.lines.length - STDERR_TAIL_LINES)
  }
}
