// Facts about other processes, read from /proc on Linux (undefined elsewhere or when gone).
import { readFileSync } from 'node:fs'

/** A process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat): with the pid, it names one process, never a later one that reuses the pid. */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

/**
 * The one process named by pid and start time is still running code: present, and neither a zombie
 * nor dead. A zombie keeps its start time until its parent reaps it, which an orphaned runner's new
 * parent may never do promptly.
 */
export function isRunning(pid: number, start: string | undefined): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[0] === 'Z' || fields[0] === 'X') return false
    return start === undefined || fields[19] === start
  } catch {
    return false
  }
}
