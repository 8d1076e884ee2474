// Placeholder until the Jest side lands (issue 4): the request type exists so the parent can be typed.
import type { JestRunRequest } from '../ipc/protocol.js'
import type { ChildState } from './state.js'

export async function runJest(_request: JestRunRequest, _state: ChildState): Promise<void> {
  throw new Error('isolated-test: running Jest tests in a child is not built yet.')
}
