// Caps the children alive at once in this process (`maxChildren`). Time spent waiting for a slot is
// not counted against any limit: the clocks start once the child is started.
const waiting: Array<{ max: number; grant: () => void }> = []
let active = 0

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

export function acquireSlot(max: number, signal?: AbortSignal): Promise<() => void> {
  return new Promise((resolve, reject) => {
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      active--
      pump()
    }
    const entry = {
      max,
      grant: () => {
        signal?.removeEventListener('abort', onAbort)
        resolve(release)
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
  })
}
