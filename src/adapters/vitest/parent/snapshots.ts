// The parent's half of snapshots in a child (child/snapshots.ts): each assertion the child made is
// replayed into this worker's snapshot state for the file, for the same test, while its attempt runs.
// Vitest itself then does the rest as in-process: counts, obsolete keys (a retry's `clearTest` drops the
// failed attempt's), inline rewrites, file snapshots, saving and the summary, once per file.
import type { SnapshotRecord } from '../protocol.js'

/**
 * Vitest's global `expect`, where Vitest itself keeps it (`Symbol.for('expect-global')`, Vitest 4 and 5).
 * Not `import { expect } from 'vitest'`: this module is loaded by the package's main entry, under Jest too.
 */
interface GlobalExpect {
  getState(): { snapshotState?: unknown }
  addSnapshotSerializer(plugin: { test(value: unknown): boolean; serialize(value: unknown): string }): void
}
function globalExpect(): GlobalExpect {
  const found = (globalThis as Record<symbol, GlobalExpect | undefined>)[Symbol.for('expect-global')]
  if (!found) throw new Error("isolated-test: Vitest's expect is not set up in this worker: the child's snapshot assertions are not counted.")
  return found
}

/** The value the child printed, printed here as it is by the serializer below. */
class ChildPrinted {
  constructor(readonly text: string) {}
}

/** The public members of Vitest's SnapshotState used here (the same on Vitest 4.1 and 5). */
interface ParentSnapshotState {
  readonly testFilePath: string
  match(options: {
    testId: string
    testName: string
    received: unknown
    key?: string | undefined
    inlineSnapshot?: string | undefined
    isInline?: boolean | undefined
    error?: Error | undefined
    rawSnapshot?: { file: string; content?: string | undefined } | undefined
    assertionName?: string | undefined
  }): unknown
  probeExpectedSnapshot?(options: { testName: string; testId: string; isInline?: boolean; inlineSnapshot?: string | undefined }): { markAsChecked(): void }
}

let printedHere = false
/** Whether ours is in the list (as far as we know), and how often it was added. */
let serializerIn = false
let serializerAdded = 0

/**
 * Vitest prints with its serializer list, newest first: ours is added when first needed, after the
 * file's own `addSnapshotSerializer` calls, and again (a few times at most) if a serializer added later
 * took the value first.
 */
function ensureSerializer(): void {
  if (serializerIn) return
  serializerIn = true
  serializerAdded++
  globalExpect().addSnapshotSerializer({
    test: (value: unknown) => value instanceof ChildPrinted,
    serialize: (value: unknown) => {
      printedHere = true
      return (value as ChildPrinted).text
    },
  })
}

/** The file's snapshot state, where Vitest puts it for the running test (`expect.getState().snapshotState`). */
function snapshotStateFor(filepath: string): ParentSnapshotState {
  const state = globalExpect().getState().snapshotState as ParentSnapshotState | undefined
  if (!state || state.testFilePath !== filepath) {
    throw new Error(`isolated-test: no snapshot state for ${filepath} in the parent: the child's snapshot assertions are not counted.`)
  }
  return state
}

/**
 * Replays one assertion of the child. An error means the parent could not record it as in-process (the
 * test fails with it); an assertion whose match already threw in the child is recorded, never re-thrown.
 */
export function replaySnapshot(record: SnapshotRecord, filepath: string): unknown {
  try {
    const state = snapshotStateFor(filepath)
    if (record.op === 'checked') {
      state.probeExpectedSnapshot?.({ testName: record.testName, testId: record.testId, isInline: record.isInline, inlineSnapshot: record.inlineSnapshot }).markAsChecked()
      return undefined
    }
    const printed = !record.verbatim
    if (printed) ensureSerializer()
    printedHere = false
    const error = record.stack === undefined ? undefined : Object.assign(new Error('snapshot'), { stack: record.stack })
    state.match({
      testId: record.testId,
      testName: record.testName,
      received: record.verbatim ? record.serialized : new ChildPrinted(record.serialized),
      key: record.key,
      inlineSnapshot: record.inlineSnapshot,
      isInline: record.isInline,
      error,
      rawSnapshot: record.rawSnapshot ? { ...record.rawSnapshot } : undefined,
      assertionName: record.assertionName,
    })
    if (printed && !printedHere) {
      // A serializer added after ours printed the child's value: next time ours goes first again.
      if (serializerAdded < 3) serializerIn = false
      throw new Error(`isolated-test: a snapshot serializer of this worker printed the value of "${record.testName}" the child had printed: it was recorded wrongly.`)
    }
    return undefined
  } catch (error) {
    return record.op === 'match' && record.threw ? undefined : error
  }
}
