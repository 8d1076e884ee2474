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
