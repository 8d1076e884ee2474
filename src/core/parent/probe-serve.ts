// The test worker's side of the polluter probe server (contract: core/ipc/probe-server.ts), for any
// adapter: connect to the CLI, say which tests the file has, answer each probe in turn (one at a time,
// in the order asked) until the CLI says stop or goes away. The adapter runs each probe.
import { createConnection, type Socket } from 'node:net'
import { lineReader, type ProbeCliMessage, type ProbeTest, type ProbeWorkerMessage } from '../ipc/probe-server.js'

export interface ProbeHost {
  /** The file's tests, as collected; throws why this worker cannot serve probes (sent as 'unavailable'). */
  prepare(): Promise<readonly ProbeTest[]>
  /** One probe: `before` (ids, file order) then `victim`, in one fork; the victim's verdict, or why the fork could not tell. */
  probe(before: readonly string[], victim: string): Promise<{ readonly victim: 'pass' | 'fail' } | { readonly error: string }>
}

/** Serves the CLI at `path` for `file` until it says stop; resolves then (the adapter skips the file's tests). */
export async function serveProbes(path: string, file: string, host: ProbeHost): Promise<void> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = createConnection(path, () => resolve(s))
    s.once('error', reject)
  })
  const send = (m: ProbeWorkerMessage): void => void socket.write(`${JSON.stringify(m)}\n`)
  try {
    let tests: readonly ProbeTest[]
    try {
      tests = await host.prepare()
    } catch (error) {
      send({ kind: 'unavailable', reason: (error as Error).message })
      return
    }
    send({ kind: 'hello', file, tests })
    await new Promise<void>((resolve) => {
      let queue = Promise.resolve()
      const answer = async (m: Extract<ProbeCliMessage, { kind: 'probe' }>): Promise<ProbeWorkerMessage> => {
        const started = performance.now()
        try {
          const result = await host.probe(m.before, m.victim)
          if ('error' in result) return { kind: 'error', seq: m.seq, message: result.error }
          return { kind: 'verdict', seq: m.seq, victim: result.victim, ms: Math.round(performance.now() - started) }
        } catch (error) {
          return { kind: 'error', seq: m.seq, message: (error as Error).message }
        }
      }
      const read = lineReader<ProbeCliMessage>((m) => {
        if (m.kind === 'stop') return resolve()
        queue = queue.then(async () => send(await answer(m)))
      })
      socket.setEncoding('utf8').on('data', read)
      socket.once('close', () => resolve())
      socket.once('error', () => resolve())
    })
  } finally {
    socket.end()
  }
}
