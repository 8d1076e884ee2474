// What one process uses, read from /proc on Linux (undefined elsewhere or when it is gone). Each read is
// one small file: cheap enough for a 50 ms sampler and for one read at the end of every test.
import { readFileSync } from 'node:fs'

/** Linux reports CPU times in USER_HZ ticks, which is 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100

/** A /proc file's text, or undefined when it cannot be read (not Linux, the process is gone). */
export function readProcText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** The kB values of `names` in a `Name:   123 kB` listing (status, smaps_rollup), summed; undefined if none is there. */
function sumKb(text: string | undefined, names: readonly string[]): number | undefined {
  if (text === undefined) return undefined
  let total: number | undefined
  for (const name of names) {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)
    if (m) total = (total ?? 0) + Number(m[1])
  }
  return total
}

/**
 * Memory private to a process (USS), in kB: pages only it maps (Private_Clean + Private_Dirty), plus
 * its swapped-out pages. For a fork of a zygote this is what the test wrote (copy-on-write copies and
 * new memory), not the zygote's pages it merely shares. Walks the page tables: costs about a
 * millisecond for a process of a few hundred MB.
 */
/** kB as MB with one decimal, rounded up: a peak that crossed a limit never reads as equal to it. */
export const mbOf = (kb: number): number => Math.ceil(kb / 102.4) / 10

export function privateKb(pid: number): number | undefined {
  return sumKb(readProcText(`/proc/${pid}/smaps_rollup`), ['Private_Clean', 'Private_Dirty', 'Swap'])
}

/** Resident set plus swap, in kB: what a process that exec'd holds (shared libraries included). */
export function residentKb(pid: number): number | undefined {
  return sumKb(readProcText(`/proc/${pid}/status`), ['VmRSS', 'VmSwap'])
}

/** Anonymous resident pages plus swap, in kB (RssAnon + VmSwap of /proc/<pid>/status): a cheap read whose growth is new memory. */
export function anonKb(pid: number): number | undefined {
  return sumKb(readProcText(`/proc/${pid}/status`), ['RssAnon', 'VmSwap'])
}

/** Its resident set now and at its highest so far (VmHWM), in kB: one read of /proc/<pid>/status. */
export function residentAndPeakKb(pid: number): { readonly rss: number; readonly hwm: number } | undefined {
  const status = readProcText(`/proc/${pid}/status`)
  const rss = sumKb(status, ['VmRSS'])
  const hwm = sumKb(status, ['VmHWM'])
  return rss === undefined || hwm === undefined ? undefined : { rss, hwm }
}

/**
 * CPU time in ms: user + system of all its threads, plus that of the children it waited for
 * (utime, stime, cutime, cstime of /proc/<pid>/stat; 10 ms resolution).
 */
export function cpuMs(pid: number): number | undefined {
  const stat = readProcText(`/proc/${pid}/stat`)
  if (stat === undefined) return undefined
  // Fields after the command (which may hold spaces): state is field 3, utime field 14.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0)
  return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined
}
