// A Jest child's output, as it would appear in-process: console calls (which arrive on the channel with
// their type and origin) go through the test's console, so Jest attributes, buffers or prints them as
// it does in-process; the test's own raw bytes on stdout/stderr go, unchanged, to this worker's stdout
// and stderr, where a raw write made in-process goes too.
import type { ConsoleFrame } from '../protocol.js'
import type { TestConsole } from '../circus-types.js'

const DIRECT = new Set(['log', 'info', 'warn', 'error', 'debug'])
const TO_ERROR = new Set(['assert', 'trace'])

interface BufferedEntry {
  origin: string
}

// The real streams: in Jest's sandbox, `process` is a copy.
const real = process.getBuiltinModule('node:process')

export interface RawSink {
  write(stream: 'stdout' | 'stderr', text: string): void
}

const processSink: RawSink = { write: (stream, text) => void real[stream].write(text) }

export class ConsoleRelay {
  constructor(
    private readonly console: TestConsole,
    private readonly raw: RawSink = processSink,
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
