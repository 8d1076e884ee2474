// Probe-server mode of the Jest environment (`isolated-test polluter`, core/ipc/probe-server.ts): with
// ISOLATED_TEST_PROBE_SERVER set, the environment of the victim's file serves the CLI's probes when the
// run starts, each as one fork of the file's zygote (the earlier tests, then the victim, as in-process
// inside it), then skips every test of the file so the run ends.
import { mergeOptions, resolveOptions, type IsolatedOptions } from '../../../core/options.js'
import { decideProcessModel } from '../../../core/parent/process-model.js'
import { serveProbes } from '../../../core/parent/probe-serve.js'
import type { ProbeTest } from '../../../core/ipc/probe-server.js'
import type { CircusState, TestConsole, TestEntry } from '../circus-types.js'
import type { JestPayload } from '../protocol.js'
import { fullName, namePath, testsInOrder } from '../tests.js'
import { runJestTest } from './run-test.js'

export interface JestProbeFile {
  readonly testPath: string
  /** The file's options (the environment's, its pragma). */
  readonly options: IsolatedOptions
  /** The payload the file's zygote was started with (its per-test fields are the probe's). */
  readonly payload: JestPayload
  /** The test's sandbox global and console (where a probe's output goes: the run's output, which the CLI keeps to itself). */
  readonly global: object
  readonly console: TestConsole
}

/** The line a test was declared at, from circus's `asyncError` (the first frame in the file). */
function declaredLine(test: TestEntry, testPath: string): number | undefined {
  for (const frame of (test.asyncError.stack ?? '').split('\n')) {
    if (!frame.includes(testPath)) continue
    const line = /:(\d+):\d+\)?\s*$/.exec(frame)?.[1]
    if (line) return Number(line)
  }
  return undefined
}

/** Nothing to record: a probe's snapshot assertions have already failed the victim in its fork, when they fail. */
const noSnapshots = { replay: (): void => {}, takeErrors: (): unknown[] => [] }

/** Serves the CLI's probes for this file until it says stop; then every test of the file is skipped. */
export async function serveJestProbes(path: string, file: JestProbeFile, circus: CircusState): Promise<void> {
  const tests = testsInOrder(circus.rootDescribeBlock)
  // Hooks with their test, no state report or record, and forks of the file's zygote.
  const options = { ...resolveOptions(mergeOptions(file.options, { hooks: 'child', leaks: 'off', method: 'fork' })), report: undefined }
  try {
    await serveProbes(path, file.testPath, {
      async prepare() {
        const model = await decideProcessModel(options.processModel)
        if (model.model !== 'fork-server') throw new Error(model.reason ?? 'the fork server is off')
        return tests.map((t, i): ProbeTest => ({ id: String(i), fullName: fullName(t), line: declaredLine(t, file.testPath) }))
      },
      async probe(before, id) {
        const victim = tests[Number(id)]
        if (!victim) return { error: `no test #${id} in ${file.testPath}` }
        const answer = await runJestTest(
          {
            options,
            // The victim's own Jest timeout for its body (a timeout is answered as an error: the CLI runs that
            // probe fresh); the earlier tests keep their own Jest timeouts inside the fork.
            limits: { timeout: victim.timeout ?? circus.testTimeout, bootTimeout: Infinity },
            setting: "the victim's Jest timeout",
            hooks: 'child',
            payload: { ...file.payload, namePath: namePath(victim), locate: 'index', hookTimeout: undefined },
            forkEnv: (file.global as { process?: NodeJS.Process }).process?.env ?? process.env,
            global: file.global,
            console: file.console,
            signal: new AbortController().signal,
            definedAt: victim.asyncError,
            fullName: fullName(victim),
            body: undefined,
            bodyFile: undefined,
            seed: circus.seed,
            snapshots: noSnapshots,
          },
          { testId: id, fullName: fullName(victim), line: undefined, site: undefined, before },
        )
        return { victim: answer.errors.length > 0 ? 'fail' : 'pass' }
      },
    })
  } finally {
    for (const t of tests) t.mode = 'skip'
  }
}
