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
 */
export const KEPT_LOCAL: ReadonlySet<string> = new Set(['onCollected', 'onQueued', 'onTaskUpdate', 'onAfterSuiteRun', 'onAsyncLeaks', 'onCancel'])

export interface BirpcRequest {
  readonly t: 'q'
  readonly m: string
  readonly a: unknown[]
  readonly i?: string
}

export function isBirpcRequest(message: unknown): message is BirpcRequest {
  return typeof message === 'object' && message !== null && (message as BirpcRequest).t === 'q' && typeof (message as BirpcRequest).m === 'string'
}
