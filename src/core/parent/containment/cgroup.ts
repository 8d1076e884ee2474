// The strongest containment, where the machine gives us one: a delegated, writable cgroup v2. Each child
// is moved into a cgroup of its own as soon as it starts; everything it forks stays in it whatever it
// does (setsid, double fork, a cleared environment), `cgroup.procs` lists them and `cgroup.kill`
// (Linux 5.14+) ends them all at once. Where cgroup v2 is not mounted or our cgroup is not ours to write
// (cgroup v1, a container without delegation), this is not available and the caller falls back.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync, accessSync, constants } from 'node:fs'
import { join } from 'node:path'

const ROOT = '/sys/fs/cgroup'

/** Our own cgroup directory, when it is cgroup v2 and we may create cgroups below it and kill them. */
export function delegatedCgroup(): string | undefined {
  try {
    accessSync(join(ROOT, 'cgroup.controllers'))
    const line = readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'))
    if (!line) return undefined
    const dir = join(ROOT, line.slice(3))
    accessSync(dir, constants.W_OK)
    accessSync(join(dir, 'cgroup.procs'), constants.W_OK)
    // cgroup.kill appeared in Linux 5.14; without it there is no atomic kill.
    accessSync(join(ROOT, 'cgroup.kill'), constants.F_OK)
    return dir
  } catch {
    return undefined
  }
}

export class ChildCgroup {
  private constructor(readonly dir: string) {}

  /** A new cgroup below `parent` holding `pid`; undefined when the kernel refuses. */
  static create(parent: string, pid: number, name: string): ChildCgroup | undefined {
    const dir = join(parent, name)
    try {
      mkdirSync(dir)
      writeFileSync(join(dir, 'cgroup.procs'), String(pid))
      return new ChildCgroup(dir)
    } catch {
      try {
        rmdirSync(dir)
      } catch {
        // was not created
      }
      return undefined
    }
  }

  members(): number[] {
    try {
      return readFileSync(join(this.dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number)
    } catch {
      return []
    }
  }

  kill(): void {
    try {
      writeFileSync(join(this.dir, 'cgroup.kill'), '1')
    } catch {
      // already gone
    }
  }

  /** Removes the cgroup once it is empty (the kernel refuses before). */
  remove(): void {
    try {
      rmdirSync(this.dir)
    } catch {
      // still has members, or gone
    }
  }
}
