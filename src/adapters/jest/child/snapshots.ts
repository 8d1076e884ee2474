// Snapshots in the child are matched read-only: the file's snapshot state belongs to the parent, which
// writes and prunes the .snap file once for the whole file. A new or changed snapshot fails with an
// error that says how to write it.
import { IsolatedConfigError } from '../../../core/errors.js'

interface SnapshotState {
  save(): unknown
  unmatched?: number
}

function snapshotState(global: Record<string | symbol, unknown>): SnapshotState | undefined {
  const expect = global.expect as { getState?: () => { snapshotState?: SnapshotState } } | undefined
  return expect?.getState?.().snapshotState
}

/** Call when the run starts (the state exists then): the child never writes the .snap file. */
export function makeSnapshotsReadOnly(global: Record<string | symbol, unknown>): void {
  const state = snapshotState(global)
  if (state) state.save = () => ({ deleted: false, saved: false })
}

/** An error to add when the test met a snapshot it could not match and in-process Jest would have written. */
export function snapshotWriteError(global: Record<string | symbol, unknown>, parentUpdate: unknown): Error | undefined {
  const unmatched = snapshotState(global)?.unmatched ?? 0
  if (unmatched === 0 || parentUpdate === 'none') return undefined
  return new IsolatedConfigError(
    'isolated-test: snapshots are matched read-only in the child process, so this new or changed snapshot was not written. To write or update it, run the test in-process once: `ISOLATED_TEST=off npx jest -u <file>` (or wrap the body with inProcess()).',
  )
}
