// The Jest adapter's child half (a `ChildAdapter`): the child entry imports it by URL from the request.
import type { ChildState } from '../../../core/child/state.js'
import type { JestPrepare, JestRunRequest } from '../protocol.js'
import { prepareJest, runJest } from './run-file.js'
import { inPlace } from './in-place.js'

export async function prepare(payload: JestPrepare): Promise<void> {
  await prepareJest(payload)
}

export async function run(request: JestRunRequest, state: ChildState): Promise<void> {
  state.inPlace = inPlace(state)
  await runJest(request, state)
}
