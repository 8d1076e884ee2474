// One isolated run from start to finish: take a slot, start the child, send the request, time each
// stretch, capture where a stuck child is, end its whole tree, and turn what happened into a result or
// one of our errors. Framework traffic is handed to the caller.
//
// Time is split into stretches (segments). A user segment is one phase (a hook, the body) while the
// user's own function runs: it starts and ends at the times the child measured (monotonicMs), so
// transit and this process's event-loop lag never count against the test. Everything else (boot,
// importing the file, the framework's and our work between phases) is an "ours" segment, bounded by
// `bootTimeout` and reported as ours when it overruns. Under a framework timer (isolated() inside a
// test) every segment is also cut to end a kill window before that timer fires.
import { trace } from '../trace.js'
import { withOutputFlow } from '../stuck/output-flow.js'
import { clearTimeout, setTimeout } from 'node:timers'
import { StringDecoder } from 'node:string_decoder'
import { IsolatedBootError, IsolatedCpuError, IsolatedCrashError, IsolatedMemoryError, IsolatedTimeoutError, pointAtUserCode, type MemoryDetails, type TimeoutDetails } from '../errors.js'
import { CHILD_ID_ENV, type ChildMessage, type ChildResult, type PrepareRequest, type RunRequest, type WatchdogReport } from '../ipc/protocol.js'
import { deserializeThrown } from '../ipc/serialize.js'
import { killWindow, STUCK_CAPTURE_MS, type Limits, type ResolvedOptions } from '../options.js'
import { monotonicMs } from '../clock.js'
import { ChildHandle, type StartOptions } from './child-process.js'
import { v8OutOfMemory, type Child } from './child.js'
import { Zygote, type ZygoteOptions } from './zygote.js'
import { zygoteFor } from './zygotes.js'
import { acquireSlot } from './slots.js'
import { takeChildId } from './child-ids.js'
import { logPids } from './pid-log.js'
import { offerSpare, spareKey, takeSpare } from './spares.js'
import type { RunRecord } from './state-report.js'
import type { StateReport } from '../state/report.js'
import { MemorySampler, type TreeCpu, type TreeUsage } from './resources/memory-sampler.js'
import { mbOf } from './resources/proc-usage.js'
import { ChildFigures } from './resources/figures.js'
import { heapCapOf, withHeapCap } from './resources/heap-cap.js'

/** How to get a fork of this file's zygote, when the fork server runs this test. */
export interface ForkSource {
  /** The zygote's key: what its children share (file, flags, env and setup options, environment). */
  readonly key: string
  readonly file: string
  readonly zygote: () => ZygoteOptions
}

export interface RunChildOptions {
  readonly options: ResolvedOptions
  /** With the fork server: where this test's fork comes from; the fresh path otherwise (or as the fallback). */
  readonly fork?: ForkSource | undefined
  readonly limits: Limits
  /** Names the setting behind a phase's limit, for the timeout message ("how to raise it"). */
  readonly describeLimit: (phase: string, limit: number) => string
  readonly start: StartOptions
  readonly request: RunRequest
  /** What a spare child of this kind may do ahead of time; without it, no spare is kept. */
  readonly prepare?: PrepareRequest | undefined
  /** Messages on the channel that are not ours (the framework's). */
  readonly onOther?: (message: unknown, child: Child) => void
  readonly onOutput: (type: 'stdout' | 'stderr', text: string) => void
  /** What the child's code ran (coverage on), in the adapter's format, before its verdict. */
  readonly onCoverage?: ((data: unknown) => void) | undefined
  readonly signal?: AbortSignal | undefined
  /** Filled as the run goes (durations, exit, state report), for the JSON Lines record. */
  readonly record?: RunRecord | undefined
  /** Where the test or wrapped function is, for our errors' stacks when the child gives no frame. */
  readonly origin?: { readonly file: string; readonly line: number; readonly column: number } | undefined
}

export interface RunChildResult {
  readonly result: ChildResult
  /** The body's state report (unless leaks: 'off'). */
  readonly report?: StateReport | undefined
  readonly durations: { readonly boot: number; readonly body: number }
}

type Outcome = { ok: true; result: ChildResult; report?: StateReport | undefined; importMs?: number | undefined } | { ok: false; error: unknown; timedOut?: boolean }

