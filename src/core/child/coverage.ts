// Coverage of what a child ran, for the parent to merge into what its worker reports. The adapter's
// child half installs a collector (it knows the framework's format); the core resets it where the
// child's own work starts (a zygote's fork point, after a fresh child's import) and takes it just
// before the verdict leaves. On globalThis: the framework may load our modules again as instances of
// its own (Vitest's module runner loads the child runner), and all must see the one collector.
import { Session } from 'node:inspector'
import { COVERAGE_NOW_KEY } from '../coverage-key.js'

export interface CoverageCollector {
  /** Forget what ran so far (the file's import, counted once by the parent already). */
  reset(): void
  /** What ran since the last reset, in the form the adapter's parent half merges. */
  take(): unknown
  /**
   * The same, synchronously, at any moment: on a timeout, inside an interrupt of the stuck main thread
   * (the normal `take` may need the file to have ended first). Defaults to `take`.
   */
  takeNow?(): unknown
}

const KEY = Symbol.for('isolated-test.coverage')

export function setCoverageCollector(collector: CoverageCollector): void {
  ;(globalThis as Record<symbol, CoverageCollector | undefined>)[KEY] = collector
}

function collector(): CoverageCollector | undefined {
  return (globalThis as Record<symbol, CoverageCollector | undefined>)[KEY]
}

/** Whether coverage is collected in this child (a collector is installed). */
export function coverageOn(): boolean {
  return collector() !== undefined
}

export function resetCoverage(): void {
  collector()?.reset()
}

/** Undefined when coverage is off or the collector failed (the parent then marks the test incomplete). */
export function takeCoverage(): unknown {
  try {
    return collector()?.take()
  } catch {
    return undefined
  }
}

/**
 * What ran since the last take, as JSON, then reset (a child that goes on after it counts only what it
 * runs next): asked on a timeout before the child is killed, by the watchdog thread over the inspector
 * (fresh) or by the stack thread's interrupt (forked). Undefined without coverage or when it fails.
 */
export function coverageNow(): string | undefined {
  const c = collector()
  if (!c) return undefined
  try {
    const data = c.takeNow ? c.takeNow() : c.take()
    if (data === undefined) return undefined
    const json = JSON.stringify(data)
    // Counters that live in JS objects (istanbul) are copied above and zeroed here.
    c.reset()
    return json
  } catch {
    return undefined
  }
}

;(globalThis as Record<symbol, unknown>)[Symbol.for(COVERAGE_NOW_KEY)] = coverageNow

/** V8's ScriptCoverage, as Profiler.takePreciseCoverage gives it. */
export interface ScriptCoverage {
  readonly scriptId: string
  readonly url: string
  readonly functions: readonly unknown[]
  startOffset?: number
}

/**
 * Precise coverage through an in-process inspector session, as Vitest's and Jest's workers take it. An
 * in-process session answers synchronously (the verdict must not wait for a tick), and one opened in a
 * zygote keeps working in its forks.
 */
export class V8Coverage {
  private readonly session = new Session()

  constructor() {
    this.session.connect()
    this.post('Profiler.enable')
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true })
  }

  /** Every script's counts since the last take; V8 resets them. */
  take(): ScriptCoverage[] {
    return (this.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] }).result
  }

  private post(method: string, params?: object): unknown {
    let answer: { error: Error | null; result: unknown } | undefined
    this.session.post(method, params ?? {}, (error, result) => (answer = { error, result }))
    if (!answer) throw new Error(`isolated-test: the inspector did not answer ${method} synchronously`)
    if (answer.error) throw answer.error
    return answer.result
  }
}

/** An istanbul coverage map's counters (statements, functions, branches), per file. */
export interface IstanbulFileCoverage {
  readonly s: Record<string, number>
  readonly f: Record<string, number>
  readonly b: Record<string, number[]>
  readonly bT?: Record<string, number[]>
}

/** Zeroes every counter of an istanbul coverage map in place (the instrumented code keeps writing to it). */
export function zeroIstanbul(map: Record<string, IstanbulFileCoverage> | undefined): void {
  if (!map) return
  for (const file of Object.values(map)) {
    for (const key in file.s) file.s[key] = 0
    for (const key in file.f) file.f[key] = 0
    for (const counts of [file.b, file.bT]) if (counts) for (const key in counts) counts[key] = counts[key]!.map(() => 0)
  }
}

/** The files of an istanbul map that anything ran in since the counters were zeroed. */
export function hitIstanbul<T extends IstanbulFileCoverage>(map: Record<string, T> | undefined): Record<string, T> {
  const out: Record<string, T> = {}
  if (!map) return out
  for (const [path, file] of Object.entries(map)) {
    const hit = Object.values(file.s).some((n) => n > 0) || Object.values(file.f).some((n) => n > 0) || Object.values(file.b).some((c) => c.some((n) => n > 0))
    if (hit) out[path] = file
  }
  return out
}
