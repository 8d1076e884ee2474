// A CDP connection to another process's inspector over its WebSocket (Node 22+ has WebSocket built in):
// how the parent asks a forked child, which has no watchdog thread, where it is stuck.
import type { Cdp } from './capture.js'

interface Socketish {
  send(data: string): void
  close(): void
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void
}

export interface ClosableCdp extends Cdp {
  close(): void
}

/** Connects within `waitMs`, or resolves undefined (no WebSocket in this Node, refused, too slow). */
export function connectCdp(url: string, waitMs: number): Promise<ClosableCdp | undefined> {
  const WS = (globalThis as { WebSocket?: new (url: string) => Socketish }).WebSocket
  if (!WS) return Promise.resolve(undefined)
  return new Promise((resolve) => {
    let socket: Socketish
    try {
      socket = new WS(url)
    } catch {
      return resolve(undefined)
    }
    const timer = setTimeout(() => {
      socket.close()
      resolve(undefined)
    }, waitMs)
    let nextId = 1
    const pending = new Map<number, (result: unknown) => void>()
    const listeners = new Map<string, Set<(params: never) => void>>()
    socket.addEventListener('message', (event) => {
      const msg = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: unknown; method?: string; params?: unknown }
      if (msg.id !== undefined) pending.get(msg.id)?.(msg.error ? undefined : msg.result)
      else if (msg.method) for (const l of listeners.get(msg.method) ?? []) (l as (p: unknown) => void)(msg.params)
    })
    socket.addEventListener('error', () => {
      clearTimeout(timer)
      resolve(undefined)
    })
    socket.addEventListener('open', () => {
      clearTimeout(timer)
      resolve({
        post<T>(method: string, params: object, ms: number): Promise<T | undefined> {
          const id = nextId++
          return new Promise((done) => {
            const t = setTimeout(() => {
              pending.delete(id)
              done(undefined)
            }, ms)
            pending.set(id, (result) => {
              clearTimeout(t)
              pending.delete(id)
              done(result as T)
            })
            socket.send(JSON.stringify({ id, method, params }))
          })
        },
        on(event, listener) {
          const set = listeners.get(event) ?? new Set()
          listeners.set(event, set)
          set.add(listener)
          return () => set.delete(listener)
        },
        close: () => socket.close(),
      })
    })
  })
}