/** A stretch of the child's time with its own deadline (monotonicMs). */
interface Segment {
  readonly kind: 'user' | 'ours'
  /** The phase ('body', 'beforeEach hook', ...), or for ours what it follows ('boot', 'after the body'). */
  readonly phase: string
  readonly since: number
  /** The limit asked for this stretch (Infinity for none). */
  readonly limit: number
  /** When it expires: `since + limit`, or earlier when the framework's timer cuts it. */
  readonly deadline: number
  readonly cut: boolean
  readonly setting: string | undefined
  /** Our own pauses inside this user phase (the carry): they move its deadline, not its limit. */
  readonly ours: number
}

export async function runInChild(given: RunChildOptions): Promise<RunChildResult> {
  given = { ...given, start: withHeapCap(given.start, given.options.memoryLimit) }
  const key = given.prepare ? spareKey(given.start, given.prepare) : undefined
  // Waiting for a slot is not counted against any limit: the clocks start once we have one.
  const spare = !given.fork && key ? takeSpare(key) : undefined
  const release = spare ? spare.release : await acquireSlot(given.options.maxChildren, given.signal)
  const childId = takeChildId()
  const o: RunChildOptions = { ...given, request: { ...given.request, env: { ...given.request.env, [CHILD_ID_ENV]: String(childId.id) } } }
  try {
    // How the child's process was started: its own start, or its zygote's (a fork shares its heap cap).
    let started: StartOptions = o.start
    const obtain = async (): Promise<Child> => {
      if (o.fork) {
        const source = await zygoteFor(o.fork.key, o.fork.file, o.limits.bootTimeout, o.fork.zygote)
        if ('zygote' in source) {
          started = source.zygote.start
          return forkOf(source.zygote, o.request, o.options.memoryLimit)
        }
      }
      return spare?.child ?? new ChildHandle(o.start)
    }
    return await runAcquired(o, obtain, key, () => started)
  } finally {
    childId.release()
    release()
  }
}

function leftoverNotice(leftovers: readonly { readonly pid: number; readonly command: string }[]): string {
  return `isolated-test: the test left ${leftovers.length} process(es) running; they were killed with its process tree:\n${leftovers.map((p) => `  pid ${p.pid}: ${p.command}`).join('\n')}\n`
}

/** Decodes a byte stream as UTF-8 across chunk boundaries (a character split between chunks stays whole). */
function relayOutput(stream: NodeJS.ReadableStream, type: 'stdout' | 'stderr', onOutput: RunChildOptions['onOutput'], counted: (bytes: number) => void): () => void {
  const decoder = new StringDecoder('utf8')
  stream.on('data', (chunk: Buffer) => {
    counted(chunk.length)
    const text = decoder.write(chunk)
    if (text) onOutput(type, text)
  })
  return () => {
    const rest = decoder.end()
    if (rest) onOutput(type, rest)
  }
}

/** A fork of the zygote, or an error that names the zygote when it cannot give one. */
async function forkOf(zygote: Zygote, request: RunRequest, memoryLimitMb: number | undefined): Promise<Child> {
  try {
    return await zygote.fork(request, memoryLimitMb)
  } catch (error) {
    throw new IsolatedCrashError(null, null, zygote.process.stderrTail(), `while forking this test's child from its zygote: ${(error as Error).message}`)
  }
}

/** Where the limit was crossed, for the memory and CPU errors. */
function phaseOf(s: Segment): string {
  return s.kind === 'user' ? (s.phase === 'body' ? 'test body' : s.phase) : s.phase === 'boot' ? 'start-up (booting the child and importing the test file)' : `work between phases ${s.phase}`
}


