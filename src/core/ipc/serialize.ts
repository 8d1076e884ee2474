// How thrown values cross the process boundary, and the check that a value can cross at all (values go
// by structured clone over IPC 'advanced'; see ../copyable.ts).
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serializeError, deserializeError } from 'serialize-error'
import { IsolatedSerializationError, rebrand } from '../errors.js'
import type { SerializedThrown } from './protocol.js'
import { findUncopyable } from '../copyable.js'

/** Throws IsolatedSerializationError naming the first part of `value` that cannot cross. */
export function assertCopyable(value: unknown, path: string): void {
  const found = findUncopyable(value, path)
  if (found) throw new IsolatedSerializationError(found.path, found.reason)
}

/** Serializes a thrown value: errors keep class name, message, stack, code, own props, cause chains and AggregateError.errors. */
export function serializeThrown(thrown: unknown): SerializedThrown {
  if (thrown instanceof Error || (typeof thrown === 'object' && thrown !== null && 'message' in thrown && 'stack' in thrown)) {
    return { isError: true, error: serializeError(thrown) as Record<string, unknown> }
  }
  return findUncopyable(thrown, 'thrown') ? { isError: false, value: String(thrown) } : { isError: false, value: thrown }
}

/** Rebuilds what the child threw; a non-error comes back as itself, as it was thrown. */
export function deserializeThrown(s: SerializedThrown): unknown {
  if (!s.isError) return s.value
  const error = deserializeError(s.error)
  // serialize-error keeps the class name as `name`; keep the reporter's "Name: message" header right.
  if (typeof s.error.name === 'string' && error.name !== s.error.name) {
    Object.defineProperty(error, 'name', { value: s.error.name, configurable: true, writable: true })
  }
  rebrand(error)
  return error
}

// Our own frames (the wrapper calling the body, the child's runner) are noise to the user. They are found
// by our own directory, not by package name, so an aliased or re-homed install is handled too.
const ownDir = dirname(fileURLToPath(import.meta.url))

function isOwnFrame(line: string): boolean {
  return /^\s+at /.test(line) && (line.includes(ownDir) || line.includes(`file://${ownDir}`))
}

/** Drops our own frames from an error's stack, its causes' and an AggregateError's errors'. */
export function withoutOwnFrames<T>(error: T, seen = new Set<unknown>()): T {
  if (typeof error !== 'object' || error === null || seen.has(error)) return error
  seen.add(error)
  const e = error as { stack?: unknown; cause?: unknown; errors?: unknown }
  if (typeof e.stack === 'string') {
    try {
      e.stack = e.stack.split('\n').filter((line) => !isOwnFrame(line)).join('\n')
    } catch {
      // a frozen error keeps its stack
    }
  }
  withoutOwnFrames(e.cause, seen)
  if (Array.isArray(e.errors)) for (const inner of e.errors) withoutOwnFrames(inner, seen)
  return error
}
