// Snapshots in the child. The file's snapshot state belongs to the parent: only it writes the .snap file
// and the inline snapshots, once for the file (a zygote's loaded .snap would be a stale copy). The
// child's own state, loaded from the same file with the run's update setting, answers each assertion at
// once, as the synchronous matcher needs, and never saves; each assertion also goes to the parent as it
// happens (parent/snapshot-replay.ts), which records it in the file's state.
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Link } from '../../../core/child/link.js'
import { SNAPSHOT_MARK, type SnapshotFrame } from '../protocol.js'
import { serializeThrown, withoutOwnFrames } from '../../../core/ipc/serialize.js'

/** What jest-snapshot's `SnapshotState` offers on Jest 29 and 30 (public methods only). */
interface MatchArgs {
  readonly testName: string
  readonly received: unknown
  readonly key?: string | undefined
  readonly inlineSnapshot?: string | undefined
  readonly isInline?: boolean
  readonly error?: Error | undefined
}
interface SnapshotState {
  match(args: MatchArgs): { pass: boolean; actual?: string | undefined }
  fail(testName: string, received: unknown, key?: string, ...rest: unknown[]): string
  save(): unknown
  readonly snapshotFormat?: unknown
  readonly expand?: boolean
}
type SnapshotStateClass = new (snapshotPath: string, options: Record<string, unknown>) => SnapshotState

function snapshotState(global: Record<string | symbol, unknown>): SnapshotState | undefined {
  const expect = global.expect as { getState?: () => { snapshotState?: SnapshotState } } | undefined
  return expect?.getState?.().snapshotState
}

/**
 * A value serialized as the state does it (the serializers of this file's jest-snapshot, the config's
 * snapshotFormat), before its extra line breaks: what a state that cannot write and has no snapshot
 * answers as `actual` for an inline assertion (no file is read or written for it).
 */
function serializer(state: SnapshotState): (received: unknown) => string {
  let probe: SnapshotState | undefined
  return (received) => {
    // A .snap path that never exists: the probe starts empty.
    probe ??= new (state.constructor as SnapshotStateClass)(join(tmpdir(), `isolated-test-no-snapshots-${process.pid}`, 'none.snap'), {
      updateSnapshot: 'none',
      snapshotFormat: state.snapshotFormat,
      expand: state.expand,
      rootDir: tmpdir(),
      prettierPath: null,
    })
    const answer = probe.match({ testName: 'isolated-test probe', received, isInline: true, inlineSnapshot: undefined })
    if (typeof answer.actual !== 'string') throw new Error('isolated-test: jest-snapshot did not serialize the received value; this is a bug in isolated-test.')
    return answer.actual
  }
}

/** Our own frames, between the matcher's and the test's. */
const OWN_FRAME = /[\\/]isolated-test[\\/]dist[\\/]/

/**
 * Where an inline snapshot is written: the state takes the top user frame of the matcher's error, or,
 * without one (most matchers), of an error it makes itself. Ours is made here, as the test's realm makes
 * errors (its source maps), without our frames.
 */
function inlineStack(global: Record<string | symbol, unknown>, error: Error | undefined): string | undefined {
  const stack = error?.stack ?? new (global.Error as ErrorConstructor)().stack
  return stack
    ?.split('\n')
    .filter((line) => !OWN_FRAME.test(line))
    .join('\n')
}

/** Call when the run starts (the state exists then): the child never writes, and tells the parent each assertion. */
export function relaySnapshots(global: Record<string | symbol, unknown>, link: Link): void {
  const state = snapshotState(global)
  if (!state) return
  state.save = () => ({ deleted: false, saved: false })
  const serialize = serializer(state)
  const send = (frame: SnapshotFrame): void => link.send(frame)
  const match = state.match
  state.match = function (this: SnapshotState, args: MatchArgs) {
    const answer = match.call(this, args)
    const isInline = args.isInline === true
    send({
      [SNAPSHOT_MARK]: true,
      kind: 'match',
      testName: args.testName,
      key: args.key,
      serialized: serialize(args.received),
      isInline,
      inlineSnapshot: args.inlineSnapshot,
      stack: isInline ? inlineStack(global, args.error) : undefined,
      pass: answer.pass,
    })
    return answer
  }
  const fail = state.fail
  state.fail = function (this: SnapshotState, testName: string, received: unknown, key?: string, ...rest: unknown[]) {
    const answer = fail.call(this, testName, received, key, ...rest)
    send({ [SNAPSHOT_MARK]: true, kind: 'fail', testName, key })
    return answer
  }
}

/**
 * For a wrapped function called from a test (no test runs in the child): a snapshot matcher that fails
 * leaves its error in expect's `suppressedErrors` for the test's end, which is the parent's test.
 */
export function relaySuppressedErrors(global: Record<string | symbol, unknown>, link: Link): void {
  const expect = global.expect as { getState?: () => { suppressedErrors?: unknown[] } } | undefined
  const list = expect?.getState?.().suppressedErrors
  if (!Array.isArray(list)) return
  const push = list.push
  list.push = function (...errors: unknown[]): number {
    for (const error of errors) link.send({ [SNAPSHOT_MARK]: true, kind: 'suppressed', error: serializeThrown(withoutOwnFrames(error)) } satisfies SnapshotFrame)
    return push.apply(this, errors)
  }
}
