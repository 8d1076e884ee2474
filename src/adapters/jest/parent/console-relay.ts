// A Jest child's output, as it would appear in-process: console calls (which arrive on the channel with
// their type and origin) go through the test's console, so Jest attributes, buffers or prints them as
// it does in-process; the test's own raw bytes on stdout/stderr go, unchanged, to this worker's stdout
// and stderr, where a raw write made in-process goes too.
import { realProcess } from '../../../core/real-process.js'
import type { ConsoleFrame } from '../protocol.js'
import type { TestConsole } from '../circus-types.js'

const DIRECT = new Set(['log', 'info', 'warn', 'error', 'debug'])
const TO_ERROR = new Set(['assert', 'trace'])

interface BufferedEntry {
  origin: string
}

// The real streams: in Jest's sandbox, `process` is a copy.
const real = realProcess

export interface RawSink {
  write(stream: 'stdout' | 'stderr', text: string): void
}

// jest-worker watches its worker's stderr for V8's out-of-memory report and then kills the worker
// (jest-worker's _detectOutOfMemoryCrash). A child's OOM is the child's crash, reported as such: its
// report goes to the worker's stdout instead, byte for byte, so the worker and its other tests live on.
const OOM_MARKERS = ['heap out of memory', 'allocation failure;', 'Last few GCs']
const MARKER_ROOM = Math.max(...OOM_MARKERS.map((m) => m.length))

/** Writes to the real streams; stderr text that would make jest-worker kill this worker goes to stdout. */
export class ProcessSink implements RawSink {
  private stderrTail = ''
  constructor(private readonly streams: Record<'stdout' | 'stderr', { write(text: string): unknown }> = real) {}

  write(stream: 'stdout' | 'stderr', text: string): void {
    if (stream === 'stderr') {
      // A marker may be split across two writes: look at the end of the last one too.
      const seen = this.stderrTail + text
      this.stderrTail = seen.slice(-MARKER_ROOM)
      if (OOM_MARKERS.some((m) => seen.includes(m))) stream = 'stdout'
    }
    this.streams[stream].write(text)
  }
}

export class ConsoleRelay {
  constructor(
    private readonly console: TestConsole,
    private readonly raw: RawSink = new ProcessSink(),
  ) {}

  /** Raw output, as it comes. */
  write(stream: 'stdout' | 'stderr', text: string): void {
    this.raw.write(stream, text)
  }

  /** One console call of the child, with its type, attributed to where the child's code made it. */
  call(frame: ConsoleFrame): void {
    const method = DIRECT.has(frame.type) ? frame.type : TO_ERROR.has(frame.type) ? 'error' : 'log'
    // Jest's BufferedConsole records where each call came from: ours, unless we say the child's.
    const buffer = (this.console as unknown as { _buffer?: BufferedEntry[] })._buffer
    const before = Array.isArray(buffer) ? buffer.length : -1
    // '%s' so a message that contains format specifiers is printed as it is.
    ;(this.console[method as keyof TestConsole] as (...args: unknown[]) => void).call(this.console, '%s', frame.message)
    if (Array.isArray(buffer) && buffer.length === before + 1 && frame.origin) buffer[before]!.origin = frame.origin
  }

  /** Nothing is held: kept for the callers that end a child's output. */
  flush(): void {}
}
