// The child's end of our channel to the parent: messages come in on one fd (read as a stream) and go
// out on another, written synchronously, so nothing we sent is lost when we are killed right after, and
// everything arrives in the order it was sent. Listeners stay when the fds change (`attach`), so a
// framework wired to the link in one process keeps working in a process forked from it.
import { writeSync } from 'node:fs'
import { Socket } from 'node:net'
import { encodeFrame, FrameReader } from '../ipc/frames.js'

type Listener = (message: unknown) => void

export interface Link {
  send(message: unknown): void
  onMessage(listener: Listener): () => void
  /** Reads from `inFd` (or the socket already open on it) and writes to `outFd` from now on. */
  attach(inFd: number | Socket, outFd: number): void
  /** Stops reading (the parent's end is gone or a fork drops the zygote's fds). */
  detach(): void
}

const sleeper = new Int32Array(new SharedArrayBuffer(4))

function writeAll(fd: number, bytes: Buffer): void {
  for (let off = 0; off < bytes.length; ) {
    try {
      off += writeSync(fd, bytes, off, bytes.length - off)
    } catch (error) {
      // A non-blocking fd that is full: wait a moment for the parent to read, then go on.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
      Atomics.wait(sleeper, 0, 0, 1)
    }
  }
}

export function createLink(): Link {
  const listeners = new Set<Listener>()
  let outFd = -1
  let input: Socket | undefined
  const deliver = (message: unknown): void => {
    for (const l of [...listeners]) l(message)
  }
  const link: Link = {
    send(message) {
      if (outFd < 0) throw new Error('isolated-test: the child has no channel to its parent.')
      writeAll(outFd, encodeFrame(message))
    },
    onMessage(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    attach(inFd, out) {
      link.detach()
      outFd = out
      const reader = new FrameReader()
      input = typeof inFd === 'number' ? new Socket({ fd: inFd, readable: true, writable: false }) : inFd
      input.on('data', (chunk: Buffer) => {
        for (const m of reader.push(chunk)) deliver(m)
      })
      // The parent closed its end: it is gone or done with us; the watchdog ends the tree.
      input.on('error', () => {})
    },
    detach() {
      input?.removeAllListeners('data')
      input?.destroy()
      input = undefined
    },
  }
  return link
}
