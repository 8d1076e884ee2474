// Containment: knowing every process of a child's tree, re-parented daemons included, and ending them
// all. One object per child. Mechanisms, strongest first:
// - 'cgroup': a delegated, writable cgroup v2 (cgroup.ts); nothing escapes it;
// - 'subreaper': the child is PR_SET_CHILD_SUBREAPER (set in the child itself, through the native addon),
//   so orphans of its tree are re-parented to it and stay below it while it lives;
// - 'token': neither; the tree is walked through /proc and, where a process may have left it, found by
//   the token in its environment (token.ts).
// The end: freeze the tree (SIGSTOP), list it again until the list is stable, SIGKILL it, and check
// again until nothing is left. Every pid signalled is checked against its start time first, so a pid
// the kernel gave to another process meanwhile is never signalled.
import { realProcess as process } from '../../real-process.js'
import { execFileSync } from 'node:child_process'
import { clearTimeout, setTimeout } from 'node:timers'
import { startTimeOf } from '../../process-info.js'
import { logPids } from '../pid-log.js'
import { ChildCgroup, findDelegatedCgroup, type DelegatedCgroup } from './cgroup.js'
import { CGROUP_ENV } from '../../ipc/protocol.js'
import { newToken, processesWithToken, TREE_ENV } from './token.js'
import { commandOf, isAlive, listDescendants, type ProcessInfo } from './tree.js'

export type Mechanism = 'cgroup' | 'subreaper' | 'token'
export type { ProcessInfo }

interface Member extends ProcessInfo {
  readonly start: string | undefined
}

export interface EndResult {
  /** True when SIGKILL was needed for the child itself. */
  readonly forced: boolean
  /** Processes of the tree other than the child that were alive when we came to end it. */
  readonly leftovers: readonly ProcessInfo[]
}

let cgroupParent: DelegatedCgroup | undefined | null = null
let serial = 0

function cgroupRoot(): DelegatedCgroup | undefined {
  if (cgroupParent === null) cgroupParent = findDelegatedCgroup()
  return cgroupParent
}

export interface ContainmentOptions {
  /** The child makes itself a subreaper (it has the native addon). */
  readonly childIsSubreaper: boolean
}

export class Containment {
  readonly token = newToken()
  /** What the child's environment needs for this containment (its cgroup, to join it as it starts). */
  readonly env: Readonly<Record<string, string>>
  private root: Member | undefined
  private cgroup: ChildCgroup | undefined
  /** The kernel enforces a memory limit on the child's cgroup. */
  private memoryInKernel = false
  private readonly seen = new Map<number, Member>()

  constructor(private readonly options: ContainmentOptions) {
    // The cgroup exists before the child: a fork joins it before it allocates (child/zygote.ts).
    const parent = cgroupRoot()
    if (parent) this.cgroup = ChildCgroup.make(parent.dir, `isolated-test-${process.pid}-${++serial}`)
    this.env = this.cgroup ? { [TREE_ENV]: this.token, [CGROUP_ENV]: this.cgroup.dir } : { [TREE_ENV]: this.token }
  }

  get mechanism(): Mechanism {
    return this.cgroup ? 'cgroup' : this.options.childIsSubreaper ? 'subreaper' : 'token'
  }

  /** Takes in the child as soon as it is started. */
  adopt(pid: number): void {
    this.root = { pid, command: '', start: startTimeOf(pid) }
    if (this.cgroup && !this.cgroup.add(pid)) {
      this.cgroup.remove()
      this.cgroup = undefined
      this.memoryInKernel = false
    }
  }

  /**
   * `memoryLimit` in the kernel, where the child's cgroup has the memory controller. True when the
   * kernel enforces it (the caller then only watches); false: the sampler must.
   */
  limitMemory(mb: number): boolean {
    this.memoryInKernel = cgroupRoot()?.memory === true && this.cgroup?.limitMemory(mb) === true
    return this.memoryInKernel
  }

  /** The kernel enforces the memory limit (limitMemory said so). */
  get memoryEnforced(): boolean {
    return this.memoryInKernel
  }

  /** The kernel killed the tree for passing its memory limit (memory.events). */
  memoryKilled(): boolean {
    return this.memoryInKernel && (this.cgroup?.memoryEvents()?.oomKill ?? 0) > 0
  }

  /** The cgroup's memory.peak in kB, where the kernel enforced the limit and reports it (5.19+). */
  memoryPeakKb(): number | undefined {
    return this.memoryInKernel ? this.cgroup?.memoryPeakKb() : undefined
  }

  private rootAlive(): boolean {
    return this.root !== undefined && isAlive(this.root.pid) && startTimeOf(this.root.pid) === this.root.start
  }

  /**
   * Every live process of the tree but the child itself. `scan: false` skips the token scan (it reads
   * every process's environment): once the tree is frozen, what it found is remembered and nothing new
   * can appear outside the walk.
   */
  members({ scan = true }: { readonly scan?: boolean } = {}): Member[] {
    const root = this.root
    if (!root) return []
    const found = new Map<number, Member>()
    const add = (pid: number, command?: string): void => {
      if (pid === root.pid || found.has(pid) || !isAlive(pid)) return
      const known = this.seen.get(pid)
      const start = startTimeOf(pid)
      if (known && known.start !== start) this.seen.delete(pid)
      found.set(pid, { pid, command: command ?? commandOf(pid), start })
    }
    if (this.cgroup) {
      for (const pid of this.cgroup.members()) add(pid)
    } else {
      const alive = this.rootAlive()
      if (alive) for (const p of listDescendants(root.pid)) add(p.pid, p.command)
      // Without a subreaper, or once the child is gone, orphans are re-parented out of reach of the
      // walk: only the token finds them.
      if (scan && (!alive || !this.options.childIsSubreaper)) for (const pid of processesWithToken(this.token, new Set([process.pid]), root.pid)) add(pid)
      // What we saw before and that is still running is still ours (a stopped process cannot move).
      for (const m of this.seen.values()) if (startTimeOf(m.pid) === m.start) add(m.pid, m.command)
    }
    for (const m of found.values()) this.seen.set(m.pid, m)
    return [...found.values()]
  }

