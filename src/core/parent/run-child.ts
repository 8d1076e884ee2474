// One isolated run from start to finish: take a slot, start the child, send the request, time each
// phase, capture where a stuck child is, end its whole tree, and turn what happened into a result or
// one of our errors. Framework traffic is handed to the caller.
import { performance } from 'node:perf_hooks'
import { IsolatedBootError, IsolatedCrashError, IsolatedTimeoutError, isIsolatedTestError } from '../errors.js'
import { TAG, type ChildMessage, type ChildResult, type PrepareRequest, type RunRequest } from '../ipc/protocol.js'
import { deserializeThrown } from '../ipc/serialize.js'
import { STUCK_CAPTURE_MS, type Limits, type ResolvedOptions } from '../options.js'
import { ChildHandle, type StartOptions } from './child-process.js'
import { acquireSlot } from './slots.js'
import { offerSpare, spareKey, takeSpare } from './spares.js'
import { terminateTree } from './terminate.js'
import type { RunRecord } from './state-report.js'
import type { StateReport } from '../state/report.js'

export interface RunChildOptions {
  readonly options: ResolvedOptions
  readonly limits: Limits
  /** Names the setting behind a phase's limit, for the timeout message ("how to raise it"). */
  readonly describeLimit: (phase: string, limit: number) => string
  readonly start: StartOptions
  readonly request: RunRequest
  /** What a spare child of this kind may do ahead of time; without it, no spare is kept. */
  readonly prepare?: PrepareRequest | undefined
  /** Messages on the IPC channel that are not ours (the framework's). */
  readonly onOther?: (message: unknown, child: ChildHandle) => void
  readonly onOutput: (type: 'stdout' | 'stderr', text: string) => void
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

type Outcome = { ok: true; result: ChildResult; report?: StateReport | undefined; importMs?: number | undefined; timedOut?: undefined } | { ok: false; error: unknown; timedOut?: boolean }

export async function runInChild(o: RunChildOptions): Promise<RunChildResult> {
  const key = o.prepare ? spareKey(o.start, o.prepare) : undefined
  const spare = key ? takeSpare(key) : undefined
  const release = spare ? spare.release : await acquireSlot(o.options.maxChildren, o.signal)
  try {
    return await runAcquired(o, spare?.child, key)
  } finally {
    release()
  }
}

async function runAcquired(o: RunChildOptions, adopted: ChildHandle | undefined, key: string | undefined): Promise<RunChildResult> {
  const started = performance.now()
  let bodyStarted: number | undefined
  const child = adopted ?? new ChildHandle(o.start)
  child.stdout.on('data', (chunk: Buffer) => o.onOutput('stdout', chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => o.onOutput('stderr', chunk.toString('utf8')))

  let settle!: (outcome: Outcome) => void
  const settled = new Promise<Outcome>((resolve) => (settle = resolve))
  let done = false
  const finish = (outcome: Outcome): void => {
    if (done) return
    done = true
    clearTimeout(timer)
    settle(outcome)
  }

  let timer: NodeJS.Timeout | undefined
  const arm = (ms: number, onExpire: () => void): void => {
    clearTimeout(timer)
    if (Number.isFinite(ms)) timer = setTimeout(onExpire, ms)
  }
  let phase = 'boot'
  let phaseStarted = started
  let phaseSetting: string | undefined

  const onTimeout = (limit: number): void => {
    if (done) return
    done = true
    const elapsed = performance.now() - phaseStarted
    void (async () => {
      const report = await child.captureStuck(STUCK_CAPTURE_MS)
      const { forced } = await terminateTree(child.pid, child.exited, o.options.killSignal, o.options.forceKillAfterDelay)
      settle({
        ok: false,
        timedOut: true,
        error: new IsolatedTimeoutError({
          limit,
          method: o.options.method,
          elapsed,
          state: report?.state ?? 'unknown',
          frames: report?.frames ?? [],
          resources: report?.resources ?? [],
          origins: report?.origins ?? [],
          forced,
          setting: phaseSetting ?? o.describeLimit(phase, limit),
          phase: phase === 'body' ? 'test body' : phase,
        }),
      })
    })()
  }

  arm(o.limits.bootTimeout, () => {
    if (done) return
    finish({
      ok: false,
      error: new IsolatedBootError(
        `The child did not start the test within bootTimeout (${o.limits.bootTimeout} ms): starting Node and importing the test module took too long. Raise \`bootTimeout\`, or make the module cheaper to import.`,
        o.limits.bootTimeout,
        child.stderrTail(),
      ),
    })
  })

  child.onMessage(
    (message: ChildMessage) => {
      switch (message.kind) {
        case 'phase':
          phase = message.phase
          phaseStarted = performance.now()
          phaseSetting = message.setting
          if (message.phase === 'body') bodyStarted = performance.now()
          {
            const limit = message.limit ?? o.limits.timeout
            arm(limit, () => onTimeout(limit))
          }
          break
        case 'result':
          finish({ ok: true, result: message.result, report: message.report, importMs: message.importMs })
          break
        case 'fatal':
          finish({ ok: false, error: deserializeThrown(message.error) })
          break
      }
    },
    (message) => o.onOther?.(message, child),
  )

  void child.ready.then(() => {
    child.send({ [TAG]: true, kind: 'run', request: o.request })
    // The next test's child boots while this one runs; it runs no test code until it is asked to.
    if (key && o.prepare) offerSpare(key, o.start, o.prepare, o.options.maxChildren)
  })

  void child.exited.then(async (info) => {
    if (done) return
    // Let a result that raced the exit arrive, and the last output drain, before calling it a crash.
    await child.closed
    finish({
      ok: false,
      error: new IsolatedCrashError(info.code, info.signal, child.stderrTail(), bodyStarted === undefined ? 'while starting, before the test began' : 'before the test finished'),
    })
  })

  const onAbort = (): void => finish({ ok: false, error: o.signal?.reason ?? new Error('isolated-test: the run was cancelled.') })
  if (o.signal?.aborted) onAbort()
  o.signal?.addEventListener('abort', onAbort, { once: true })

  const outcome = await settled
  o.signal?.removeEventListener('abort', onAbort)
  const body = bodyStarted === undefined ? 0 : performance.now() - bodyStarted
  const boot = (bodyStarted ?? performance.now()) - started
  if (!outcome.timedOut) {
    // The answer is in: nothing in the child needs a grace period.
    const { leftovers } = await terminateTree(child.pid, child.exited, 'SIGKILL', 0)
    if (leftovers.length > 0) {
      o.onOutput(
        'stderr',
        `isolated-test: the test left ${leftovers.length} process(es) running; they were killed with its process tree:\n${leftovers.map((p) => `  pid ${p.pid}: ${p.command}`).join('\n')}\n`,
      )
    }
  }
  await child.closed
  if (o.record) {
    const importMs = outcome.ok ? outcome.importMs : undefined
    o.record.import = importMs
    o.record.boot = importMs === undefined ? boot : Math.max(0, boot - importMs)
    o.record.body = body
    o.record.exit = child.exitInfo ? { code: child.exitInfo.code, signal: child.exitInfo.signal } : undefined
    if (outcome.ok && outcome.report) o.record.report = outcome.report
  }
  if (!outcome.ok) throw pointAt(outcome.error, o.origin)
  return { result: outcome.result, report: outcome.report, durations: { boot, body } }
}

/** Our own errors get a stack at the user's code (reporters show a code frame there), not at ours. */
function pointAt(error: unknown, origin: RunChildOptions['origin']): unknown {
  if (!origin || !isIsolatedTestError(error)) return error
  if (error instanceof IsolatedTimeoutError && error.frames.length > 0) return error
  error.stack = `${error.name}: ${error.message}\n    at ${origin.file}:${origin.line}:${origin.column}`
  return error
}
