// The Vitest adapter's child half (a `ChildAdapter`): the child entry imports it by URL from the request.
import type { ChildState } from '../../../core/child/state.js'
import type { Link } from '../../../core/child/link.js'
import type { VitestPrepare, VitestRunRequest } from '../protocol.js'
import { runInPlace } from './in-place.js'
import { prepareVitest, runVitest } from './worker.js'

export async function prepare(payload: VitestPrepare, link: Link): Promise<void> {
  await prepareVitest(payload, link)
}

export async function run(request: VitestRunRequest, state: ChildState): Promise<void> {
  state.inPlace = runInPlace
  await runVitest(request, state, await prepareVitest(request.payload, state.link))
}
