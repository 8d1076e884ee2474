// A probe: run an ordered subset of the victim's earlier tests, then the victim, in one process with
// isolation off, and say whether the victim failed. Today each probe is a fresh run of the runner
// (FreshProber: its start-up is most of a probe's cost).
//
// The fork-server prober (not built) would implement the same interface. What it needs, as the code
// stands: (1) the child runner (adapters/vitest/child/runner.ts) keeps one target: `skipAllBut(file,
// target)` after the fork point; it would keep the target plus an ordered `before` list of test ids
// (a new optional field of the test target in core/ipc/protocol.ts), run them as plain tests (its
// runTask already runs non-target tests as they are) and report only the target's outcome. (2) A fork
// needs a live Vitest worker as its host: the zygote is started by the plugin's runner in a test
// worker (prestartZygote) and the forked child's module fetches go through that worker's RPC relay.
// So the CLI would start one Vitest run of the file under the plugin with a "probe server" variable;
// the plugin's runner, at its file's start, would connect back to the CLI and serve probe requests
// (fork with target + before, answer the victim's verdict) until told to stop, then skip the file.
// Jest has the same shape (the environment hosts the zygote). Not built in issue 14's time: it spans
// the IPC contract, both runners and a new parent-side mode.
import type { Runner, TestRef } from '../runners/types.js'
import { IsolatedRunnerError } from '../errors.js'
import { findVerdict } from './victim.js'

export interface ProbeOutcome {
  /** The victim's verdict after the subset: 'fail' reproduces the pollution. */
  readonly victim: 'pass' | 'fail'
  readonly ms: number
}

export interface Prober {
  /** `before` in the order they run, all earlier than the victim. */
  probe(before: readonly TestRef[], victim: TestRef, signal?: AbortSignal): Promise<ProbeOutcome>
}

export class FreshProber implements Prober {
  constructor(private readonly runner: Runner) {}

  async probe(before: readonly TestRef[], victim: TestRef, signal?: AbortSignal): Promise<ProbeOutcome> {
    const tests = [...before, victim]
    const files = [...new Set(tests.map((t) => t.file))]
    const result = await this.runner.run({ files, tests, isolated: false, inBand: true, signal })
    if (result.exitCode === null && signal?.aborted) throw signal.reason
    const verdict = findVerdict(result, victim)
    if (!verdict || verdict.verdict === 'skip') {
      const why = result.fileErrors[0]?.message ?? 'it was not in the runner\'s results'
      throw new IsolatedRunnerError(`A probe did not run the victim "${victim.fullName}": ${why}`)
    }
    return { victim: verdict.verdict, ms: result.ms }
  }
}
