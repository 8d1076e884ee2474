// Probes as forks of the victim file's zygote (issue 14): one run of the file, isolated (Vitest's
// plugin, Jest's environment), in probe-server mode (core/ipc/probe-server.ts), serves every probe of
// the search; each probe is one fork running the earlier tests and then the victim with isolation off,
// so it costs milliseconds plus the tests' own time instead of a runner's start-up. Where the worker cannot fork (it says so), the
// probes fall back to fresh runs (FreshProber).
import { createServer, type Server, type Socket } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lineReader, type ProbeCliMessage, type ProbeTest, type ProbeWorkerMessage } from '../../core/ipc/probe-server.js'
import { IsolatedRunnerError } from '../errors.js'
import type { Runner, ServerRun, TestRef } from '../runners/types.js'
import { FreshProber, type ProbeOutcome, type Prober } from './prober.js'

export type ProberName = 'fork-server' | 'fresh'

/** Why the fork-server prober cannot be used here, or undefined when it can (the worker has the last word). */
export function forkServerBlocker(runner: Runner, platform = process.platform, arch = process.arch, nodeVersion = process.versions.node): string | undefined {
  if (!runner.probeServer) return `the runner is ${runner.name} (it has no probe server)`
  if (platform !== 'linux' || arch !== 'x64') return `forks need Linux x64 (this is ${platform} ${arch})`
  if (Number(nodeVersion.split('.')[0]) < 22) return `forks need Node 22 or later (this is Node ${nodeVersion})`
  return undefined
}

/** The worker's test for each TestRef: by full name, and by line where full names repeat. */
export function matchTest(tests: readonly ProbeTest[], ref: TestRef): ProbeTest {
  const named = tests.filter((t) => t.fullName === ref.fullName)
  const found = named.length > 1 ? named.find((t) => t.line === ref.line) : named[0]
  if (!found) throw new IsolatedRunnerError(`The probe server's run of ${ref.file} has no test named "${ref.fullName}"${ref.line ? ` at line ${ref.line}` : ''}: run again with --fresh-probes.`)
  return found
}

/** The fork server cannot serve probes (any more): the rest are fresh runs. */
class Unavailable extends Error {}
/** One probe the fork could not answer (a test ended the fork, the victim's timeout): that probe runs fresh. */
class ProbeFailed extends Error {}

interface Session {
  readonly tests: readonly ProbeTest[]
  ask(before: readonly string[], victim: string): Promise<ProbeOutcome>
  close(): Promise<void>
}

export class ForkServerProber implements Prober {
  private session: Promise<Session> | undefined
  private fallback: FreshProber | undefined

  constructor(
    private readonly runner: Runner,
    private readonly file: string,
    private readonly signal: AbortSignal,
    /** Told when a probe, or all from now on, fall back to fresh runs, and why (a progress line). */
    private readonly onFallback: (reason: string) => void,
  ) {}

  /** Which prober answered the probes: 'fresh' once it fell back. */
  get name(): ProberName {
    return this.fallback ? 'fresh' : 'fork-server'
  }

  /**
   * Starts the probe server's run now (while the preconditions are checked): its runner's start-up,
   * the worker's and the zygote's boot are then mostly over when the first probe is asked.
   */
  warm(): void {
    if (this.fallback || this.session) return
    this.session = this.start()
    // A start that fails is seen (and falls back) at the first probe.
    this.session.catch(() => undefined)
  }

  async probe(before: readonly TestRef[], victim: TestRef, signal?: AbortSignal): Promise<ProbeOutcome> {
    if (this.fallback) return this.fallback.probe(before, victim, signal)
    try {
      const session = await (this.session ??= this.start())
      return await session.ask(
        before.map((t) => matchTest(session.tests, t).id),
        matchTest(session.tests, victim).id,
      )
    } catch (error) {
      if (signal?.aborted || this.signal.aborted) throw error
      if (error instanceof ProbeFailed) {
        this.onFallback(`this probe is a fresh run: ${error.message}`)
        return new FreshProber(this.runner).probe(before, victim, signal)
      }
      if (!(error instanceof Unavailable)) throw error
      this.fallback = new FreshProber(this.runner)
      this.onFallback(`probes are fresh runs from now on: ${error.message}`)
      await this.close()
      return this.fallback.probe(before, victim, signal)
    }
  }

