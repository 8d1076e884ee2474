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
