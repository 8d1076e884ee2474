// Makes this child a real Vitest worker (`vitest/worker`, the custom-pool API): the parent acts as its
// pool. We replay the pool's `start` and `run` messages locally; the worker's birpc calls (module
// fetch/resolve, task updates) travel over our IPC channel to the parent, which relays or keeps them.
import { trace } from '../../../core/trace.js'
import { TAG, isOurs } from '../../../core/ipc/protocol.js'
import type { Link } from '../../../core/child/link.js'
import { isBirpcRequest, KEPT_LOCAL, type VitestPrepare, type VitestRunRequest } from '../protocol.js'
import { serializeThrown } from '../../../core/ipc/serialize.js'
import type { ChildState } from '../../../core/child/state.js'
import { startVitestCoverage } from './coverage.js'

interface VitestWorkerModule {
  init(worker: {
    post(v: unknown): void
    on(cb: (v: unknown) => void): void
    off(cb: (v: unknown) => void): void
    runTests(state: unknown, traces: unknown): Promise<void>
    collectTests(state: unknown, traces: unknown): Promise<void>
    setup?(context: unknown): Promise<() => Promise<void>>
    teardown?(): void
  }): void
  runBaseTests(method: 'run' | 'collect', state: unknown, traces: unknown): Promise<void>
  setupEnvironment(context: unknown): Promise<() => Promise<void>>
}

interface WorkerResponse {
  __vitest_worker_response__: true
  type: string
  error?: unknown
}

export interface PreparedVitest {
  readonly deliver: (message: unknown) => void
  readonly waitFor: (type: string) => Promise<WorkerResponse>
}

let preparing: Promise<PreparedVitest> | undefined

/** Boots Vitest's worker and its environment, as a pool's `start` would; no test code runs. Once per process. */
export function prepareVitest(p: VitestPrepare, link: Link): Promise<PreparedVitest> {
  preparing ??= boot(p, link)
  return preparing
}

async function boot(p: VitestPrepare, link: Link): Promise<PreparedVitest> {
  // Before any module of the user's is compiled (v8 begins at the first import of one: coverage.ts).
  if (p.coverage) startVitestCoverage(p.coverage)
  trace('c.vitest.boot')
  const worker = (await import(p.workerUrl)) as VitestWorkerModule
  trace('c.vitest.imported')
  const listeners = new Map<(v: unknown) => void, () => void>()
  const responses: WorkerResponse[] = []
  let onResponse: (() => void) | undefined

  worker.init({
    post(v) {
      const r = v as WorkerResponse
      if (r && r.__vitest_worker_response__ === true) {
        responses.push(r)
        onResponse?.()
        return
      }
      // Calls only the parent's own run cares about are answered here, as the parent would answer them.
      if (isBirpcRequest(v) && KEPT_LOCAL.has(v.m)) {
        const id = v.i
        if (id !== undefined) queueMicrotask(() => deliver({ t: 's', i: id, r: undefined }))
        return
      }
      link.send(v)
    },
    on(cb) {
      listeners.set(
        cb,
        link.onMessage((m) => {
          if (!isOurs(m)) cb(m)
        }),
      )
    },
    off(cb) {
      listeners.get(cb)?.()
      listeners.delete(cb)
    },
    runTests: (s, traces) => worker.runBaseTests('run', s, traces),
    collectTests: (s, traces) => worker.runBaseTests('collect', s, traces),
    setup: worker.setupEnvironment,
  })

  const deliver = (message: unknown): void => {
    for (const cb of listeners.keys()) cb(message)
  }
  const waitFor = async (type: string): Promise<WorkerResponse> => {
    for (;;) {
      const found = responses.find((r) => r.type === type)
      if (found) return found
      await new Promise<void>((resolve) => (onResponse = resolve))
    }
  }
  deliver(p.vitestStart)
  const started = await waitFor('started')
  trace('c.vitest.started')
  if (started.error) throw vitestError('setting up the test environment', started.error)
  return { deliver, waitFor }
}

/** Runs the one test file as the pool's `run` message asks (only the target test is enabled). */
export async function runVitest(request: VitestRunRequest, state: ChildState, vitest: PreparedVitest): Promise<void> {
  vitest.deliver(request.payload.vitestRun)
  const finished = await vitest.waitFor('testfileFinished')
  if (finished.error) throw vitestError('running the test file', finished.error)
  if (!state.resultSent) {
    state.send({
      [TAG]: true,
      kind: 'fatal',
      error: serializeThrown(new Error('isolated-test: the test file ran in the child but the target test never ran (it was filtered out or its suite failed to collect).')),
    })
  }
}

function vitestError(what: string, error: unknown): Error {
  const e = error as { message?: string; stack?: string }
  const out = new Error(`isolated-test: Vitest failed in the child while ${what}: ${e?.message ?? String(error)}`)
  if (e?.stack) out.stack = `${out.message}\n${e.stack.split('\n').slice(1).join('\n')}`
  return out
}
