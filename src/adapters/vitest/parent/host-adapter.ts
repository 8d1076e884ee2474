// `isolated()` in a Vitest worker: registered with the core when the public entry loads.
import { registerHost, type HostAdapter } from '../../../core/adapter.js'
import { getVitestWorkerState } from '../worker-state.js'
// Static, not import(): Vitest's vm pools (vmThreads, vmForks) load our package in a vm context whose
// loader cannot serve a chunk imported later ("request for './chunk-….js' is not in cache").
import { prestartZygote } from './host.js'
import { callInVitest } from './wrapped-call.js'

export const vitestHost: HostAdapter = {
  requirement: 'a Vitest worker (Vitest ≥ 4.1)',
  // Each run of a file in a reused worker has its own worker state: wrapper numbering restarts with it.
  wrapperScope: () => getVitestWorkerState(),
  // A wrapper made while the file is collected: its zygote (with the fork server) boots meanwhile.
  onWrapperMade(options) {
    const vitest = getVitestWorkerState()
    if (vitest?.filepath) prestartZygote(vitest, options, vitest.filepath, undefined)
  },
  call(call) {
    const vitest = getVitestWorkerState()
    if (!vitest) return undefined
    return callInVitest(vitest, call)
  },
}

registerHost(vitestHost)
