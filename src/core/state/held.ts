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

/**
 * How many objects and elements a held value may have. A snapshot copies every global and captured
 * variable several times a test (the parent at the call, the child before and after the body), so a
 * 300 MB global (a data set loaded at import) cost seconds a test; past this it is described, not
 * copied: not carried, and a change inside it is not seen.
 */
export const HELD_VALUE_MAX_PARTS = 20_000

/** Holds `value`, named `name` (the path reported for an uncopyable part). */
export function holdValue(value: unknown, name: string): HeldValue {
  const shown = preview(value)
  const bad = findUncopyable(value, name, new Set(), { left: HELD_VALUE_MAX_PARTS })
  if (bad?.reason === 'too large to copy') return { kind: 'uncopyable', reason: `larger than the state report copies (over ${HELD_VALUE_MAX_PARTS} objects and elements)`, preview: shown }
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
