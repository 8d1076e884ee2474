// A line for the user that must appear once per run, not once per worker or per file: the first worker
// to claim it (an exclusive file named after the run's main process) prints it.
import { createHash } from 'node:crypto'
import { closeSync, openSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { realProcess as process } from '../real-process.js'
import { startTimeOf } from '../process-info.js'
import { runnerPid } from './watched.js'

const claimed = new Set<string>()

/** True the first time in this run that `id` is claimed (by any worker). */
export function claimOnce(id: string): boolean {
  if (claimed.has(id)) return false
  claimed.add(id)
  const runner = runnerPid()
  const run = `${runner}-${startTimeOf(runner) ?? 'x'}`
  const file = join(tmpdir(), `isolated-test-${run}-${createHash('sha1').update(id).digest('hex').slice(0, 12)}`)
  try {
    closeSync(openSync(file, 'wx'))
    return true
  } catch {
    return false
  }
}

/** Writes `text` to this process's stderr once per run. */
export function noticeOnce(id: string, text: string): void {
  if (claimOnce(id)) process.stderr.write(`${text}\n`)
}