  /** Ends the probe server's run (its worker skips the file, its zygote goes) and waits for it. */
  async close(): Promise<void> {
    const session = this.session
    this.session = undefined
    if (!session) return
    // Still starting (a warm start the search never needed): ended at once rather than booted first.
    if (!this.connected) this.ending?.abort()
    await session.then((s) => s.close(), () => undefined)
  }

  /** The worker said hello: the run is ours to stop by asking. */
  private connected = false
  /** Ends the probe server's run by force. */
  private ending: AbortController | undefined

  private async start(): Promise<Session> {
    const dir = mkdtempSync(join(tmpdir(), 'isolated-test-probes-'))
    const path = join(dir, 'server.sock')
    const server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => resolve())
    })
    const ended = new AbortController()
    this.ending = ended
    this.connected = false
    const stop = (): void => ended.abort()
    this.signal.addEventListener('abort', stop, { once: true })
    const run = this.runner.probeServer!(this.file, path, ended.signal)
    const cleanup = (): void => {
      this.signal.removeEventListener('abort', stop)
      server.close()
      rmSync(dir, { recursive: true, force: true })
    }
    try {
      const { socket, tests } = await connect(server, this.file, run)
      this.connected = true
      return session(socket, tests, run, () => {
        cleanup()
      })
    } catch (error) {
      ended.abort()
      await run.catch(() => undefined)
      cleanup()
      throw error
    }
  }
}

/** Waits for the worker of `file` to say hello (or that it cannot serve), or for the run to end first. */
function connect(server: Server, file: string, run: Promise<ServerRun>): Promise<{ socket: Socket; tests: readonly ProbeTest[] }> {
  return new Promise((resolve, reject) => {
    let served = false
    server.on('connection', (socket) => {
      socket.setEncoding('utf8').on(
        'data',
        lineReader<ProbeWorkerMessage>((m) => {
          if (m.kind === 'unavailable' && !served) reject(new Unavailable(`the test worker cannot fork here: ${m.reason}`))
          // Another file the filter matched, or the same file in a second project: told to skip at once.
          else if (m.kind === 'hello' && (served || m.file !== file)) socket.end(line({ kind: 'stop' }))
          else if (m.kind === 'hello') {
            served = true
            resolve({ socket, tests: m.tests })
          }
        }),
      )
      socket.on('error', () => undefined)
    })
    run.then(
      (r) => reject(new Unavailable(`the probe server's run ended before its worker connected (exit ${r.code})${r.stderr.trim() ? `:\n${r.stderr.trim().split('\n').slice(-15).join('\n')}` : ''}`)),
      reject,
    )
  })
}

const line = (m: ProbeCliMessage): string => `${JSON.stringify(m)}\n`

function session(socket: Socket, tests: readonly ProbeTest[], run: Promise<ServerRun>, cleanup: () => void): Session {
  let seq = 0
  const pending = new Map<number, { resolve: (o: ProbeOutcome) => void; reject: (e: Error) => void }>()
  const failAll = (why: string): void => {
    for (const p of pending.values()) p.reject(new Unavailable(why))
    pending.clear()
  }
  socket.removeAllListeners('data')
  socket.on(
    'data',
    lineReader<ProbeWorkerMessage>((m) => {
      if (m.kind !== 'verdict' && m.kind !== 'error') return
      const p = pending.get(m.seq)
      pending.delete(m.seq)
      if (m.kind === 'verdict') p?.resolve({ victim: m.victim, ms: m.ms })
      else p?.reject(new ProbeFailed(`the fork could not answer (${m.message})`))
    }),
  )
  let open = true
  socket.once('close', () => {
    open = false
    failAll("the probe server's run ended during the search")
  })
  return {
    tests,
    ask(before, victim) {
      const n = ++seq
      return new Promise((resolve, reject) => {
        if (!open) return reject(new Unavailable("the probe server's run ended during the search"))
        pending.set(n, { resolve, reject })
        socket.write(line({ kind: 'probe', seq: n, before, victim }))
      })
    },
    async close() {
      socket.end(line({ kind: 'stop' }))
      await run.catch(() => undefined)
      cleanup()
    },
  }
}
