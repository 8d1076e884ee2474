// ISOLATED_TEST_PID_LOG=path appends the pid of every process we start or find in a child's tree, so
// a test (or a suspicious user) can check afterwards that none of them is still alive.
import { realProcess as process } from '../real-process.js'
import { appendFileSync } from 'node:fs'

export function logPids(pids: readonly number[]): void {
  const file = process.env.ISOLATED_TEST_PID_LOG
  if (!file || pids.length === 0) return
  try {
    appendFileSync(file, pids.map((p) => `${p}\n`).join(''))
  } catch {
    // an audit aid only; never fail a test over it
  }
}
