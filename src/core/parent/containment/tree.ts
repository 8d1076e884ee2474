// The processes below a pid: from /proc/<pid>/task/<tid>/children on Linux (our own descendants only,
// no exec), else from one `ps` listing. A process re-parented away from the tree (a daemon whose parent
// exited, when no subreaper holds it) is not below it any more: see token.ts and cgroup.ts.
import { realProcess as process } from '../../real-process.js'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

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
        found.push({ pid: child, command: commandOf(child) })
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

/** Running (a zombie has exited: it only waits to be reaped and runs no code). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat[stat.lastIndexOf(')') + 2] !== 'Z'
  } catch {
    return process.platform !== 'linux'
  }
}

export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim()
  } catch {
    return ''
  }
}

