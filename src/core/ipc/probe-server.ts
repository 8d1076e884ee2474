// The polluter probe server's contract: the CLI (src/cli/polluter/fork-server-prober.ts) listens on a
// Unix socket named by PROBE_SERVER_ENV and starts one runner process on the victim's file; the test
// worker that runs the file (the adapter's parent runner) connects, says which tests the file has, and
// serves probes as forks of the file's zygote until told to stop. One JSON object per line each way.

/** The socket path of the CLI's probe server, in the runner's environment. */
export const PROBE_SERVER_ENV = 'ISOLATED_TEST_PROBE_SERVER'

/** The CLI's socket when this run serves polluter probes. */
export function probeServerPath(): string | undefined {
  return process.env[PROBE_SERVER_ENV] || undefined
}

/** A test of the file as the worker collected it: its adapter id, full name and line. */
export interface ProbeTest {
  readonly id: string
  readonly fullName: string
  readonly line: number | undefined
}

export type ProbeWorkerMessage =
  /** First, once: the worker has collected the file and its zygote serves forks. */
  | { readonly kind: 'hello'; readonly file: string; readonly tests: readonly ProbeTest[] }
  /** A probe's answer: the victim's verdict after the earlier tests, and the fork's wall time. */
  | { readonly kind: 'verdict'; readonly seq: number; readonly victim: 'pass' | 'fail'; readonly ms: number }
  /** A probe that could not run (the fork failed, the victim was skipped). */
  | { readonly kind: 'error'; readonly seq: number; readonly message: string }
  /** The worker cannot serve probes at all (no fork server here): the CLI falls back to fresh runs. */
  | { readonly kind: 'unavailable'; readonly reason: string }

export type ProbeCliMessage =
  /** Run `before` (ids, file order) then `victim` in one fork of the zygote, isolation off. */
  | { readonly kind: 'probe'; readonly seq: number; readonly before: readonly string[]; readonly victim: string }
  /** No more probes: the worker skips the file's tests and the run ends. */
  | { readonly kind: 'stop' }

/** Splits a stream of JSON lines into messages. */
export function lineReader<T>(onMessage: (message: T) => void): (chunk: string) => void {
  let buffered = ''
  return (chunk) => {
    buffered += chunk
    let nl: number
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      if (line.trim()) onMessage(JSON.parse(line) as T)
    }
  }
}
