// The strongest containment, where the machine gives us one: a delegated, writable cgroup v2. Each child
// gets a cgroup of its own (a leaf), made before the child starts and joined as soon as it runs;
// everything it forks stays in it whatever it does (setsid, double fork, a cleared environment),
// `cgroup.procs` lists them and `cgroup.kill` (Linux 5.14+) ends them all at once. Where the memory
// controller is delegated too, the leaf also enforces `memoryLimit` in the kernel: `memory.max`,
// `memory.swap.max = 0`, `memory.oom.group = 1` (an out-of-memory kill takes the whole tree);
// `memory.events` tells that kill and `memory.peak` (Linux 5.19+) the peak. Where cgroup v2 is not
// mounted or no cgroup is ours to write (cgroup v1, a container without delegation), or
// ISOLATED_TEST_NO_CGROUP is set, there is no cgroup and the caller falls back (the /proc sampler).
import { accessSync, constants, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

const ROOT = '/sys/fs/cgroup'
/** Set (to anything but '' or '0'): never use a cgroup; memory limits go to the sampler. */
export const NO_CGROUP_ENV = 'ISOLATED_TEST_NO_CGROUP'

export interface DelegatedCgroup {
  /** Where the children's leaves are made. */
  readonly dir: string
  /** The memory controller is enabled for the leaves (memory.max is theirs). */
  readonly memory: boolean
}

export interface FindOptions {
  /** The cgroup v2 mount (default /sys/fs/cgroup); injectable for tests. */
  readonly root?: string
  /** The text of /proc/self/cgroup. */
  readonly selfCgroup?: string
  readonly env?: NodeJS.ProcessEnv
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK)
    accessSync(join(dir, 'cgroup.procs'), constants.W_OK)
    return true
  } catch {
    return false
  }
}

function hasMemory(dir: string): boolean {
  try {
    return readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('memory')
  } catch {
    return false
  }
}

/**
 * Where children's cgroups can be made: the nearest cgroup, from our own (the `0::` line of
 * /proc/self/cgroup) up to the mount, that has the memory controller enabled for its children and that
 * we may write (moving a process needs write access to the common ancestor's cgroup.procs); else our
 * own cgroup when it is writable, for containment without memory limits. Undefined without cgroup v2.
 */
export function findDelegatedCgroup(o: FindOptions = {}): DelegatedCgroup | undefined {
  const root = o.root ?? ROOT
  const off = (o.env ?? process.env)[NO_CGROUP_ENV]
  if (off !== undefined && off !== '' && off !== '0') return undefined
  try {
    accessSync(join(root, 'cgroup.controllers'))
    const line = (o.selfCgroup ?? readFileSync('/proc/self/cgroup', 'utf8')).split('\n').find((l) => l.startsWith('0::'))
    if (!line) return undefined
    const top = resolve(root)
    const own = resolve(top, `.${line.slice(3).trim()}`)
    if (own !== top && !own.startsWith(`${top}/`)) return undefined
    for (let dir = own; ; dir = dirname(dir)) {
      if (hasMemory(dir) && writable(dir)) return { dir, memory: true }
      if (dir === top || dirname(dir) === dir) break
    }
    return writable(own) ? { dir: own, memory: false } : undefined
  } catch {
    return undefined
  }
}

/** Our own cgroup directory, when it is cgroup v2 and we may create cgroups below it. */
export function delegatedCgroup(): string | undefined {
  return findDelegatedCgroup()?.dir
}

export interface MemoryEvents {
  /** Times the kernel's OOM killer killed a process of the cgroup. */
  readonly oomKill: number
  /** Times the cgroup reached memory.max and reclaim could not bring it under. */
  readonly oom: number
}

export class ChildCgroup {
  /** memory.peak, kept once read at removal. */
  private lastPeakKb: number | undefined

  private constructor(readonly dir: string) {}

  /** A new, empty cgroup `name` below `parent`; undefined when the kernel refuses. */
  static make(parent: string, name: string): ChildCgroup | undefined {
    const dir = join(parent, name)
    try {
      mkdirSync(dir)
      return new ChildCgroup(dir)
    } catch {
      return undefined
    }
  }

  /** A new cgroup below `parent` holding `pid`; undefined when the kernel refuses. */
  static create(parent: string, pid: number, name: string): ChildCgroup | undefined {
    const cgroup = ChildCgroup.make(parent, name)
    if (cgroup && !cgroup.add(pid)) {
      cgroup.remove()
      return undefined
    }
    return cgroup
  }

  /** Moves `pid` in. False when the kernel refuses. */
  add(pid: number): boolean {
    try {
      writeFileSync(join(this.dir, 'cgroup.procs'), String(pid))
      return true
    } catch {
      return false
    }
  }

  /**
   * The kernel's memory limit for the whole cgroup: `memory.max`, no swap (where swap is accounted),
   * and an out-of-memory kill that takes every process of it. False when memory.max cannot be set.
   */
  limitMemory(mb: number): boolean {
    try {
      writeFileSync(join(this.dir, 'memory.max'), String(Math.floor(mb * 1024 * 1024)))
    } catch {
      return false
    }
    for (const [file, value] of [
      ['memory.swap.max', '0'],
      ['memory.oom.group', '1'],
    ] as const) {
      try {
        writeFileSync(join(this.dir, file), value)
      } catch {
        // no swap accounting (memory.swap.max absent), or an older kernel: the limit holds without it
      }
    }
    return true
  }

  /** memory.events: the OOM kills in this cgroup; undefined when it cannot be read. */
  memoryEvents(): MemoryEvents | undefined {
    try {
      const text = readFileSync(join(this.dir, 'memory.events'), 'utf8')
      const value = (name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0)
      return { oomKill: value('oom_kill') + value('oom_group_kill'), oom: value('oom') }
    } catch {
      return undefined
    }
  }

  /** memory.peak in kB (Linux 5.19+): the most the cgroup held; undefined before 5.19 or once removed. */
  memoryPeakKb(): number | undefined {
    try {
      const bytes = Number(readFileSync(join(this.dir, 'memory.peak'), 'utf8').trim())
      return Number.isFinite(bytes) ? Math.round(bytes / 1024) : undefined
    } catch {
      return this.lastPeakKb
    }
  }

  members(): number[] {
    try {
      return readFileSync(join(this.dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number)
    } catch {
      return []
    }
  }

  /** cgroup.kill (Linux 5.14+); false where it is missing, and the caller signals each member. */
  kill(): boolean {
    try {
      writeFileSync(join(this.dir, 'cgroup.kill'), '1')
      return true
    } catch {
      return false
    }
  }

  /** Removes the cgroup once it is empty (the kernel refuses before); its peak is kept. */
  remove(): void {
    this.lastPeakKb = this.memoryPeakKb()
    try {
      rmdirSync(this.dir)
    } catch {
      // still has members, or gone
    }
  }
}
