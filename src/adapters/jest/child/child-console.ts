// The child's console: Jest's own CustomConsole (same formatting, groups, counters, timers), but every
// call is written as one framed line on stdout, synchronously, so the parent can replay it through the
// test's console with its type, and nothing is lost when the child is killed.
import { writeSync } from 'node:fs'
import { CONSOLE_FRAME, type ConsoleFrame } from '../protocol.js'
import type { TestConsole } from '../circus-types.js'
import type { CustomConsoleClass } from './load-jest.js'

export function createChildConsole(CustomConsole: CustomConsoleClass): TestConsole {
  class FramedConsole extends CustomConsole {
    // CustomConsole routes every method through these two (Jest 29 and 30).
    _log(type: string, message: string): void {
      write(type, message, (this as unknown as { _groupDepth?: number })._groupDepth ?? 0)
    }
    _logError(type: string, message: string): void {
      write(type, message, (this as unknown as { _groupDepth?: number })._groupDepth ?? 0)
    }
  }
  return new FramedConsole(process.stdout, process.stderr)
}

function write(type: string, message: string, groupDepth: number): void {
  const indented = groupDepth > 0 ? message.replace(/^/gm, '  '.repeat(groupDepth)) : message
  const frame: ConsoleFrame = { type, message: indented }
  // fd 1 directly: a sandboxed test may replace process.stdout.write.
  writeSync(1, `${CONSOLE_FRAME}${JSON.stringify(frame)}\n`)
}
