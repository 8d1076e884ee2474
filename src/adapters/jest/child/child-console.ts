// The child's console: Jest's own CustomConsole (same formatting, groups, counters, timers), but every
// call is sent on the channel with its type and where it was made, synchronously, so the parent replays
// it through the test's console (attributed to the user's line) and nothing is lost on a kill.
import type { Link } from '../../../core/child/link.js'
import { CONSOLE_MARK, type ConsoleFrame } from '../protocol.js'
import type { TestConsole } from '../circus-types.js'
import type { CustomConsoleClass } from './load-jest.js'

/** Frames of the console machinery itself, above the user's call. */
const CONSOLE_INTERNALS = /@jest[\\/]console|[\\/]isolated-test[\\/]dist[\\/]|\(node:internal|^\s+at (?:new )?FramedConsole\./

const OUR_CODE = /[\\/]isolated-test[\\/]dist[\\/]/

export function createChildConsole(CustomConsole: CustomConsoleClass, link: Link): TestConsole {
  class FramedConsole extends CustomConsole {
    // CustomConsole routes every method through these two (Jest 29 and 30).
    _log(type: string, message: string): void {
      send(link, type, message, (this as unknown as { _groupDepth?: number })._groupDepth ?? 0)
    }
    _logError(type: string, message: string): void {
      send(link, type, message, (this as unknown as { _groupDepth?: number })._groupDepth ?? 0)
    }
  }
  return new FramedConsole(process.stdout, process.stderr)
}

/** The stack of the user's call, as Jest's BufferedConsole records it (`    at ...` lines). */
function userOrigin(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(1)
  const first = lines.findIndex((line) => !CONSOLE_INTERNALS.test(line))
  if (first < 0) return ''
  // Below the user's frames come ours (the body's wrapper, the child runner): in-process they would
  // be Jest's own, which Jest leaves out too.
  const rest = lines.slice(first)
  const ours = rest.findIndex((line) => OUR_CODE.test(line))
  return (ours < 0 ? rest : rest.slice(0, ours)).join('\n')
}

function send(link: Link, type: string, message: string, groupDepth: number): void {
  const indented = groupDepth > 0 ? message.replace(/^/gm, '  '.repeat(groupDepth)) : message
  const frame: ConsoleFrame = { [CONSOLE_MARK]: true, type, message: indented, origin: userOrigin() }
  link.send(frame)
}
