// A value as a snapshot keeps it: a structured-clone copy when it can cross to another process, else a
// description saying why not. Either way it has a preview, so the report can show it.
import { isDeepStrictEqual } from 'node:util'
import { findUncopyable } from '../copyable.js'
import { preview } from './preview.js'

export type HeldValue =
  /** A copy taken at snapshot time: later changes to the live value do not reach it. */
  | { readonly kind: 'copy'; readonly value: unknown; readonly preview: string }
  /** Why the value cannot cross (`a function (connect)`, `a Socket at db.conn`). */
  | { readonly kind: 'uncopyable'; readonly reason: string; readonly preview: string }

/** Holds `value`, named `name` (the path reported for an uncopyable part). */
export function holdValue(value: unknown, name: string): HeldValue {
  const shown = preview(value)
  const bad = findUncopyable(value, name)
  if (bad) {
    const what = bad.reason.replace(/ cannot be copied.*$/s, '')
    return { kind: 'uncopyable', reason: bad.path === name ? what : `${what} at ${bad.path}`, preview: shown }
  }
  try {
    return { kind: 'copy', value: structuredClone(value), preview: shown }
  } catch (error) {
    // findUncopyable passed it, so this is rare (a detached buffer, a getter that throws).
    return { kind: 'uncopyable', reason: error instanceof Error ? error.message : String(error), preview: shown }
  }
}

/** A description of a value that is deliberately not read (an accessor property, say). */
export function unreadValue(reason: string, shown: string): HeldValue {
  return { kind: 'uncopyable', reason, preview: shown }
}

/** True when two held values show the same state; uncopyable ones are compared by description. */
export function sameHeld(a: HeldValue, b: HeldValue): boolean {
  if (a.kind === 'copy' && b.kind === 'copy') return isDeepStrictEqual(a.value, b.value)
  return a.kind === b.kind && a.preview === b.preview && (a.kind !== 'uncopyable' || b.kind !== 'uncopyable' || a.reason === b.reason)
}
