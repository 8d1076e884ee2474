// The processes a child must not outlive: the test worker it belongs to and the runner's main process.
// A forked worker (Vitest forks/vmForks, a jest-worker child) may outlive a runner killed with SIGKILL
// (Vitest 4.1 leaves it orphaned), so the child watches both, by pid and start time.
import { isMainThread } from 'node:worker_threads'
import { startTimeOf } from '../process-info.js'

/** Set in a child's environment: `[{ pid, start }]` of the processes it watches. */
export const WATCH_ENV = 'ISOLATED_TEST_WATCH'

import { realProcess as real } from '../real-process.js'

/** The runner's main process: this one in a worker thread or in band, else the parent that forked us. */
export function runnerPid(): number {
  if (!isMainThread) return real.pid
  return typeof real.send === 'function' ? real.ppid : real.pid
}

export function watchedPids(): number[] {
  return [...new Set([real.pid, runnerPid()])]
}

export function watchedProcesses(): string {
  return JSON.stringify(watchedPids().map((pid) => ({ pid, start: startTimeOf(pid) })))
}
