// Our own frames (the body's announcing wrapper, the child's runner) are not the test's: take them out
// of the child's stacks so the parent's reporter shows only what it would show in-process.
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const ownDir = dirname(fileURLToPath(import.meta.url))
const ownUrl = `file://${ownDir}`

export function withoutOwnFrames<T>(error: T, seen = new Set<unknown>()): T {
  if (typeof error !== 'object' || error === null || seen.has(error)) return error
  seen.add(error)
  const e = error as { stack?: unknown; cause?: unknown; errors?: unknown }
  if (typeof e.stack === 'string') {
    const kept = e.stack.split('\n').filter((line) => !(/^\s+at /.test(line) && (line.includes(ownDir) || line.includes(ownUrl) || line.includes('file:' + ownDir))))
    try {
      e.stack = kept.join('\n')
    } catch {
      // a frozen error keeps its stack
    }
  }
  withoutOwnFrames(e.cause, seen)
  if (Array.isArray(e.errors)) for (const inner of e.errors) withoutOwnFrames(inner, seen)
  return error
}
