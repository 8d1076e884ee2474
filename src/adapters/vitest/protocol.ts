// The Vitest adapter's part of a run request: what its child half needs to be a Vitest worker.
import type { PrepareRequest, RunRequest } from '../../core/ipc/protocol.js'

export interface VitestPrepare {
  /** Where the running Vitest's `vitest/worker` module is. */
  readonly workerUrl: string
  /** Vitest's worker `start` message to replay, as a pool would send it. */
  readonly vitestStart: unknown
}

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