  private signal(m: Member, sig: NodeJS.Signals | number): boolean {
    // A pid whose start time changed belongs to another process now.
    if (m.start !== undefined && startTimeOf(m.pid) !== m.start) return false
    try {
      process.kill(m.pid, sig)
      return true
    } catch {
      return false // gone
    }
  }

  /** Sends `sig` to the child alone (never to a process that took its pid since). True if sent. */
  signalChild(sig: NodeJS.Signals | number): boolean {
    return this.root !== undefined && this.signal(this.root, sig)
  }

  /** Sends `sig` to the child's group and every member. */
  signalAll(sig: NodeJS.Signals): Member[] {
    const members = this.members()
    if (this.root && this.rootAlive()) {
      try {
        process.kill(-this.root.pid, sig)
      } catch {
        // no group (already gone)
      }
      this.signal(this.root, sig)
    }
    for (const m of members) this.signal(m, sig)
    return members
  }

  /** Freezes the tree, lists it until stable, SIGKILLs it, and checks again until nothing is left. */
  killAll(): Member[] {
    if (this.cgroup) {
      const members = this.members()
      if (!this.cgroup.kill()) for (const m of members) this.signal(m, 'SIGKILL')
      if (this.root) this.signal(this.root, 'SIGKILL')
      return members
    }
    const frozen = new Map<number, Member>()
    if (this.root && this.rootAlive()) {
      this.signal(this.root, 'SIGSTOP')
      frozen.set(this.root.pid, this.root)
    }
    for (let round = 0; round < 50; round++) {
      const fresh = this.members({ scan: round === 0 }).filter((m) => !frozen.has(m.pid))
      if (fresh.length === 0) break
      for (const m of fresh) {
        this.signal(m, 'SIGSTOP')
        frozen.set(m.pid, m)
      }
    }
    for (const m of frozen.values()) this.signal(m, 'SIGKILL')
    // A process that was mid-fork may have produced one more: catch it too.
    for (let round = 0; round < 10; round++) {
      const left = this.members({ scan: round === 0 })
      if (left.length === 0) break
      for (const m of left) this.signal(m, 'SIGKILL')
    }
    return [...frozen.values()].filter((m) => m.pid !== this.root?.pid)
  }

  /**
   * SIGKILL to the tree at once, without the freeze: for a process about to die itself (its exit, or a
   * signal that may be followed by SIGKILL). A freeze interrupted by our own death would leave the tree
   * stopped for ever, where no watchdog of it can run.
   */
  killNow(): void {
    if (this.cgroup) {
      this.cgroup.kill()
    }
    const members = this.members({ scan: false })
    if (this.root && this.rootAlive()) {
      try {
        process.kill(-this.root.pid, 'SIGKILL')
      } catch {
        // no group
      }
      this.signal(this.root, 'SIGKILL')
    }
    for (const m of members) this.signal(m, 'SIGKILL')
  }

  /**
   * After killAll(): waits for the child's exit and drops its cgroup. What killAll() froze it killed, and
   * a killed process starts nothing, so a second pass would only read /proc again (~1 ms a test).
   */
  async released(exited: Promise<unknown>): Promise<void> {
    await exited
    this.dispose()
  }

  /** Drops the child's cgroup once its tree is gone. */
  dispose(): void {
    this.cgroup?.remove()
  }

  /**
   * Ends the child's whole tree: `killSignal` to all of it, then after `forceKillAfterDelay` (or as
   * soon as the child exits) the freeze-and-kill. Resolves once the child has exited.
   */
  async end(exited: Promise<unknown>, killSignal: NodeJS.Signals, forceKillAfterDelay: number): Promise<EndResult> {
    if (process.platform === 'win32') {
      if (this.root) killTreeNow(this.root.pid)
      await exited
      return { forced: killSignal !== 'SIGKILL', leftovers: [] }
    }
    const before = killSignal === 'SIGKILL' ? [] : this.signalAll(killSignal)
    let forced = false
    if (killSignal !== 'SIGKILL' && forceKillAfterDelay > 0) {
      let timer: NodeJS.Timeout | undefined
      forced = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), forceKillAfterDelay)
        }),
      ])
      clearTimeout(timer)
    }
    // Every process of the tree gets SIGKILL either way: a grandchild may ignore killSignal even when
    // the child obeyed it.
    const killed = this.killAll()
    logPids([...new Set([...before, ...killed].map((m) => m.pid))])
    await exited
    this.dispose()
    const byPid = new Map<number, ProcessInfo>()
    for (const m of [...before, ...killed]) byPid.set(m.pid, { pid: m.pid, command: m.command })
    return { forced, leftovers: [...byPid.values()] }
  }
}

/** Synchronous last resort, for process exit and fatal signals: the group and its descendants, now. */
export function killTreeNow(pid: number): void {
  if (process.platform === 'win32') {
    try {
      execFileSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore' })
    } catch {
      // already gone
    }
    return
  }
  const descendants = listDescendants(pid)
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // gone
  }
  for (const d of descendants) {
    try {
      process.kill(d.pid, 'SIGKILL')
    } catch {
      // gone
    }
  }
}
