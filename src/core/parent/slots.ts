// Caps the children alive at once in this process (`maxChildren`), spare children included. Time spent
// waiting for a slot is not counted against any limit: the clocks start once the child is started.
const waiting: Array<{ max: number; grant: () => void }> = []
let active = 0
let evict: (() => boolean) | undefined

function makeRelease(): () => void {
  let released = false
  return () => {
    if (released) return
    released = true
    active--
    pump()
  }
}

function pump(): void {
  for (let i = 0; i < waiting.length; i++) {
    const w = waiting[i]!
    if (active < w.max) {
      waiting.splice(i, 1)
      i--
      active++
      w.grant()
    }
  }
}

/** Spare children give their slot up when a run needs it: `fn` ends one spare and says if it did. */
export function setEvictor(fn: () => boolean): void {
  evict = fn
}

/** A slot if one is free now, for a spare child; never waits. */
export function tryAcquireSlot(max: number): (() => void) | undefined {
  if (active >= max || waiting.length > 0) return undefined
  active++
  return makeRelease()
}

export function acquireSlot(max: number, signal?: AbortSignal): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const entry = {
      max,
      grant: () => {
        signal?.removeEventListener('abort', onAbort)
        resolve(makeRelease())
      },
    }
    const onAbort = (): void => {
      const i = waiting.indexOf(entry)
      if (i >= 0) waiting.splice(i, 1)
      reject(signal?.reason)
    }
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    waiting.push(entry)
    pump()
    // Still waiting while spares hold slots: a real run comes first.
    while (waiting.includes(entry) && evict?.()) pump()
  })
}
