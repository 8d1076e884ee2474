// A probe: run an ordered subset of the victim's earlier tests, then the victim, in one process with
// isolation off, and say whether the victim failed. FreshProber: each probe is a fresh run of the
// runner (its start-up is most of a probe's cost). ForkServerProber (fork-server-prober.ts): one
// run of the file serves every probe as a fork of the file's zygote, running the subset as plain
// tests and then the victim (the test target's `before` list, core/ipc/protocol.ts; the worker side
// is core/parent/probe-serve.ts, driven by each adapter's parent/probe-server.ts).
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