async function runAcquired(o: RunChildOptions, obtain: () => Promise<Child>, key: string | undefined, startedWith: () => StartOptions): Promise<RunChildResult> {
  const started = monotonicMs()
  trace('p.run.start')
  const { limits } = o
  const memoryLimit = o.options.memoryLimit
  const cpuLimit = o.options.cpuLimit
  const kill = killWindow(o.options)
  const cutAt = limits.frameworkDeadline === undefined ? Infinity : limits.frameworkDeadline - kill
  let bodyStarted: number | undefined
  let bodyEnded: number | undefined
  // Set once the child exists: a zygote may still be booting, and that time is boot too.
  let child: Child | undefined

  let settle!: (outcome: Outcome) => void
  const settled = new Promise<Outcome>((resolve) => (settle = resolve))
  let done = false
  /** Bytes read from the child's stdout and stderr so far (flowing during a capture: it was writing). */
  let outputBytes = 0
  let timer: NodeJS.Timeout | undefined
  const finish = (outcome: Outcome): void => {
    if (done) return
    done = true
    clearTimeout(timer)
    settle(outcome)
  }

  /** The child's coverage, from its message or a timeout's capture (JSON), to the adapter. */
  const takeCoverage = (data: unknown): void => {
    if (typeof data !== 'string') return void o.onCoverage?.(data)
    try {
      o.onCoverage?.(JSON.parse(data))
    } catch {
      // not the child's JSON: the test's coverage stays incomplete
    }
  }

  let segment: Segment
  const enter = (kind: Segment['kind'], phase: string, since: number, limit: number, setting?: string, ours = 0): void => {
    const own = since + limit + ours
    segment = { kind, phase, since, limit, deadline: Math.min(own, cutAt), cut: cutAt < own, setting, ours }
    clearTimeout(timer)
    const current = segment
    if (Number.isFinite(current.deadline)) timer = setTimeout(() => void expire(current), Math.max(0, current.deadline - monotonicMs()))
  }

  const timeoutError = (s: Segment, report: WatchdogReport | undefined, forced: boolean, elapsed: number, late = false): IsolatedTimeoutError => {
    const limit = Math.max(0, Math.round(s.deadline - s.since - s.ours))
    const details: TimeoutDetails = {
      limit,
      method: o.options.method,
      elapsed,
      state: late ? 'late' : (report?.state ?? 'unknown'),
      frames: (s.kind === 'ours' ? report?.allFrames : undefined) ?? report?.frames ?? [],
      resources: report?.resources ?? [],
      origins: report?.origins ?? [],
      workers: report?.workers ?? [],
      forced,
      setting: s.setting ?? o.describeLimit(s.phase, s.limit),
      phase: s.kind === 'ours' ? (s.phase === 'boot' ? 'Starting the child and importing the test file' : `The work between phases ${s.phase}`) : s.phase === 'body' ? 'test body' : s.phase,
      cut: s.cut && limits.frameworkSetting ? { by: limits.frameworkSetting, asked: s.limit } : undefined,
      ours: s.kind === 'ours',
    }
    return new IsolatedTimeoutError(details)
  }

  /** A deadline passed: see where the child is (it is paused meanwhile), then end it, unless the phase ended in time. */
  const expire = async (s: Segment): Promise<void> => {
    if (done || segment !== s) return
    // A boot that never reached the test, with no framework timer to blame: the boot error says more.
    if (s.kind === 'ours' && s.phase === 'boot' && !s.cut) {
      finish({
        ok: false,
        error: new IsolatedBootError(
          `The child did not start the test within bootTimeout (${limits.bootTimeout} ms): starting Node and importing the test module took too long. Raise \`bootTimeout\`, or make the module cheaper to import.`,
          limits.bootTimeout,
          child?.stderrTail() ?? '',
        ),
      })
      return
    }
    // Under a framework timer, only the time it leaves goes to asking where the child is.
    const budget = Number.isFinite(cutAt) ? Math.min(STUCK_CAPTURE_MS, limits.frameworkDeadline! - monotonicMs() - o.options.forceKillAfterDelay - 100) : STUCK_CAPTURE_MS
    const before = outputBytes
    const report = withOutputFlow(child && budget >= 50 ? await child.captureStuck(budget) : undefined, outputBytes - before)
    // What it ran up to now counts (the capture reset its counters: a child that goes on sends the rest).
    if (report?.coverage !== undefined) takeCoverage(report.coverage)
    // The phase's end was already on its way (we read it while the child was paused): not a timeout.
    if (done || segment !== s) return
    done = true
    clearTimeout(timer)
    const elapsed = monotonicMs() - s.since
    figures?.take()
    sampler?.stop()
    const { forced } = child ? await child.containment.end(child.exited, o.options.killSignal, grace()) : { forced: false }
    settle({ ok: false, timedOut: true, error: timeoutError(s, report, forced, elapsed) })
  }

  /** SIGTERM → SIGKILL grace: `forceKillAfterDelay`, cut to what a framework timer leaves. */
  const grace = (): number =>
    Number.isFinite(cutAt) ? Math.min(o.options.forceKillAfterDelay, Math.max(0, limits.frameworkDeadline! - monotonicMs() - 100)) : o.options.forceKillAfterDelay

  // Set once the child exists: its figures for the report, and with a memoryLimit the tree's sampler.
  let figures: ChildFigures | undefined
  let sampler: MemorySampler | undefined
  // Once the outcome is in, the caller has counted the run's coverage: later messages are dropped.
  let returned = false

  /** The tree passed `memoryLimit`: end it the way a timeout does, and fail with the peak and who held it. */
  const overLimit = async (usage: TreeUsage): Promise<void> => {
    if (done || !child) return
    done = true
    clearTimeout(timer)
    const s = segment
    figures?.take()
    const peak = sampler?.peak ?? usage
    const { forced } = await child.containment.end(child.exited, o.options.killSignal, grace())
    settle({
      ok: false,
      timedOut: true,
      error: new IsolatedMemoryError({
        ...memoryDetails(peak, 'sampler'),
        phase: phaseOf(s),
        forced,
      }),
    })
  }

  const memoryDetails = (peak: TreeUsage, mechanism: MemoryDetails['mechanism']): Omit<MemoryDetails, 'phase' | 'forced'> => ({
    test: o.request.target.kind === 'test' ? o.request.target.test.fullName : undefined,
    limitMb: memoryLimit!,
    peakMb: mbOf(peak.totalKb),
    largest: { pid: peak.largest.pid, command: peak.largest.command, mb: mbOf(peak.largest.kb) },
    processes: [...peak.processes].sort((x, y) => y.kb - x.kb).map((p) => ({ pid: p.pid, command: p.command, mb: mbOf(p.kb) })),
    mechanism,
    periodMs: sampler!.periodMs,
    method: o.options.method,
  })

  /** The heap the child had when V8 gave up (MB), when its crash was V8's out-of-memory error. */
  let heapAtCrashMb: number | undefined

  /**
   * With a `memoryLimit`, the child died of V8's out-of-memory error: its heap reached V8's cap before
   * the sampler saw the tree pass the limit. The memory error, with the heap and the cap.
   */
  const heapExhausted = (heapMb: number | undefined): IsolatedMemoryError => {
    heapAtCrashMb = heapMb
    const sampled = sampler?.peak
    const rootCommand = sampled?.processes.find((p) => p.pid === child!.pid)?.command ?? ''
    // The child held at least its heap: count that where it is more than the last sample saw.
    const processes = (sampled?.processes ?? [{ pid: child!.pid, command: rootCommand, kb: 0 }]).map((p) =>
      p.pid === child!.pid && heapMb !== undefined ? { ...p, kb: Math.max(p.kb, heapMb * 1024) } : p,
    )
    const totalKb = processes.reduce((sum, p) => sum + p.kb, 0)
    const largest = processes.reduce((x, y) => (y.kb > x.kb ? y : x))
    return new IsolatedMemoryError({
      ...memoryDetails({ totalKb, processes, largest }, 'v8-heap'),
      heap: { ...heapCapOf(startedWith(), memoryLimit), atCrashMb: heapMb },
      phase: phaseOf(segment),
      forced: false,
    })
  }

  /** The kernel killed the tree at its cgroup's memory.max: the peak from memory.peak, who held what from the sampler. */
  const cgroupKilled = (): IsolatedMemoryError => {
    const peakKb = child!.containment.memoryPeakKb()
    const sampled = sampler?.peak
    const processes = sampled?.processes ?? [{ pid: child!.pid, command: '', kb: 0 }]
    const largest = processes.reduce((x, y) => (y.kb > x.kb ? y : x))
    const totalKb = Math.max(peakKb ?? 0, sampled?.totalKb ?? 0)
    return new IsolatedMemoryError({ ...memoryDetails({ totalKb, processes, largest }, 'cgroup'), phase: phaseOf(segment), forced: false })
  }

  /** The tree passed `cpuLimit`: end it the way a timeout does, and fail with the CPU time and who used it. */
  const overCpu = async (usage: TreeCpu): Promise<void> => {
    if (done || !child) return
    done = true
    clearTimeout(timer)
    const s = segment
    figures?.take()
    const { forced } = await child.containment.end(child.exited, o.options.killSignal, grace())
    settle({
      ok: false,
      timedOut: true,
      error: new IsolatedCpuError({
        test: o.request.target.kind === 'test' ? o.request.target.test.fullName : undefined,
        limitMs: cpuLimit!,
        usedMs: Math.round(usage.totalMs),
        largest: { pid: usage.largest.pid, command: usage.largest.command, ms: Math.round(usage.largest.ms) },
        processes: [...usage.processes].sort((x, y) => y.ms - x.ms).map((p) => ({ pid: p.pid, command: p.command, ms: Math.round(p.ms) })),
        periodMs: sampler!.periodMs,
        method: o.options.method,
        phase: phaseOf(s),
        forced,
      }),
    })
  }

  enter('ours', 'boot', started, limits.bootTimeout)

  let obtainError: unknown
  const obtaining = obtain().catch((error: unknown) => {
    obtainError = error
    return undefined
  })
  child = await Promise.race([obtaining, settled.then(() => undefined)])
  if (!child) {
    // Timed out (or cancelled) before there was a child; one that comes late is ended at once.
    if (obtainError === undefined && !done) finish({ ok: false, error: new Error('isolated-test: no child was obtained') })
    if (obtainError !== undefined) finish({ ok: false, error: obtainError })
    void obtaining.then((late) => late?.containment.killAll())
    const outcome = await settled
    if (!outcome.ok) throw pointAtUserCode(outcome.error, o.origin)
    throw new Error('isolated-test: the run ended without a child')
  }
  const live: Child = child
  trace('p.child.obtained')
  figures = new ChildFigures(live.pid, live.model === 'fork-server' ? () => live.rssAtForkKb : undefined)
  // Where the child's cgroup has the memory controller, the kernel enforces the limit (a fork's was set
  // before the fork; a fresh child runs no test code before its start request) and the sampler only
  // watches, to say which process held what.
  const kernelMemory = memoryLimit !== undefined && (live.model === 'fork-server' ? live.containment.memoryEnforced : live.containment.limitMemory(memoryLimit))
  if (memoryLimit !== undefined || cpuLimit !== undefined) {
    sampler = new MemorySampler({
      containment: live.containment,
      rootPid: live.pid,
      forked: live.model === 'fork-server',
      limitKb: memoryLimit === undefined ? undefined : kernelMemory ? Number.POSITIVE_INFINITY : memoryLimit * 1024,
      onExceeded: (usage) => void overLimit(usage),
      cpuLimitMs: cpuLimit,
      onCpuExceeded: (usage) => void overCpu(usage),
    })
    sampler.start()
  }
  const counted = (n: number): void => void (outputBytes += n)
  const flushStdout = relayOutput(live.stdout, 'stdout', o.onOutput, counted)
  const flushStderr = relayOutput(live.stderr, 'stderr', o.onOutput, counted)

  live.onMessage(
    (message: ChildMessage) => {
      // Sent just before a result that came after the limit: what it ran still counts.
      if (message.kind === 'coverage' && !returned) return takeCoverage(message.data)
      if (done) return
      switch (message.kind) {
        case 'phase': {
          const limit = message.limit ?? limits.timeout
          if (message.phase === 'body') bodyStarted = message.at
          trace(`p.phase.${message.phase}`)
          enter('user', message.phase, message.at, limit, message.setting)
          break
        }
        case 'phase-end': {
          const s = segment
          if (s.kind === 'user' && message.at > s.deadline) {
            // It finished, but after its limit: a timeout all the same (in-process frameworks agree).
            done = true
            clearTimeout(timer)
            void live.containment.end(live.exited, 'SIGKILL', 0).then(() => settle({ ok: false, timedOut: true, error: timeoutError(s, undefined, false, message.at - s.since, true) }))
            return
          }
          if (message.phase === 'body') bodyEnded = message.at
          enter('ours', `after the ${message.phase === 'body' ? 'test body' : message.phase}`, message.at, limits.bootTimeout)
          break
        }
        case 'phase-ours': {
          // Our pause inside the user's phase: its deadline moves by as much (never past a framework timer's cut).
          const s = segment
          if (s.kind !== 'user') break
          enter('user', s.phase, s.since, s.limit, s.setting, s.ours + message.ms)
          break
        }
        case 'result':
          trace('p.result')
          finish({ ok: true, result: message.result, report: message.report, importMs: message.importMs })
          break
        case 'fatal':
          finish({ ok: false, error: deserializeThrown(message.error) })
          break
      }
    },
    (message) => o.onOther?.(message, live),
  )

  void live.ready.then(() => {
    live.start(o.request)
    // The next test's child boots while this one runs; it runs no test code until it is asked to.
    if (key && o.prepare && live.model === 'fresh') offerSpare(key, o.start, o.prepare, o.options.maxChildren)
  })

  void live.exited.then(async (info) => {
    if (done) return
    // Let a result that raced the exit arrive, and the last output drain (bounded: see ChildHandle.closed).
    await live.closed
    const tail = live.stderrTail()
    // Under a memoryLimit, a death the kernel's cgroup or V8's heap cap caused is the limit's verdict.
    const oom = memoryLimit === undefined ? undefined : v8OutOfMemory(tail)
    let error: Error
    if (kernelMemory && live.containment.memoryKilled()) error = cgroupKilled()
    else if (oom) error = heapExhausted(oom.heapMb)
    else error = new IsolatedCrashError(info.code, info.signal, tail, bodyStarted === undefined ? 'while starting, before the test began' : 'before the test finished')
    finish({ ok: false, error })
  })

  const onAbort = (): void => finish({ ok: false, error: o.signal?.reason ?? new Error('isolated-test: the run was cancelled.') })
  if (o.signal?.aborted) onAbort()
  o.signal?.addEventListener('abort', onAbort, { once: true })

  const outcome = await settled
  returned = true
  sampler?.stop()
  // Read before the cgroup is removed with the tree (it keeps the figure once read at removal).
  const cgroupPeakKb = kernelMemory ? live.containment.memoryPeakKb() : undefined
  // A last reading of the tree before it is ended, for the report.
  if (!('timedOut' in outcome && outcome.timedOut)) sampler?.readLast()
  o.signal?.removeEventListener('abort', onAbort)
  const now = monotonicMs()
  const body = bodyStarted === undefined ? 0 : (bodyEnded ?? now) - bodyStarted
  const boot = (bodyStarted ?? now) - started
  // Timed out or over its memory limit: its tree is already ended.
  const timedOut = 'timedOut' in outcome && outcome.timedOut
  // Its high-water mark and CPU time, read just before we end it (already read when it was killed).
  if (!timedOut) figures.take()
  // A forked child ended its output with its answer: once that output is read, the test is done; its
  // death (the kernel tearing down a copy of the zygote) and reaping go on in the background.
  const quick = !timedOut && live.outputEnded !== undefined
  if (quick) {
    trace('p.quick')
    const leftovers = live.containment.killAll()
    if (leftovers.length > 0) {
      logPids(leftovers.map((m) => m.pid))
      o.onOutput('stderr', leftoverNotice(leftovers))
    }
    await live.outputEnded
    void live.containment.released(live.exited)
  } else if (!timedOut) {
    // The answer is in: nothing in the child needs a grace period.
    const { leftovers } = await live.containment.end(live.exited, 'SIGKILL', 0)
    if (leftovers.length > 0) o.onOutput('stderr', leftoverNotice(leftovers))
  }
  if (!quick) await live.closed
  flushStdout()
  flushStderr()
  if (o.record) {
    const importMs = outcome.ok ? outcome.importMs : undefined
    o.record.import = importMs
    o.record.boot = importMs === undefined ? boot : Math.max(0, boot - importMs)
    o.record.body = body
    // Quick: we SIGKILLed it after its answer and did not wait to see it die.
    o.record.exit = live.exitInfo ? { code: live.exitInfo.code, signal: live.exitInfo.signal } : quick ? { code: null, signal: 'SIGKILL' } : undefined
    o.record.processModel = live.model
    // A quick child's exit is reported in the background, now or later: its figures are the ones read
    // at its answer, whichever came first (a report's source must not depend on that race).
    const exitUsage = quick ? undefined : live.exitUsage
    o.record.memory = figures.memory(memoryLimit, sampler?.peak, exitUsage, heapAtCrashMb, cgroupPeakKb)
    o.record.cpu = figures.cpuFigure(exitUsage, sampler?.cpu)
    if (outcome.ok && outcome.report) o.record.report = outcome.report
  }
  if (!outcome.ok) throw pointAtUserCode(outcome.error, o.origin)
  return { result: outcome.result, report: outcome.report, durations: { boot, body } }
}
