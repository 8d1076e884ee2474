// The command-line flags a zygote runs with, per Node major, chosen by measurement (native/README.md,
// bench/fork/measure.mjs). --single-threaded is required: without it V8 hands work to threads a
// forked child does not have. --no-liftoff: wasm compiled by TurboFan at once, since Liftoff code never
// tiers up without those threads (2-3x slower). --no-maglev on Node 24: its Maglev OSR code under
// --single-threaded ran a numeric loop 2-3.5x slower. An unknown major gets the required flag only,
// and forks only if the self-test passes.
const BY_MAJOR: Readonly<Record<number, readonly string[]>> = {
  22: ['--single-threaded', '--no-liftoff'],
  24: ['--single-threaded', '--no-maglev', '--no-liftoff'],
  26: ['--single-threaded', '--no-liftoff'],
}

export function zygoteFlags(major: number = Number(process.versions.node.split('.')[0])): readonly string[] {
  return BY_MAJOR[major] ?? ['--single-threaded']
}

/**
 * How a test zygote runs and compiles its code, per Node major (native/README.md, "Compiling in the
 * zygote" and "First touch"). `boot` goes on its command line after zygoteFlags and is taken out of its
 * process.execArgv as it starts, so a test's own child_process.fork() does not inherit it; `userCode`
 * and `child` are V8 flags set at run time (v8.setFlagsFromString, zygote-tuning.ts). A forked child
 * runs the framework's per-test path for the first time in its life: it compiled that path again (lazy
 * compilation), and functions the zygote had made hot were optimized by TurboFan, synchronously under
 * --single-threaded, in every child (about 25 ms a test between them).
 * - boot: compile every function at once and keep the bytecode (V8 flushes bytecode it thinks old, and
 *   the zygote's last collection would flush it all); tier up 10x later, so what the zygote warmed is
 *   not optimized again by each child.
 * - hugeText: Node's code moved to 2 MB pages as the zygote starts, by the addon (a child's first touch
 *   of a 4 KiB page costs about 5 us on the development VM, and a trivial Vitest child touches ~1,300
 *   pages of Node's code). Not Node's --use-largepages: its copy through 4 KiB pages cost 170-300 ms
 *   of every zygote's boot here, the addon's 30 ms.
 * - userCode, from the user's first import: lazy again (an eagerly compiled TypeScript took twice as
 *   long to import and 57 MB more).
 * - framework: eager again while the framework loads more of its own code after the user's began
 *   (Jest's circus modules, loaded into the sandbox after setupFiles).
 * - child, in each fork: V8's usual tier-up again, for the test's own code.
 * The defaults restored are those of V8 12.4-14.6 (Node 22-26); an unknown major is left as it is.
 */
export interface ZygoteTuning {
  readonly boot: readonly string[]
  /** Move Node's code to huge pages as the zygote starts (native/src/hugetext.h). */
  readonly hugeText: boolean
  readonly userCode: readonly string[]
  /** Framework code loaded after the user's code began (asFrameworkCode): eager again, for that load. */
  readonly framework: readonly string[]
  readonly child: readonly string[]
}

const TURBOFAN = (count: number): string => `--invocation-count-for-turbofan=${count}`
const MAGLEV = (count: number): string => `--invocation-count-for-maglev=${count}`
const EAGER = ['--no-lazy', '--no-flush-bytecode']

const TUNING: Readonly<Record<number, ZygoteTuning>> = {
  22: { boot: [...EAGER, TURBOFAN(30_000), MAGLEV(4000)], hugeText: true, userCode: ['--lazy'], framework: ['--no-lazy'], child: [TURBOFAN(3000), MAGLEV(400)] },
  24: { boot: [...EAGER, TURBOFAN(30_000)], hugeText: true, userCode: ['--lazy'], framework: ['--no-lazy'], child: [TURBOFAN(3000)] },
  26: { boot: [...EAGER, TURBOFAN(30_000), MAGLEV(4000)], hugeText: true, userCode: ['--lazy'], framework: ['--no-lazy'], child: [TURBOFAN(3000), MAGLEV(400)] },
}

export function zygoteTuning(major: number = Number(process.versions.node.split('.')[0])): ZygoteTuning | undefined {
  return TUNING[major]
}
