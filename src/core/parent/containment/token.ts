// The last-resort way to find a test's processes: every child gets a random token in its environment,
// which its descendants inherit, so a process that left the tree (a double-forked daemon re-parented to
// init) is still found by reading /proc/*/environ. It misses only a process that cleared its
// environment. It reads every process's environment (tens of ms), so it runs only when nothing cheaper
// can see the whole tree.
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'

import { TREE_ENV } from '../../ipc/protocol.js'

export { TREE_ENV }

export function newToken(): string {
  return randomBytes(12).toString('hex')
}

/** The pid the kernel gave out last in our pid namespace (the last field of /proc/loadavg). */
function lastPid(): number | undefined {
  try {
    const last = Number(readFileSync('/proc/loadavg', 'latin1').trim().split(' ').pop())
    return Number.isInteger(last) && last > 0 ? last : undefined
  } catch {
    return undefined
  }
}

/**
 * Pids of live processes (not `except`) whose environment carries the token; empty without /proc.
 * With `createdAfter` (the tree's root), only pids given out since the root's are read: pids are handed
 * out in cyclic order, and every process of the tree was created after its root, so the rest cannot
 * carry the token. Most of a machine's processes are older than a test's, and each read costs ~30 us.
 */
export function processesWithToken(token: string, except: ReadonlySet<number> = new Set(), createdAfter?: number): number[] {
  const needle = Buffer.from(`${TREE_ENV}=${token}\0`)
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  // Read after the listing: every pid in it was given out by then.
  const last = createdAfter === undefined ? undefined : lastPid()
  const since = (pid: number): boolean =>
    last === undefined || createdAfter === undefined || (last >= createdAfter ? pid > createdAfter && pid <= last : pid > createdAfter || pid <= last)
  const found: number[] = []
  for (const entry of entries) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid <= 0 || except.has(pid) || !since(pid)) continue
    try {
      if (readFileSync(`/proc/${entry}/environ`).indexOf(needle) >= 0) found.push(pid)
    } catch {
      // gone, or not ours to read
    }
  }
  return found
}
