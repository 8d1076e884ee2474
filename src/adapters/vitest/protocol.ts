// The Vitest adapter's part of a run request: what its child half needs to be a Vitest worker.
import type { PrepareRequest, RunRequest } from '../../core/ipc/protocol.js'

export interface VitestPrepare {
  /** Where the running Vitest's `vitest/worker` module is. */
  readonly workerUrl: string
  /** Vitest's worker `start` message to replay, as a pool would send it. */
  readonly vitestStart: unknown
  /** The run's coverage provider, when coverage is on: the child collects what it runs, from boot. */
  readonly coverage?: VitestCoverageProvider | undefined
}

export type VitestCoverageProvider = 'v8' | 'istanbul'

/** What a child sends in its `coverage` message: one of the provider's own formats (a worker's takeCoverage). */
export type VitestChildCoverage =
  | { readonly provider: 'v8'; readonly result: readonly object[] }
  | { readonly provider: 'istanbul'; readonly map: Readonly<Record<string, object>> }

export interface VitestPayload extends VitestPrepare {
  /** The child's own runner module (config.runner in the child). */
  readonly runnerPath: string
  /** Vitest's worker `run` message to replay. */
  readonly vitestRun: unknown
}

export type VitestRunRequest = RunRequest<VitestPayload>
export type VitestPrepareRequest = PrepareRequest<VitestPrepare>

/** The Vitest child's `outcome.adapter`: what the body wrote to its task, for the parent's task. */
export interface VitestOutcomeExtra {
  /** The task's meta after the test, the values that can cross. */
  readonly meta?: Readonly<Record<string, unknown>> | undefined
}

/**
 * Child → pool calls that only make sense to the parent's own run: the parent reports the test. The
 * child answers them itself (one per task update of every skipped test: serializing and relaying them
 * cost a test in a large file milliseconds each); the parent ignores any that still come. Artifacts and
 * annotations (onTaskArtifactRecord) are relayed: Vitest's main process records them on the test.
 * `snapshotSaved` is the child's file summary: the parent's own snapshot state (which the child's
 * assertions are replayed into, see SnapshotRecord) reports the file, once.
 */
export const KEPT_LOCAL: ReadonlySet<string> = new Set(['onCollected', 'onQueued', 'onTaskUpdate', 'onAfterSuiteRun', 'onAsyncLeaks', 'onCancel', 'snapshotSaved'])

export interface BirpcRequest {
  readonly t: 'q'
  readonly m: string
  readonly a: unknown[]
  readonly i?: string
}

export function isBirpcRequest(message: unknown): message is BirpcRequest {
  return typeof message === 'object' && message !== null && (message as BirpcRequest).t === 'q' && typeof (message as BirpcRequest).m === 'string'
}

/**
 * One snapshot assertion of the child, for the parent's snapshot state (the only one that writes). The
 * child matched against the stored data itself, for its verdict; the parent replays the assertion into
 * its own state for the same test, so keys, counts, obsolete keys and files are the in-process run's.
 */
export type SnapshotRecord =
  | {
      readonly op: 'match'
      readonly testId: string
      /** The test's name with the hint (`SnapshotState.match`'s `testName`). */
      readonly testName: string
      readonly key: string | undefined
      /** The received value as the child's serializers and property matchers printed it. */
      readonly serialized: string
      /** A file snapshot of a string: matched as the string itself, never printed. */
      readonly verbatim: boolean
      readonly isInline: boolean
      readonly inlineSnapshot: string | undefined
      /** Inline snapshots: the assertion's stack (already source-mapped in the child), where the parent rewrites the source. */
      readonly stack: string | undefined
      readonly rawSnapshot: { readonly file: string; readonly content: string | undefined } | undefined
      readonly assertionName: string | undefined
      /** The child's own match threw (its error already fails the test): the parent's replay only records the key. */
      readonly threw: boolean
    }
  /** A key checked without a match (a property matcher failed first): `probeExpectedSnapshot(...).markAsChecked()`. */
  | { readonly op: 'checked'; readonly testId: string; readonly testName: string; readonly isInline: boolean; readonly inlineSnapshot: string | undefined }

/** The child's snapshot assertions travel beside Vitest's RPC on the framework channel, in order. */
export const SNAPSHOT_MESSAGE = '__isolated_test_vitest_snapshot__'

export interface SnapshotMessage {
  readonly [SNAPSHOT_MESSAGE]: true
  readonly record: SnapshotRecord
}

export function isSnapshotMessage(message: unknown): message is SnapshotMessage {
  return typeof message === 'object' && message !== null && (message as Record<string, unknown>)[SNAPSHOT_MESSAGE] === true
}
