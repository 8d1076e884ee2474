// In a Jest worker, the main Jest process is our parent. When it goes away (killed by a signal only it
// received), the worker may live on and keep running the file: end our children then, and start none.
import { realProcess as process } from '../../../core/real-process.js'
import { killAllChildren } from '../../../core/parent/exit-guard.js'
import { IsolatedConfigError } from '../../../core/errors.js'

let watching = false
let gone = false

export function watchJestParent(): void {
  if (watching || !process.connected) return
  watching = true
  process.once('disconnect', () => {
    gone = true
    killAllChildren()
  })
}

/** True once the main Jest process is gone: nothing new is started then. */
export function jestIsGone(): boolean {
  return gone
}

export function assertJestAlive(): void {
  if (gone) throw new IsolatedConfigError('isolated-test: the main Jest process is gone (this worker lost its IPC channel); no more children are started.')
}
