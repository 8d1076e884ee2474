// Opt-in (`asyncOrigins: true`): remembers where each still-pending promise and async resource was
// created, so an idle child's timeout can say what it waits on and where that came from. It costs an
// Error per async operation, which is why it is off by default; stacks are formatted only on demand.
import { createHook } from 'node:async_hooks'

export const ORIGINS_KEY = Symbol.for('isolated-test.async-origins')
const OURS = /node:|\/node_modules\/|\/isolated-test\/dist\//

export function trackAsyncOrigins(): void {
  const pending = new Map<number, { type: string; where: Error }>()
  createHook({
    init(asyncId, type) {
      pending.set(asyncId, { type, where: new Error() })
    },
    promiseResolve(asyncId) {
      pending.delete(asyncId)
    },
    destroy(asyncId) {
      // A promise that never settles and that nobody references is collected, but it is still what the
      // child waits on: only settling removes a promise.
      if (pending.get(asyncId)?.type !== 'PROMISE') pending.delete(asyncId)
    },
  }).enable()
  // Read by the watchdog (Runtime.evaluate) while the main thread idles: the first frame of user code.
  ;(globalThis as Record<symbol, unknown>)[ORIGINS_KEY] = (): string[] => {
    const seen = new Map<string, number>()
    for (const { type, where } of pending.values()) {
      const frame = (where.stack ?? '').split('\n').slice(1).find((line) => /\/[^()]+:\d+:\d+/.test(line) && !OURS.test(line))
      if (!frame) continue
      const at = frame.trim().replace(/^at /, '')
      const key = `${type === 'PROMISE' ? 'a promise' : type} created at ${at}`
      seen.set(key, (seen.get(key) ?? 0) + 1)
    }
    return [...seen].slice(0, 10).map(([k, n]) => (n > 1 ? `${n} × ${k}` : k))
  }
}
