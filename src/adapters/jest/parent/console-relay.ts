// Replays a Jest child's output through the test's console, so Jest attributes it to the file, buffers
// or prints it as it does in-process, and never sees it after the test is done ("Cannot log after tests
// are done"). Console calls arrive on the channel with their type and origin; the test's own raw bytes
// on stdout/stderr arrive as text, line by line.
import type { ConsoleFrame } from '../protocol.js'
import type { TestConsole } from '../circus-types.js'

const DIRECT = new Set(['log', 'info', 'warn', 'error', 'debug'])
const TO_ERROR = new Set(['assert', 'trace'])

interface BufferedEntry {
  origin: string
}

export class ConsoleRelay {
  private readonly partial = { stdout: '', stderr: '' }

  constructor(private readonly console: TestConsole) {}

  /** Raw output: whole lines go out as they complete. */
  write(stream: 'stdout' | 'stderr', text: string): void {
    const lines = (this.partial[stream] + text).split('\n')
    this.partial[stream] = lines.pop() ?? ''
    if (lines.length > 0) this.raw(stream, lines.join('\n'))
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

  /** Emits a last line without its newline: call once the child's streams are closed. */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.raw(stream, this.partial[stream])
      this.partial[stream] = ''
    }
  }

  private raw(stream: 'stdout' | 'stderr', text: string): void {
    if (stream === 'stdout') this.console.log('%s', text)
    else this.console.error('%s', text)
  }
}
