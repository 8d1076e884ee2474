// At most one spare child per kind, booted while the current test runs so the next test does not wait
// for Node and the framework to start. A spare only prepares (it runs no test code) and holds a slot
// of `maxChildren`; it is ended when a run needs its slot, after a while unused, or at exit.
import { clearTimeout, setTimeout } from 'node:timers'
import type { PrepareRequest } from '../ipc/protocol.js'
import { TAG } from '../ipc/protocol.js'
import { ChildHandle, type StartOptions } from './child-process.js'
import { setEvictor, tryAcquireSlot } from './slots.js'

const IDLE_MS = 10_000

interface Spare {
  readonly key: string
  readonly child: ChildHandle
  readonly release: () => void
  readonly timer: NodeJS.Timeout
}

const spares: Spare[] = []

function drop(spare: Spare, kill: boolean): void {
  const i = spares.indexOf(spare)
  if (i < 0) return
  spares.splice(i, 1)
  clearTimeout(spare.timer)
  if (kill) spare.child.containment.killAll()
  spare.release()
}

setEvictor(() => {
  const oldest = spares[0]
  if (!oldest) return false
  drop(oldest, true)
  return true
})

/** The key under which a spare can stand in for a fresh child: same flags, same preparation. */
export function spareKey(start: StartOptions, prepare: PrepareRequest): string {
  return JSON.stringify([start.execArgv, start.env.NODE_OPTIONS ?? '', prepare])
}

/** Hands over a spare of this kind with its slot, if there is one alive. */
export function takeSpare(key: string): { child: ChildHandle; release: () => void } | undefined {
  const spare = spares.find((s) => s.key === key && !s.child.exitInfo)
  if (!spare) return undefined
  spares.splice(spares.indexOf(spare), 1)
  clearTimeout(spare.timer)
  spare.child.ref()
  return { child: spare.child, release: spare.release }
}

/** Starts a spare of this kind unless one exists or no slot is free. */
export function offerSpare(key: string, start: StartOptions, prepare: PrepareRequest, max: number): void {
  if (spares.some((s) => s.key === key)) return
  const release = tryAcquireSlot(max)
  if (!release) return
  const child = new ChildHandle(start)
  // A spare must not keep the test process alive.
  child.unref()
  const spare: Spare = { key, child, release, timer: setTimeout(() => drop(spare, true), IDLE_MS).unref() }
  spares.push(spare)
  void child.ready.then(() => child.send({ [TAG]: true, kind: 'prepare', prepare }))
  void child.exited.then(() => drop(spare, false))
}
