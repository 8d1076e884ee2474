// What differs between two snapshots, one entry per variable, key, listener event or resource type,
// each with short previews of both sides.
import { basename } from 'node:path'
import type { CapturedVariable, CapturedVariables } from './closure.js'
import { sameHeld, type HeldValue } from './held.js'
import type { StateWhere } from './ignored.js'
import { preview, truncate } from './preview.js'
import type { ListenerInfo, StateSnapshot } from './snapshot.js'

/** A one-line preview, at most 80 characters. */
export type Preview = string

export interface DiffEntry {
  readonly where: StateWhere
  /** The variable, key, event or resource type. */
  readonly name: string
  /** For module and closure variables: the file they live in. */
  readonly file?: string
  /** For module and closure variables: V8's scope name (`Closure (outer)`, `Module`, `Block`). */
  readonly scope?: string
  readonly before?: Preview
  readonly after?: Preview
  readonly kind: 'added' | 'removed' | 'changed'
  /** Why a value cannot be copied to another process (`a Socket`), when one side cannot. */
  readonly note?: string
}

function kindOf(hadBefore: boolean, hasAfter: boolean): DiffEntry['kind'] {
  return !hadBefore ? 'added' : !hasAfter ? 'removed' : 'changed'
}

function note(...values: (HeldValue | undefined)[]): { note?: string } {
  const reason = values.reverse().find((v) => v?.kind === 'uncopyable')
  return reason?.kind === 'uncopyable' ? { note: reason.reason } : {}
}

function heldEntries(where: StateWhere, before: Readonly<Record<string, HeldValue>>, after: Readonly<Record<string, HeldValue>>): DiffEntry[] {
  const out: DiffEntry[] = []
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[name]
    const b = after[name]
    if (a && b && sameHeld(a, b)) continue
    out.push({ where, name, ...(a && { before: a.preview }), ...(b && { after: b.preview }), kind: kindOf(!!a, !!b), ...note(a, b) })
  }
  return out
}

function stringEntries(where: StateWhere, before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): DiffEntry[] {
  const out: DiffEntry[] = []
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[name]
    const b = after[name]
    if (a === b) continue
    out.push({ where, name, ...(a !== undefined && { before: preview(a) }), ...(b !== undefined && { after: preview(b) }), kind: kindOf(a !== undefined, b !== undefined) })
  }
  return out
}

function capturedKey(v: CapturedVariable): string {
  return `${v.scopeLabel}\u0000${v.depth}\u0000${v.name}`
}

function capturedEntries(before: StateSnapshot['captured'], after: StateSnapshot['captured']): DiffEntry[] {
  if (!before || !after) return []
  const index = (vs: readonly CapturedVariable[]): Map<string, CapturedVariable> => new Map(vs.map((v) => [capturedKey(v), v]))
  const a = index(before.variables)
  const b = index(after.variables)
  const out: DiffEntry[] = []
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key)
    const y = b.get(key)
    if (x && y && sameHeld(x.value, y.value)) continue
    const v = (y ?? x)!
    const where: StateWhere = v.scope === 'closure' ? 'closure' : v.scope === 'module' ? 'module' : 'global'
    const file = after.file ?? before.file
    out.push({
      where, name: v.name, ...(file !== undefined && { file }), scope: v.scopeLabel,
      ...(x && { before: x.value.preview }), ...(y && { after: y.value.preview }), kind: kindOf(!!x, !!y), ...note(x?.value, y?.value),
    })
  }
  return out
}

function listenerLabel(l: ListenerInfo): string {
  return l.file ? `${l.name} (${basename(l.file)}:${l.line})` : l.name
}

function listenerEntries(before: StateSnapshot['listeners'], after: StateSnapshot['listeners']): DiffEntry[] {
  const out: DiffEntry[] = []
  for (const event of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = (before[event] ?? []).map(listenerLabel)
    const b = (after[event] ?? []).map(listenerLabel)
    if (a.length === b.length && a.every((x, i) => x === b[i])) continue
    const show = (labels: string[]): Preview => truncate(`${labels.length} × [${labels.join(', ')}]`)
    out.push({ where: 'listener', name: event, ...(a.length > 0 ? { before: show(a) } : {}), ...(b.length > 0 ? { after: show(b) } : {}), kind: kindOf(a.length > 0, b.length > 0) })
  }
  return out
}

function resourceEntries(before: StateSnapshot['resources'], after: StateSnapshot['resources']): DiffEntry[] {
  const out: DiffEntry[] = []
  for (const type of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[type] ?? 0
    const b = after[type] ?? 0
    if (a === b) continue
    out.push({ where: 'resource', name: type, ...(a > 0 ? { before: String(a) } : {}), ...(b > 0 ? { after: String(b) } : {}), kind: kindOf(a > 0, b > 0) })
  }
  return out
}

/**
 * The parent's variables whose values the child does not already have: what `applyCapturedVariables`
 * should carry. Functions and other uncopyable values that look the same on both sides are left out
 * (re-importing the module made them again); those that differ stay, to be reported as not carried.
 */
export function variablesToCarry(parent: CapturedVariables, child: CapturedVariables): CapturedVariable[] {
  const now = new Map(child.variables.map((v) => [capturedKey(v), v]))
  return parent.variables.filter((v) => {
    const current = now.get(capturedKey(v))
    return !current || !sameHeld(v.value, current.value)
  })
}

/** Every difference from `before` to `after`: env, cwd, globals, captured variables, listeners, resources. */
export function diffSnapshots(before: StateSnapshot, after: StateSnapshot): DiffEntry[] {
  return [
    ...stringEntries('env', before.env, after.env),
    ...(before.cwd === after.cwd ? [] : [{ where: 'cwd' as const, name: 'cwd', before: preview(before.cwd), after: preview(after.cwd), kind: 'changed' as const }]),
    ...heldEntries('global', before.globals, after.globals),
    ...capturedEntries(before.captured, after.captured),
    ...listenerEntries(before.listeners, after.listeners),
    ...resourceEntries(before.resources, after.resources),
  ]
}
