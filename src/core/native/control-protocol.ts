// Frames on a zygote's control socket (the C side is native/src/protocol.h): u32 length of what
// follows, u8 type, body; little-endian.
import type { ExitStatus } from './addon.js'
const FORK = 1
const SHUTDOWN = 2
const PREFORK = 3
const WRITESET = 4
const READY = 0x81
const FORKED = 0x82
const EXIT = 0x83
const FORK_FAILED = 0x84
const STRAYS = 0x85
const BYE = 0x86
const FRAME_MAX = 64 << 20

export type ByeReason = 'control-closed' | 'watched-died' | 'shutdown'

export type ZygoteEvent =
  | { readonly type: 'ready'; readonly pid: number; readonly pidfd: boolean; readonly dontforkRanges: number; readonly dontforkBytes: number }
  | { readonly type: 'forked'; readonly id: number; readonly pid: number; readonly forkStartNs: bigint; readonly forkCallMicros: number }
  | ({ readonly type: 'exit'; readonly id: number } & ExitStatus)
  | { readonly type: 'fork-failed'; readonly id: number; readonly errno: number }
  | { readonly type: 'strays'; readonly pids: readonly number[] }
  | { readonly type: 'bye'; readonly reason: ByeReason; readonly pid: number }

export function encodeFork(id: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(9 + payload.length)
  frame.writeUInt32LE(5 + payload.length, 0)
  frame[4] = FORK
  frame.writeUInt32LE(id, 5)
  frame.set(payload, 9)
  return frame
}

/** A spare, forked ahead: its payload goes on its own channel later (`encodeSparePayload`). */
export function encodePrefork(id: number): Buffer {
  const frame = Buffer.allocUnsafe(9)
  frame.writeUInt32LE(5, 0)
  frame[4] = PREFORK
  frame.writeUInt32LE(id, 5)
  return frame
}

/** What a spare reads on its channel before any message: u32 length, the payload. */
export function encodeSparePayload(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(4 + payload.length)
  frame.writeUInt32LE(payload.length, 0)
  frame.set(payload, 4)
  return frame
}

/** A run of pages: its first page's address and how many pages. */
export interface PageRun {
  readonly start: bigint
  readonly pages: number
}

/** The pages children are seen to write: each child forked after it pre-copies them (native/src/serve.c `prefault`). */
export function encodeWriteSet(runs: readonly PageRun[]): Buffer {
  const frame = Buffer.allocUnsafe(9 + 12 * runs.length)
  frame.writeUInt32LE(5 + 12 * runs.length, 0)
  frame[4] = WRITESET
  frame.writeUInt32LE(runs.length, 5)
  runs.forEach((r, i) => {
    frame.writeBigUInt64LE(r.start, 9 + 12 * i)
    frame.writeUInt32LE(r.pages, 17 + 12 * i)
  })
  return frame
}

export function encodeShutdown(): Buffer {
  const frame = Buffer.alloc(5)
  frame.writeUInt32LE(1, 0)
  frame[4] = SHUTDOWN
  return frame
}

/** Turns the zygote's byte stream into events. */
export class ZygoteEventDecoder {
  #pending: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): ZygoteEvent[] {
    this.#pending = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk
    const events: ZygoteEvent[] = []
    let off = 0
    while (this.#pending.length - off >= 5) {
      const len = this.#pending.readUInt32LE(off)
      if (len < 1 || len > FRAME_MAX) throw new Error(`zygote control: bad frame length ${len}`)
      if (this.#pending.length - off < 4 + len) break
      events.push(decode(this.#pending.subarray(off + 4, off + 4 + len)))
      off += 4 + len
    }
    this.#pending = this.#pending.subarray(off)
    return events
  }
}

function decode(f: Buffer): ZygoteEvent {
  const b = f.subarray(1)
  switch (f[0]) {
    case READY:
      return { type: 'ready', pid: b.readUInt32LE(0), pidfd: (b.readUInt32LE(4) & 1) === 1, dontforkRanges: b.readUInt32LE(8), dontforkBytes: Number(b.readBigUInt64LE(12)) }
    case FORKED:
      return { type: 'forked', id: b.readUInt32LE(0), pid: b.readUInt32LE(4), forkStartNs: b.readBigUInt64LE(8), forkCallMicros: b.readUInt32LE(16) }
    case EXIT: {
      const code = b.readInt32LE(8)
      const signal = b.readInt32LE(12)
      return {
        type: 'exit',
        id: b.readUInt32LE(0),
        pid: b.readUInt32LE(4),
        code: code < 0 ? null : code,
        signal: signal === 0 ? null : signal,
        maxRssKb: Number(b.readBigUInt64LE(16)),
        userMicros: Number(b.readBigUInt64LE(24)),
        systemMicros: Number(b.readBigUInt64LE(32)),
      }
    }
    case FORK_FAILED:
      return { type: 'fork-failed', id: b.readUInt32LE(0), errno: b.readInt32LE(4) }
    case STRAYS: {
      const count = b.readUInt32LE(0)
      return { type: 'strays', pids: Array.from({ length: count }, (_, i) => b.readUInt32LE(4 + 4 * i)) }
    }
    case BYE: {
      const reasons: ByeReason[] = ['control-closed', 'watched-died', 'shutdown']
      return { type: 'bye', reason: reasons[b.readUInt32LE(0) - 1] ?? 'control-closed', pid: b.readUInt32LE(4) }
    }
    default:
      throw new Error(`zygote control: unknown frame type ${f[0]}`)
  }
}
