// A forked child must never run Node's teardown: it joins V8 platform threads that exist only in the
// zygote (SIGSEGV in pthread_join, or a CHECK failure in uv_thread_join). Every way out goes through
// _exit(2) after the 'exit' listeners ran, with the code Node would have used.
import { writeSync } from 'node:fs'
import { inspect } from 'node:util'
import type { NativeAddon } from './addon.js'

type Emit = (event: string | symbol, ...args: unknown[]) => boolean

/** Routes process.exit, a natural end and a fatal error through addon.exitNow. Call once, early. */
export function routeExitThroughExitNow(addon: NativeAddon): void {
  const exitNow = addon.exitNow
  const emit = process.emit as Emit
  // Node emits 'exit' and then, for an uncaught error, prints it from C++ and tears down: since we end
  // in 'exit', print it ourselves. The monitor runs before Node decides, so note only fatal ones.
  let fatal: { error: unknown } | undefined
  process.on('uncaughtExceptionMonitor', (error) => {
    if (process.listenerCount('uncaughtException') === 0 && !process.hasUncaughtExceptionCaptureCallback()) fatal = { error }
  })
  const patched: Emit = function (this: NodeJS.Process, event, ...args) {
    if (event !== 'exit') return emit.call(this, event, ...args)
    try {
      emit.call(this, event, ...args)
    } finally {
      if (fatal) printFatal(fatal.error)
      exitNow(exitCode(args[0]))
    }
    return true
  }
  process.emit = patched as typeof process.emit
  // process.exit() from inside an 'exit' listener, and code that calls it directly.
  ;(process as unknown as { reallyExit: (code?: unknown) => never }).reallyExit = (code) => exitNow(exitCode(code))
}

// What Node exits with: process.exitCode as the listeners left it, else the code emitted.
function exitCode(emitted: unknown): number {
  const code = Number(process.exitCode ?? emitted ?? 0)
  return Number.isInteger(code) ? code : 1
}

function printFatal(error: unknown): void {
  try {
    const text = error instanceof Error ? inspect(error) : `Uncaught ${inspect(error)}`
    writeSync(2, `${text}\n\nNode.js ${process.version}\n`)
  } catch {
    // stderr gone: the exit code still says it failed
  }
}
