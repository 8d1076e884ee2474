// `memoryLimit` without a cgroup, and `cpuLimit`: every SAMPLE_PERIOD_MS, sum what the child's process
// tree holds and has used (from /proc) and call `onExceeded` / `onCpuExceeded` once, the first time a sum
// passes its limit. Memory per process: the child itself, when it is a fork of a zygote, by its private
// memory (its RSS starts at the zygote's, which it only shares); every process that exec'd (a fresh
// child, what a test spawns) by its RSS. CPU per process: user + system time of it and of the children
// it waited for. Runs only when a limit is set; nothing is sampled otherwise.
import { clearInterval, setInterval } from 'node:timers'
import type { Containment } from '../containment/index.js'
import { commandOf } from '../containment/tree.js'
import { anonKb, cpuMs, privateKb, residentKb } from './proc-usage.js'

/** How often the tree is read: the verdict comes within about one period of the crossing. */
export const SAMPLE_PERIOD_MS = 50

export interface ProcessUsage {
  readonly pid: number
  readonly command: string
  readonly kb: number
}

export interface TreeUsage {
  readonly totalKb: number
  readonly processes: readonly ProcessUsage[]
  /** The process holding the most. */
  readonly largest: ProcessUsage
}

export interface ProcessCpu {
  readonly pid: number
  readonly command: string
  readonly ms: number
}

export interface TreeCpu {
  readonly totalMs: number
  readonly processes: readonly ProcessCpu[]
  /** The process that used the most. */
  readonly largest: ProcessCpu
}

export interface SamplerOptions {
  readonly containment: Containment
  readonly rootPid: number
  /** The child is a fork of a zygote (count its private memory, not its RSS). */
  readonly forked: boolean
  /** The memory limit in kB; undefined: memory is not read. */
  readonly limitKb?: number | undefined
  readonly onExceeded?: (usage: TreeUsage) => void
  /** The CPU limit in ms; undefined: CPU time is not read. */
  readonly cpuLimitMs?: number | undefined
  readonly onCpuExceeded?: (usage: TreeCpu) => void
  readonly periodMs?: number
}

/**
 * A forked child's private memory, read cheaply. smaps_rollup walks every page table of the child (the
 * zygote's whole image): measured 5-25 ms for 200 MB on the loaded 2-core VM, against 0.05-0.2 ms for
 * /proc/<pid>/status. So it is read every ROLLUP_EVERY samples, and in between the private size is
 * that reading plus the growth of anonymous resident memory since (new memory; copy-on-write copies of
 * the zygote's pages only show at the next rollup). Near the limit, and before any verdict, it is read
 * exactly.
 */
export class PrivateMemory {
  private base: { readonly uss: number; readonly anon: number } | undefined
  private count = 0

  constructor(
    private readonly pid: number,
    private readonly limitKb: number,
  ) {}

  /** kB, exact when `exact` (or when due), else the estimate; undefined when the process is gone. */
  read(exact = false): number | undefined {
    const anon = anonKb(this.pid)
    if (anon === undefined) return undefined
    if (this.base && !exact && this.count++ % ROLLUP_EVERY !== 0) {
      const estimate = this.base.uss + Math.max(0, anon - this.base.anon)
      if (estimate < this.limitKb * NEAR_LIMIT) return estimate
    }
    const uss = privateKb(this.pid)
    if (uss === undefined) return undefined
    this.base = { uss, anon }
    return uss
  }
}

/** A forked child's smaps_rollup is read every this many samples (500 ms at 50 ms)... */
const ROLLUP_EVERY = 10
/** ...and at every sample once the estimate passes this share of the limit. */
const NEAR_LIMIT = 0.8

type Members = readonly { readonly pid: number; readonly command: string }[]

/** One reading of the whole tree, or undefined when the child itself is gone. */
export function readTree(o: Pick<SamplerOptions, 'containment' | 'rootPid' | 'forked'>, own?: PrivateMemory, exact = false, rootCommand?: string, members?: Members): TreeUsage | undefined {
  const rootKb = o.forked ? (own ? own.read(exact) : privateKb(o.rootPid)) : residentKb(o.rootPid)
  if (rootKb === undefined) return undefined
  const processes: ProcessUsage[] = [{ pid: o.rootPid, command: rootCommand ?? commandOf(o.rootPid), kb: rootKb }]
  for (const m of members ?? o.containment.members({ scan: false })) {
    const kb = residentKb(m.pid)
    if (kb !== undefined) processes.push({ pid: m.pid, command: m.command, kb })
  }
  let largest = processes[0]!
  for (const p of processes) if (p.kb > largest.kb) largest = p
  return { totalKb: processes.reduce((sum, p) => sum + p.kb, 0), processes, largest }
}

