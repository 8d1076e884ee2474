// Where a wrapper was created, in original-source coordinates (the frameworks install source-mapped
// stack traces), so the child can find its own copy of the same wrapper.
import { fileURLToPath } from 'node:url'

export interface SourcePosition {
  readonly file: string
  readonly line: number
  readonly column: number
}

const FRAME = /\(?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):(\d+)\)?\s*$/

export function captureSite(below: (...args: never[]) => unknown): SourcePosition {
  const holder: { stack?: string } = {}
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 5
  Error.captureStackTrace(holder, below)
  Error.stackTraceLimit = limit
  for (const line of (holder.stack ?? '').split('\n').slice(1)) {
    const m = FRAME.exec(line)
    if (!m) continue
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!
    return { file, line: Number(m[2]), column: Number(m[3]) }
  }
  return { file: '<unknown>', line: 0, column: 0 }
}
