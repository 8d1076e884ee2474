// Snapshots in a child. The child matches each assertion against the stored data, read fresh when its
// file's snapshot state is set up (after the fork point), for the test's verdict and message; it never
// writes: its state's `pack` is a no-op. Each assertion goes to the parent, which replays it into its own
// snapshot state for the same test (parent/snapshots.ts): only the parent counts, rewrites and saves.
// Only public members of Vitest's SnapshotState are used (the same on Vitest 4.1 and 5).
import type { Link } from '../../../core/child/link.js'
import { SNAPSHOT_MESSAGE, type SnapshotMessage, type SnapshotRecord } from '../protocol.js'

interface RawSnapshot {
  file: string
  content?: string | undefined
}

/** `SnapshotState.match`'s options, as `SnapshotClient.match` passes them (properties already merged). */
interface MatchOptions {
  readonly testId: string
  readonly testName: string
  readonly received: unknown
  readonly key?: string | undefined
  readonly inlineSnapshot?: string | undefined
  readonly isInline?: boolean | undefined
  readonly error?: Error | undefined
  readonly rawSnapshot?: RawSnapshot | undefined
  readonly assertionName?: string | undefined
}

interface ProbeOptions {
  readonly testName: string
  readonly testId: string
  readonly isInline?: boolean | undefined
  readonly inlineSnapshot?: string | undefined
}

export interface SnapshotStateLike {
  readonly testFilePath: string
  readonly snapshotPath: string
  readonly environment: unknown
  match(options: MatchOptions): { readonly actual?: string | undefined; readonly pass: boolean }
  probeExpectedSnapshot?(options: ProbeOptions): { markAsChecked(): void }
  pack(): Promise<unknown>
}

type SnapshotStateClass = new (testFilePath: string, snapshotPath: string, stored: null, options: Record<string, unknown>) => SnapshotStateLike

const instrumented = new WeakSet<object>()

/**
 * How the child's state would print `received`, without `SnapshotState`'s private format: a state of the
 * same class with nothing stored and updates off reports any value as a mismatch whose `actual` is the
 * printed value (its extra line breaks, added and removed, cancel out).
 */
function printed(state: SnapshotStateLike, options: MatchOptions, snapshotFormat: unknown): string {
  if (options.rawSnapshot && typeof options.received === 'string') return options.received
  const Class = state.constructor as SnapshotStateClass
  const blank = new Class(state.testFilePath, state.snapshotPath, null, { updateSnapshot: 'none', snapshotFormat, snapshotEnvironment: state.environment })
  const result = blank.match({
    testId: options.testId,
    testName: options.testName,
    received: options.received,
    rawSnapshot: options.rawSnapshot ? { file: options.rawSnapshot.file, content: undefined } : undefined,
  })
  if (typeof result.actual !== 'string') throw new Error('isolated-test: the child could not print a snapshot value (Vitest changed SnapshotState.match).')
  return result.actual
}

/** Makes the file's snapshot state in this child read-only, and sends each assertion to the parent. Once per state. */
export function instrumentSnapshotState(state: SnapshotStateLike, link: Link, snapshotFormat: unknown): void {
  if (instrumented.has(state)) return
  instrumented.add(state)
  const send = (record: SnapshotRecord): void => link.send({ [SNAPSHOT_MESSAGE]: true, record } satisfies SnapshotMessage)

  // The parent's state reports and saves the file; this copy only ever read it.
  state.pack = async () => ({ filepath: state.testFilePath, added: 0, fileDeleted: false, matched: 0, unchecked: 0, uncheckedKeys: [], unmatched: 0, updated: 0 })

  const match = state.match
  state.match = function (this: SnapshotStateLike, options: MatchOptions) {
    // What the parent needs, taken before the match may normalize the stored file snapshot's line ends.
    const raw = options.rawSnapshot ? { file: options.rawSnapshot.file, content: options.rawSnapshot.content ?? undefined } : undefined
    const stack = options.isInline ? (options.error ?? new Error('snapshot')).stack : undefined
    const record = (threw: boolean): SnapshotRecord => ({
      op: 'match',
      testId: options.testId,
      testName: options.testName,
      key: options.key,
      serialized: printed(state, options, snapshotFormat),
      verbatim: raw !== undefined && typeof options.received === 'string',
      isInline: options.isInline === true,
      inlineSnapshot: options.inlineSnapshot,
      stack,
      rawSnapshot: raw,
      assertionName: options.assertionName,
      threw,
    })
    let result: ReturnType<SnapshotStateLike['match']>
    try {
      result = match.call(this, options)
    } catch (error) {
      let failed: SnapshotRecord
      try {
        failed = record(true)
      } catch {
        // The value cannot be printed either: the parent still counts the key as checked, as in-process.
        failed = { op: 'checked', testId: options.testId, testName: options.testName, isInline: options.isInline === true, inlineSnapshot: options.inlineSnapshot }
      }
      send(failed)
      throw error
    }
    send(record(false))
    return result
  }

  const probe = state.probeExpectedSnapshot
  if (probe) {
    state.probeExpectedSnapshot = function (this: SnapshotStateLike, options: ProbeOptions) {
      const expected = probe.call(this, options)
      const markAsChecked = expected.markAsChecked
      expected.markAsChecked = () => {
        markAsChecked.call(expected)
        send({ op: 'checked', testId: options.testId, testName: options.testName, isInline: options.isInline === true, inlineSnapshot: options.inlineSnapshot })
      }
      return expected
    }
  }
}