/**
 * The CPU time of the whole tree, ms: each process's user + system time and that of the children it
 * waited for (/proc/<pid>/stat, 10 ms ticks); undefined when the child itself is gone.
 */
export function readTreeCpu(rootPid: number, rootCommand: string, members: Members): TreeCpu | undefined {
  const rootMs = cpuMs(rootPid)
  if (rootMs === undefined) return undefined
  const processes: ProcessCpu[] = [{ pid: rootPid, command: rootCommand, ms: rootMs }]
  for (const m of members) {
    const ms = cpuMs(m.pid)
    if (ms !== undefined) processes.push({ pid: m.pid, command: m.command, ms })
  }
  let largest = processes[0]!
  for (const p of processes) if (p.ms > largest.ms) largest = p
  return { totalMs: processes.reduce((sum, p) => sum + p.ms, 0), processes, largest }
}

export class MemorySampler {
  /** The highest total seen, with its breakdown. */
  peak: TreeUsage | undefined
  /** The most CPU time the tree was seen to have used (with a cpuLimit). */
  cpu: TreeCpu | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly own: PrivateMemory | undefined
  /** The child's command line, read once (a fork's is its zygote's and never changes). */
  private rootCommand: string | undefined

  constructor(private readonly o: SamplerOptions) {
    this.own = o.forked && o.limitKb !== undefined ? new PrivateMemory(o.rootPid, o.limitKb) : undefined
  }

  get periodMs(): number {
    return this.o.periodMs ?? SAMPLE_PERIOD_MS
  }

  start(): void {
    this.timer = setInterval(() => this.sample(), this.periodMs)
    // The run itself keeps the process alive; the sampler must not.
    this.timer.unref()
    this.sample()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** One reading now: the peak is updated, and the limits checked. */
  sample(): TreeUsage | undefined {
    // Read until it is there: a fork's may read empty in its first moments.
    if (!this.rootCommand) this.rootCommand = commandOf(this.o.rootPid) || undefined
    const members = this.o.containment.members({ scan: false })
    if (this.o.cpuLimitMs !== undefined) this.sampleCpu(members)
    const limitKb = this.o.limitKb
    if (limitKb === undefined) return undefined
    let usage = readTree(this.o, this.own, false, this.rootCommand, members)
    // An estimate over the limit is checked exactly before it counts.
    if (usage && usage.totalKb > limitKb && this.own) usage = readTree(this.o, this.own, true, this.rootCommand, members)
    if (!usage) return undefined
    if (!this.peak || usage.totalKb > this.peak.totalKb) this.peak = usage
    if (usage.totalKb > limitKb && this.timer !== undefined) {
      this.stop()
      this.o.onExceeded?.(usage)
    }
    return usage
  }

  /**
   * One last exact reading of the tree (memory and, with a cpuLimit, CPU time), without checking the
   * limits: the figures for the report. The child has answered but still holds what it wrote; a body
   * shorter than one period would otherwise show only what the last periodic reading saw.
   */
  readLast(): void {
    const members = this.o.containment.members({ scan: false })
    if (this.o.cpuLimitMs !== undefined) this.sampleCpu(members)
    if (this.o.limitKb === undefined) return
    const usage = readTree(this.o, this.own, true, this.rootCommand, members)
    if (usage && (!this.peak || usage.totalKb > this.peak.totalKb)) this.peak = usage
  }

  private sampleCpu(members: Members): void {
    const cpu = readTreeCpu(this.o.rootPid, this.rootCommand ?? '', members)
    if (!cpu) return
    if (!this.cpu || cpu.totalMs > this.cpu.totalMs) this.cpu = cpu
    if (cpu.totalMs > this.o.cpuLimitMs! && this.timer !== undefined) {
      this.stop()
      this.o.onCpuExceeded?.(cpu)
    }
  }
}
