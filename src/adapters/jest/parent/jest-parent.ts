// In a Jest worker, the main Jest process is our parent. When it goes away (killed by a signal only it
// received), the worker may live on and keep running the file: end our children then, and start none.
import process from 'node:process'
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

export function assertJestAlive(): void {
  if (gone) throw new IsolatedConfigError('isolated-test: the main Jest process is gone (this worker lost its IPC channel); no more children are started.')
}
