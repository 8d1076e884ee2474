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

/** Pids of live processes (not `except`) whose environment carries the token; empty without /proc. */
export function processesWithToken(token: string, except: ReadonlySet<number> = new Set()): number[] {
  const needle = Buffer.from(`${TREE_ENV}=${token}\0`)
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return []
  }
  const found: number[] = []
  for (const entry of entries) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid <= 0 || except.has(pid)) continue
    try {
      if (readFileSync(`/proc/${entry}/environ`).indexOf(needle) >= 0) found.push(pid)
    } catch {
      // gone, or not ours to read
    }
  }
  return found
}
