// Ends a child's whole process tree: killSignal to its group and every descendant, SIGKILL to all of
// them after forceKillAfterDelay. Descendants are listed while the child is still alive, because once
// it dies they are re-parented to init and can no longer be found through it.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import treeKill from 'tree-kill'
import { logPids } from './pid-log.js'

const isWindows = process.platform === 'win32'

export interface ProcessInfo {
  readonly pid: number
  readonly command: string
}

/** Linux: walks /proc/<pid>/task/<tid>/children, touching only our own descendants (no exec). */
function listFromProc(pid: number): ProcessInfo[] | undefined {
  const found: ProcessInfo[] = []
  const stack = [pid]
  while (stack.length > 0) {
    const parent = stack.pop()!
    let tasks: string[]
    try {
      tasks = readdirSync(`/proc/${parent}/task`)
    } catch (error) {
      if (parent === pid && (error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined
      continue
    }
    for (const tid of tasks) {
      let children: string
      try {
        children = readFileSync(`/proc/${parent}/task/${tid}/children`, 'utf8')
      } catch {
        if (parent === pid && tid === tasks[0]) return undefined
        continue
      }
      for (const c of children.split(' ')) {
        const child = Number(c)
        if (!child) continue
        let command = ''
        try {
          command = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim()
        } catch {
          // exited meanwhile
        }
        found.push({ pid: child, command })
        stack.push(child)
      }
    }
  }
  return found
}

/** Every descendant of `pid` (any depth): from /proc on Linux, else from one `ps` listing. */
export function listDescendants(pid: number): ProcessInfo[] {
  if (isWindows) return []
  if (process.platform === 'linux') {
    const fromProc = listFromProc(pid)
    if (fromProc) return fromProc
  }
  let out: string
  try {
    out = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  } catch {
    return []
  }
  const children = new Map<number, ProcessInfo[]>()
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s?(.*)$/.exec(line)
    if (!m) continue
    const ppid = Number(m[2])
    const list = children.get(ppid) ?? []
    list.push({ pid: Number(m[1]), command: m[3] ?? '' })
    children.set(ppid, list)
  }
  const found: ProcessInfo[] = []
  const stack = [pid]
  while (stack.length > 0) {
    for (const c of children.get(stack.pop()!) ?? []) {
      found.push(c)
      stack.push(c.pid)
    }
  }
  return found
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

/** Signals the child's process group (it leads one) and each listed descendant. */
export function signalTree(pid: number, descendants: readonly ProcessInfo[], sig: NodeJS.Signals): void {
  if (isWindows) {
    treeKill(pid, sig)
    return
  }
  signal(-pid, sig)
  for (const d of descendants) signal(d.pid, sig)
}

export interface TerminateResult {
  /** True when SIGKILL was needed. */
  readonly forced: boolean
  /** Descendants that were still alive when we came to end the child. */
  readonly leftovers: readonly ProcessInfo[]
}

/**
 * Kills the tree and resolves once the child has exited. `exited` resolves when the child is gone;
 * descendants are killed without waiting for them (SIGKILL cannot be refused).
 */
export async function terminateTree(
  pid: number,
  exited: Promise<unknown>,
  killSignal: NodeJS.Signals,
  forceKillAfterDelay: number,
): Promise<TerminateResult> {
  const descendants = listDescendants(pid)
  logPids(descendants.map((d) => d.pid))
  signalTree(pid, descendants, killSignal)
  let timer: NodeJS.Timeout | undefined
  const forced = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), forceKillAfterDelay)
    }),
  ])
  clearTimeout(timer)
  // The group and every descendant get SIGKILL either way: a grandchild may ignore killSignal even
  // when the child itself obeyed it.
  const survivors = descendants.filter((d) => isAlive(d.pid))
  signalTree(pid, [...survivors, ...listDescendants(pid)], 'SIGKILL')
  if (forced) await exited
  return { forced, leftovers: descendants }
}

/** Synchronous last-resort kill, for process exit and fatal signals. */
export function killTreeNow(pid: number): void {
  if (isWindows) {
    try {
      execFileSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore' })
    } catch {
      // already gone
    }
    return
  }
  const descendants = listDescendants(pid)
  signalTree(pid, descendants, 'SIGKILL')
}
