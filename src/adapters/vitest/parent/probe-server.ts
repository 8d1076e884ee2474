// Probe-server mode of the test worker (`isolated-test polluter`, core/ipc/probe-server.ts): with
// ISOLATED_TEST_PROBE_SERVER set, the worker that runs the victim's file connects to the CLI once the
// file is collected, serves each probe as one fork of the file's zygote (the earlier tests, then the
// victim, isolation off inside it), and when told to stop skips the file's tests so the run ends.
import { readFileSync } from 'node:fs'
import { relative, sep } from 'node:path'
import { inject } from 'vitest'
import type { File, Suite, Test } from '@vitest/runner'
import type { ProbeTest } from '../../../core/ipc/probe-server.js'
import { serveProbes } from '../../../core/parent/probe-serve.js'
import { mergeOptions, resolveOptions, type ResolvedOptions } from '../../../core/options.js'
import { readPragmas } from '../../../core/pragma.js'
import { decideProcessModel } from '../../../core/parent/process-model.js'
import { fullTestName } from '../names.js'
import { PROVIDE_KEY, type IsolatedTestsOptions } from './plugin-options.js'
import { requireVitest, runInVitestChild } from './host.js'

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

async function probe(options: ResolvedOptions, file: File, tests: ReadonlyMap<string, Test>, before: readonly string[], id: string): Promise<{ victim: 'pass' | 'fail' } | { error: string }> {
  const victim = tests.get(id)
  if (!victim) return { error: `no test with id ${id} in ${file.filepath}` }
  const { result } = await runInVitestChild(requireVitest(), {
    options,
    // The victim's own Vitest timeout for its body (a timeout is answered as an error: the CLI runs that
    // probe fresh); no limit of ours on the earlier tests, which run between its phases (Ctrl-C ends the run).
    limits: { timeout: victim.timeout > 0 ? victim.timeout : Infinity, bootTimeout: Infinity },
    target: { kind: 'test', test: { testId: victim.id, fullName: fullTestName(victim), line: victim.location?.line, site: undefined, before } },
    hooks: 'child',
    context: {},
    taskId: file.id,
    fileTaskId: file.id,
    filepath: file.filepath,
    unhandled: [],
    describeLimit: () => 'the polluter probe (no limit)',
  })
  if (result.kind !== 'test' || result.outcome.state === 'skip') return { error: `the victim "${fullTestName(victim)}" did not run in the probe's fork` }
  return { victim: result.outcome.state }
}

/** Serves the CLI's probes for this file until it says stop (or goes away); then the file's tasks are skipped. */
export async function serveVitestProbes(path: string, root: string, file: File): Promise<void> {
  const tests = new Map([...testsOf(file)].map((t) => [t.id, t]))
  let options: ResolvedOptions | undefined
  try {
    await serveProbes(path, file.filepath, {
      async prepare() {
        options = probeOptions(root, file)
        const model = await decideProcessModel(options.processModel)
        if (model.model !== 'fork-server') throw new Error(model.reason ?? 'the fork server is off')
        return [...tests.values()].map((t): ProbeTest => ({ id: t.id, fullName: fullTestName(t), line: t.location?.line }))
      },
      probe: (before, id) => probe(options!, file, tests, before, id),
    })
  } finally {
    skipAll(file)
  }
}
