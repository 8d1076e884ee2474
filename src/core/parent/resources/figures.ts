// The figures of one isolated test for the JSON Lines report, at near-zero cost: a forked child's
// resident size at the fork (it says so itself before any test code runs) and two /proc reads just
// before it is ended (its high-water mark and CPU time). With a `memoryLimit` the sampler's peak of the whole tree
// replaces the estimate.
import { cpuMs, mbOf, residentAndPeakKb } from './proc-usage.js'
import type { TreeCpu, TreeUsage } from './memory-sampler.js'

/** What the zygote's wait4 said about a forked child that exited (ru_maxrss kB, CPU µs). */
export interface ExitUsage {
  readonly maxRssKb: number
  readonly userMicros: number
  readonly systemMicros: number
}

export interface MemoryFigure {
  /** MB, one decimal, rounded up; null when it could not be read (the child died before we looked). */
  readonly peakMb: number | null
  /**
   * 'sampler': the highest sum over the tree that the memoryLimit sampler saw; 'vmhwm': the child's own
   * VmHWM read before it was ended, minus its resident size at the fork for a forked child (an
   * estimate: pages added, not copy-on-write copies; the tree's other processes not counted);
   * 'wait4': ru_maxrss of a forked child that died, minus the same; 'v8-heap': the child died of V8's
   * out-of-memory error with more heap than the sampler had seen (its heap at the crash, from V8's
   * report); 'cgroup': memory.peak of the child's cgroup v2.
   */
  readonly source: 'sampler' | 'v8-heap' | 'cgroup' | 'vmhwm' | 'wait4' | null
  readonly limitMb: number | null
}

export interface CpuFigure {
  /** User + system ms of the child and the children it waited for (with a cpuLimit: the whole tree's); null when it could not be read. */
  readonly ms: number | null
  readonly source: 'sampler' | 'proc-stat' | 'wait4' | null
}

export class ChildFigures {
  private hwmKb: number | undefined
  private cpu: number | undefined

  /**
   * `atFork`: for a forked child, its resident size as it began, once it has said (kB). A fork that
   * never said (it died in our set-up) has no estimate: its peak would count the zygote's pages.
   */
  constructor(
    private readonly pid: number,
    private readonly atFork: (() => number | undefined) | undefined,
  ) {}

  private baselineKb(): number | undefined {
    return this.atFork ? this.atFork() : 0
  }

  /** Reads the child's high-water mark and CPU time now (call it just before ending it). */
  take(): void {
    const mem = residentAndPeakKb(this.pid)
    const cpu = cpuMs(this.pid)
    if (mem) this.hwmKb = mem.hwm
    if (cpu !== undefined) this.cpu = cpu
  }

  memory(limitMb: number | undefined, sampled: TreeUsage | undefined, exit: ExitUsage | undefined, heapAtCrashMb?: number, cgroupPeakKb?: number): MemoryFigure {
    const limit = limitMb ?? null
    if (cgroupPeakKb !== undefined) return { peakMb: mbOf(cgroupPeakKb), source: 'cgroup', limitMb: limit }
    if (heapAtCrashMb !== undefined && heapAtCrashMb * 1024 > (sampled?.totalKb ?? 0)) return { peakMb: heapAtCrashMb, source: 'v8-heap', limitMb: limit }
    if (sampled) return { peakMb: mbOf(sampled.totalKb), source: 'sampler', limitMb: limit }
    const baseline = this.baselineKb()
    if (baseline === undefined) return { peakMb: null, source: null, limitMb: limit }
    if (this.hwmKb !== undefined) return { peakMb: mbOf(Math.max(0, this.hwmKb - baseline)), source: 'vmhwm', limitMb: limit }
    if (exit) return { peakMb: mbOf(Math.max(0, exit.maxRssKb - baseline)), source: 'wait4', limitMb: limit }
    return { peakMb: null, source: null, limitMb: limit }
  }

  cpuFigure(exit: ExitUsage | undefined, tree?: TreeCpu): CpuFigure {
    if (tree) return { ms: Math.round(tree.totalMs), source: 'sampler' }
    if (exit && (this.cpu === undefined || (exit.userMicros + exit.systemMicros) / 1000 > this.cpu)) return { ms: Math.round((exit.userMicros + exit.systemMicros) / 1000), source: 'wait4' }
    if (this.cpu !== undefined) return { ms: Math.round(this.cpu), source: 'proc-stat' }
    return { ms: null, source: null }
  }
}
