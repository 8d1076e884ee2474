// Replays a Jest child's output through the test's console, so Jest attributes it to the file, buffers
// or prints it as it does in-process, and never sees it after the test is done ("Cannot log after tests
// are done"). Console calls arrive framed with their type; other output arrives as raw text.
import { CONSOLE_FRAME, type ConsoleFrame } from '../protocol.js'
import type { TestConsole } from '../circus-types.js'

const DIRECT = new Set(['log', 'info', 'warn', 'error', 'debug'])
const TO_ERROR = new Set(['assert', 'trace'])

export class ConsoleRelay {
  private readonly partial = { stdout: '', stderr: '' }
  private readonly raw = { stdout: [] as string[], stderr: [] as string[] }

  constructor(private readonly console: TestConsole) {}

  write(stream: 'stdout' | 'stderr', text: string): void {
    const lines = (this.partial[stream] + text).split('\n')
    this.partial[stream] = lines.pop() ?? ''
    for (const line of lines) this.line(stream, line)
  }

  /** Emits everything still held: call once the child's streams are closed. */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.line(stream, this.partial[stream])
      this.partial[stream] = ''
      this.flushRaw(stream)
    }
  }

  private line(stream: 'stdout' | 'stderr', line: string): void {
    if (!line.startsWith(CONSOLE_FRAME)) {
      this.raw[stream].push(line)
      return
    }
    let frame: ConsoleFrame
    try {
      frame = JSON.parse(line.slice(CONSOLE_FRAME.length)) as ConsoleFrame
    } catch {
      // Cut short by a kill: keep what there is as raw text.
      this.raw[stream].push(line.slice(CONSOLE_FRAME.length))
      return
    }
    // Keep the order of raw output and console calls.
    this.flushRaw('stdout')
    this.flushRaw('stderr')
    const method = DIRECT.has(frame.type) ? frame.type : TO_ERROR.has(frame.type) ? 'error' : 'log'
    // '%s' so a message that contains format specifiers is printed as it is.
    ;(this.console[method as keyof TestConsole] as (...args: unknown[]) => void).call(this.console, '%s', frame.message)
  }

  private flushRaw(stream: 'stdout' | 'stderr'): void {
    const lines = this.raw[stream]
    if (lines.length === 0) return
    this.raw[stream] = []
    const text = lines.join('\n')
    if (stream === 'stdout') this.console.log('%s', text)
    else this.console.error('%s', text)
  }
}
