// The parent's half of snapshots (the child's: child/snapshots.ts). Each assertion the child sends is
// recorded in the file's own snapshot state through its public `match`/`fail`, for the parent's test:
// the state Jest saves when the file is done, so new and updated snapshots are written, inline ones
// rewritten in the source, obsolete keys counted (and removed under -u), and the summary counts are
// the in-process ones. A retried attempt's records roll back as in-process: circus clears the state
// for the test on `test_retry` (Jest 30 by the test given here as its identity).
import type { SnapshotFrame, SnapshotUpdate } from '../protocol.js'
import type { TestEntry } from '../circus-types.js'
import { deserializeThrown } from '../../../core/ipc/serialize.js'

/** Marks the value whose serialization the child made: it prints as that text, whatever the serializers here. */
const SERIALIZED = Symbol.for('isolated-test.jest-serialized-snapshot')

interface Serialized {
  readonly [SERIALIZED]: true
  readonly text: string
}

/** A pretty-format plugin: first in the list (added last), and it only takes our own values. */
const plugin = {
  test: (value: unknown): boolean => typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SERIALIZED] === true,
  serialize: (value: Serialized): string => value.text,
}

interface MatchResult {
  readonly pass: boolean
  readonly actual?: string | undefined
  readonly expected?: string | undefined
  readonly key?: string | undefined
}

/** jest-snapshot's `SnapshotState` as Jest 29 and 30 both call it (30 adds the test's identity and `failing`). */
interface ParentSnapshotState {
  match(args: Record<string, unknown>): MatchResult
  fail(testName: string, received: unknown, key: string | undefined, testIdentity?: unknown): string
}

interface JestExpect {
  getState?: () => { snapshotState?: ParentSnapshotState; suppressedErrors?: unknown[] }
  addSnapshotSerializer?: (plugin: unknown) => void
}

const withPlugin = new WeakSet<object>()

function expectOf(global: object): JestExpect | undefined {
  return (global as { expect?: JestExpect }).expect
}

function stateOf(global: object): ParentSnapshotState | undefined {
  const expect = expectOf(global)
  const state = expect?.getState?.().snapshotState
  if (!expect || !state) return undefined
  if (!withPlugin.has(expect)) {
    withPlugin.add(expect)
    expect.addSnapshotSerializer?.(plugin)
  }
  return state
}

/**
 * The run's `updateSnapshot` as the file's snapshot state holds it, for a child that reads the config
 * without the command line (`isolated()` under a plain setup). Jest offers it nowhere else in the test's
 * sandbox, so this reads the state's own field (Jest 29 and 30); undefined leaves the child's config.
 */
export function parentUpdateSnapshot(global: object): SnapshotUpdate | undefined {
  const state = (global as { expect?: JestExpect }).expect?.getState?.().snapshotState as { _updateSnapshot?: unknown } | undefined
  const value = state?._updateSnapshot
  return value === 'all' || value === 'new' || value === 'none' ? value : undefined
}

export class SnapshotReplay {
  private readonly mismatches: unknown[] = []

  constructor(
    /** The test's global (Jest's sandbox), whose `expect` holds the file's snapshot state. */
    private readonly global: object,
    /** The parent's test the assertions belong to. */
    private readonly test: TestEntry,
  ) {}

  /** Records one assertion of the child; never throws (what goes wrong fails the test instead). */
  replay(frame: SnapshotFrame): void {
    try {
      if (frame.kind === 'suppressed') {
        // Where in-process Jest keeps it: circus adds it to the test at its end.
        expectOf(this.global)?.getState?.().suppressedErrors?.push(deserializeThrown(frame.error))
        return
      }
      const state = stateOf(this.global)
      if (!state) return
      if (frame.kind === 'fail') {
        state.fail(frame.testName, undefined, frame.key, this.test)
        return
      }
      let error: Error | undefined
      if (frame.stack !== undefined) {
        error = new Error('isolated-test: the inline snapshot assertion')
        error.stack = frame.stack
      }
      const received: Serialized = { [SERIALIZED]: true, text: frame.serialized }
      const result = state.match({
        testName: frame.testName,
        received,
        key: frame.key,
        inlineSnapshot: frame.inlineSnapshot,
        isInline: frame.isInline,
        error,
        testIdentity: this.test,
        testFailing: this.test.failing,
      })
      if (frame.pass && !result.pass) this.mismatches.push(mismatch(result))
    } catch (error) {
      this.mismatches.push(error)
    }
  }

  /** Failures the child could not see (its copy of the state answered otherwise), once. */
  takeErrors(): unknown[] {
    return this.mismatches.splice(0)
  }
}

/**
 * The child answers from the file's stored snapshots; the file's state also holds what earlier tests
 * of this run did to it (a test of the same name, a retried attempt), which the child cannot see.
 */
function mismatch(result: MatchResult): Error {
  const shown = (s: string | undefined): string => (s === undefined ? '(none)' : s)
  return new Error(
    `isolated-test: snapshot \`${result.key ?? '?'}\` matched in the child's copy of the stored snapshots but not in this file's snapshot state, which earlier tests of this run changed.\n\nSnapshot:\n${shown(result.expected)}\n\nReceived:\n${shown(result.actual)}`,
  )
}
