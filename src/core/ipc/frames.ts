// Messages on our own channel: a 4-byte big-endian length, then the message as V8 serializes it
// (structured clone, what Node's 'advanced' IPC uses). Our own framing, so the channel works on any fd
// we own (a spawned child's pipes, a forked child's socket) and the child can write synchronously.
import { deserialize, serialize } from 'node:v8'

const HEADER = 4

export function encodeFrame(message: unknown): Buffer {
  const body = serialize(message)
  const frame = Buffer.allocUnsafe(HEADER + body.length)
  frame.writeUInt32BE(body.length, 0)
  body.copy(frame, HEADER)
  return frame
}

/** Collects chunks from a stream and yields each whole message once it has arrived. */
export class FrameReader {
  private chunks: Buffer[] = []
  private buffered = 0
  /** Size of the frame being collected (header included), once its header is in. */
  private want: number | undefined

  push(chunk: Buffer): unknown[] {
    this.chunks.push(chunk)
    this.buffered += chunk.length
    const out: unknown[] = []
    for (;;) {
      if (this.want === undefined) {
        if (this.buffered < HEADER) return out
        this.want = HEADER + this.flatten().readUInt32BE(0)
      }
      // Join chunks only once the whole frame is here, so a large message costs one copy.
      if (this.buffered < this.want) return out
      const all = this.flatten()
      out.push(deserialize(all.subarray(HEADER, this.want)))
      const rest = all.subarray(this.want)
      this.chunks = rest.length > 0 ? [rest] : []
      this.buffered = rest.length
      this.want = undefined
    }
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)]
    return this.chunks[0]!
  }
}
