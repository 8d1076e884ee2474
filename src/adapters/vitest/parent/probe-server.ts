// Probe-server mode of the test worker (`isolated-test polluter`, core/ipc/probe-server.ts): with
// ISOLATED_TEST_PROBE_SERVER set, the worker that runs the victim's file connects to the CLI once the
// file is collected, serves each probe as one fork of the file's zygote (the earlier tests, then the
// victim, isolation off inside it), and when told to stop skips the file's tests so the run ends.
import { createConnection, type Socket } from 'node:net'
import { readFileSync } from 'node:fs'
import { relative, sep } from 'node:path'
import { inject } from 'vitest'
import type { File, Suite, Test } from '@vitest/runner'
import { lineReader, PROBE_SERVER_ENV, type ProbeCliMessage, type ProbeTest, type ProbeWorkerMessage } from '../../../core/ipc/probe-server.js'
import { mergeOptions, resolveOptions, type ResolvedOptions } from '../../../core/options.js'
import { readPragmas } from '../../../core/pragma.js'
import { decideProcessModel } from '../../../core/parent/process-model.js'
import { fullTestName } from '../names.js'
import { PROVIDE_KEY, type IsolatedTestsOptions } from './plugin-options.js'
import { requireVitest, runInVitestChild } from './host.js'

export function probeServerPath(): string | undefined {
  return process.env[PROBE_SERVER_ENV] || undefined
}

function* testsOf(suite: Suite): Generator<Test> {
  for (const task of suite.tasks) {
    if (task.type === 'test') yield task
    else if (task.type === 'suite') yield* testsOf(task)
  }
}

/** Every task of the file skipped: the run ends without running a test here. */
function skipAll(suite: Suite): void {
  for (const task of suite.tasks) {
    task.mode = 'skip'
    if (task.type === 'suite') skipAll(task)
  }
}

/** The options the file's tests get (the plugin's, the file's pragma), with hooks in the child and no state report. */
function probeOptions(root: string, file: File): ResolvedOptions {
  const { include: _i, exclude: _e, tags: _t, ...base } = (inject as unknown as (key: string) => IsolatedTestsOptions | undefined)(PROVIDE_KEY) ?? {}
  const rel = relative(root, file.filepath).split(sep).join('/')
  const pragma = readPragmas(readFileSync(file.filepath, 'utf8'), rel).layers
  return resolveOptions(mergeOptions(base, ...pragma, { hooks: 'child', leaks: 'off' }))
}

async function probe(options: ResolvedOptions, file: File, tests: ReadonlyMap<string, Test>, m: Extract<ProbeCliMessage, { kind: 'probe' }>): Promise<ProbeWorkerMessage> {
  const victim = tests.get(m.victim)
  if (!victim) return { kind: 'error', seq: m.seq, message: `no test with id ${m.victim} in ${file.filepath}` }
  const started = performance.now()
  const { result } = await runInVitestChild(requireVitest(), {
    options,
    // The victim's own Vitest timeout for its body (a timeout is answered as an error: the CLI runs that
    // probe fresh); no limit of ours on the earlier tests, which run between its phases (Ctrl-C ends the run).
    limits: { timeout: victim.timeout > 0 ? victim.timeout : Infinity, bootTimeout: Infinity },
    target: { kind: 'test', test: { testId: victim.id, fullName: fullTestName(victim), line: victim.location?.line, site: undefined, before: m.before } },
    hooks: 'child',
    context: {},
    taskId: file.id,
    fileTaskId: file.id,
    filepath: file.filepath,
    unhandled: [],
    describeLimit: () => 'the polluter probe (no limit)',
  })
  const ms = Math.round(performance.now() - started)
  if (result.kind !== 'test' || result.outcome.state === 'skip') return { kind: 'error', seq: m.seq, message: `the victim "${fullTestName(victim)}" did not run in the probe's fork` }
  return { kind: 'verdict', seq: m.seq, victim: result.outcome.state, ms }
}

/** Serves the CLI's probes for this file until it says stop (or goes away); then the file's tasks are skipped. */
export async function serveProbes(path: string, root: string, file: File): Promise<void> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = createConnection(path, () => resolve(s))
    s.once('error', reject)
  })
  const send = (m: ProbeWorkerMessage): void => void socket.write(`${JSON.stringify(m)}\n`)
  try {
    let options: ResolvedOptions
    try {
      options = probeOptions(root, file)
      const model = await decideProcessModel(options.processModel)
      if (model.model !== 'fork-server') throw new Error(model.reason ?? 'the fork server is off')
    } catch (error) {
      send({ kind: 'unavailable', reason: (error as Error).message })
      return
    }
    const tests = new Map([...testsOf(file)].map((t) => [t.id, t]))
    send({ kind: 'hello', file: file.filepath, tests: [...tests.values()].map((t): ProbeTest => ({ id: t.id, fullName: fullTestName(t), line: t.location?.line })) })
    await new Promise<void>((resolve) => {
      // One probe at a time, in the order asked.
      let queue = Promise.resolve()
      const read = lineReader<ProbeCliMessage>((m) => {
        if (m.kind === 'stop') return resolve()
        queue = queue.then(async () => send(await probe(options, file, tests, m).catch((error: unknown) => ({ kind: 'error' as const, seq: m.seq, message: (error as Error).message }))))
      })
      socket.setEncoding('utf8').on('data', read)
      socket.once('close', () => resolve())
      socket.once('error', () => resolve())
    })
  } finally {
    socket.end()
    skipAll(file)
  }
}
