// A zygote's compile settings (zygote-flags.ts, zygoteTuning) at its three moments. Kept on globalThis:
// the framework may load this module again as its own instance (Vitest's module runner loads our child
// runner), and all must see whether this zygote was started with them.
import { setFlagsFromString } from 'node:v8'
import { zygoteTuning, type ZygoteTuning } from './zygote-flags.js'
import type { NativeAddon } from './addon.js'

const KEY = Symbol.for('isolated-test.zygote-tuning')
type Shared = { tuning?: ZygoteTuning; userCode?: boolean; forked?: boolean; frameworkDepth?: number; textMove?: Pick<NativeAddon, 'finishTextMove'> }
const shared = ((globalThis as Record<symbol, Shared | undefined>)[KEY] ??= {})

/** The flags a zygote of this major starts with; none with ISOLATED_TEST_ZYGOTE_TUNING=off (to measure what they buy). */
export function tuningBootFlags(major: number): readonly string[] {
  return process.env.ISOLATED_TEST_ZYGOTE_TUNING === 'off' ? [] : (zygoteTuning(major)?.boot ?? [])
}

/**
 * In a zygote as it starts: note whether it was started with the boot flags, hide them from the test's
 * own forks, and start putting Node's code on huge pages (where the kernel has none, it stays as it
 * is): the addon's thread copies it while the framework boots, finishZygoteTuning() moves it.
 */
export function adoptZygoteTuning(addon: Pick<NativeAddon, 'startTextMove' | 'finishTextMove' | 'moveTextToHugePages'> | undefined): void {
  const tuning = zygoteTuning()
  if (!tuning || tuning.boot.some((flag) => !process.execArgv.includes(flag))) return
  shared.tuning = tuning
  process.execArgv = process.execArgv.filter((flag) => !tuning.boot.includes(flag))
  if (!tuning.hugeText || !addon) return
  // No thread to be had (a thread limit): the move at once, on the boot's path, rather than none.
  if (addon.startTextMove() === 0) shared.textMove = addon
  else addon.moveTextToHugePages()
}

/** In a zygote at its fork point, before its threads are counted: the code copy joins, and replaces the code. */
export function finishZygoteTuning(): void {
  const addon = shared.textMove
  shared.textMove = undefined
  addon?.finishTextMove()
}

function set(flags: readonly string[]): void {
  for (const flag of flags) setFlagsFromString(flag)
}

/** In a zygote, as the user's code starts loading (the framework is loaded). Once. */
export function tuneForUserCode(): void {
  if (!shared.tuning || shared.userCode) return
  shared.userCode = true
  set(shared.tuning.userCode)
}

/**
 * In a zygote, framework code the framework loads after the user's code began (Jest's circus modules,
 * loaded into the test's sandbox after its setupFiles): compiled as the framework's boot is, so that
 * each child does not compile the parts only tests run (circus's test path) again. Elsewhere: fn().
 */
export function asFrameworkCode<T>(fn: () => T): T {
  if (!shared.tuning || !shared.userCode || shared.forked) return fn()
  // Framework modules load one another: the outermost load restores the user's settings.
  const depth = shared.frameworkDepth ?? 0
  shared.frameworkDepth = depth + 1
  if (depth === 0) set(shared.tuning.framework)
  try {
    return fn()
  } finally {
    shared.frameworkDepth = depth
    if (depth === 0) set(shared.tuning.userCode)
  }
}

/** In each forked child. */
export function tuneForkedChild(): void {
  if (!shared.tuning) return
  shared.forked = true
  set(shared.tuning.child)
}
