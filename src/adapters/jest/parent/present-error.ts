// Our own errors, shaped for Jest's reporter. Jest shows the part of `stack` before the first "at" line
// as the message and puts its code frame on the first frame outside node_modules: a timeout shows
// its whole message with the code frame on the stuck line; any other failure of ours (a crash, a boot
// timeout, a mismatch) points at the test's own line.
import type { StuckFrame } from '../../../core/errors.js'

function isOurs(error: unknown): error is Error & { code: string; frames?: readonly StuckFrame[] } {
  const code = (error as { code?: unknown } | null)?.code
  return error instanceof Object && typeof code === 'string' && code.startsWith('ISOLATED_')
}

export function presentForJest(error: unknown, definedAt: Error): unknown {
  if (!isOurs(error)) return error
  const frames = error.frames ?? []
  // Frame lines inside the message would end Jest's message early: keep them only in the stack.
  const message = error.message.replace(/^(\s+)at (.*)$/gm, '$1→ $2')
  const stackFrames = frames.length > 0 ? jestFrames(frames) : (definedAt.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).join('\n')
  Object.defineProperty(error, 'message', { value: message, configurable: true, writable: true })
  error.stack = `${error.name}: ${message}\n${stackFrames}`
  return error
}

/** Jest drops frames written `at <anonymous> (...)`; it writes top-level ones as `Object.<anonymous>`. */
function jestFrames(frames: readonly StuckFrame[]): string {
  return frames.map((f) => `    at ${f.functionName || 'Object.<anonymous>'} (${f.file}:${f.line}:${f.column})`).join('\n')
}
