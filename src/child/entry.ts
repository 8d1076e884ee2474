// The child process's main module. It starts the watchdog, says it is ready, waits for one run
// request, takes on the requested env and cwd, and hands over to the framework's own machinery.
import { Worker } from 'node:worker_threads'
import { CHILD_STATE, TAG, WATCHDOG_FD, isOurs, type ChildMessage, type ParentMessage, type RunRequest } from '../ipc/protocol.js'
import { serializeThrown } from '../ipc/serialize.js'
import type { ChildState } from './state.js'

// Keep our own handle: test code may replace process.send.
const processSend = process.send!.bind(process)
const processExit = process.exit.bind(process)

// Output must be complete even when we are killed mid-test: no buffering in this process.
for (const stream of [process.stdout, process.stderr] as unknown as { _handle?: { setBlocking?: (b: boolean) => void } }[]) {
  stream._handle?.setBlocking?.(true)
}

const watchdog = new Worker(new URL('./watchdog-thread.js', import.meta.url), {
  workerData: { fd: WATCHDOG_FD, parentPid: process.ppid },
  stdout: false,
  stderr: false,
})
watchdog.unref()

function send(message: ChildMessage): void {
  processSend(message)
}

function applyRequest(request: RunRequest): void {
  for (const key of Object.keys(process.env)) if (!(key in request.env)) delete process.env[key]
  for (const [key, value] of Object.entries(request.env)) process.env[key] = value
  process.env.ISOLATED_TEST_CHILD = '1'
  if (process.cwd() !== request.cwd) process.chdir(request.cwd)
}

async function run(request: RunRequest): Promise<void> {
  applyRequest(request)
  const state: ChildState = { request, send, resultSent: false, realExit: processExit, wrapperSites: new Map(), wrappers: new Map() }
  ;(globalThis as Record<symbol, unknown>)[CHILD_STATE] = state
  if (request.framework === 'vitest') {
    const { runVitest } = await import('./vitest-child.js')
    await runVitest(request, state)
  } else {
    const { runJest } = await import('./jest-child.js')
    await runJest(request, state)
  }
}

process.on('message', function onRun(message: unknown) {
  if (!isOurs(message) || (message as ParentMessage).kind !== 'run') return
  process.off('message', onRun)
  run((message as ParentMessage).request).catch((error: unknown) => {
    send({ [TAG]: true, kind: 'fatal', error: serializeThrown(error) })
  })
})
send({ [TAG]: true, kind: 'ready' })
