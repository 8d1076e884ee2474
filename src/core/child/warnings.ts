// Node prints an ExperimentalWarning once per process (VM Modules under Jest's ESM support, a loader
// flag): the test worker, which runs with the same flags and loads the same file, has printed it
// already. A child drops those emitted while it boots and imports the file, so a run prints them as
// often as in-process; from the first hook or body on, warnings pass as they are (the test's own).
const emitWarning = process.emitWarning.bind(process)
let userCodeStarted = false

function isExperimental(warning: unknown, type: unknown): boolean {
  const named = typeof type === 'string' ? type : typeof type === 'object' && type !== null ? (type as { type?: unknown }).type : undefined
  return named === 'ExperimentalWarning' || (warning instanceof Error && warning.name === 'ExperimentalWarning')
}

export function holdStartupWarnings(): void {
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]): void {
    if (!userCodeStarted && isExperimental(warning, rest[0])) return
    ;(emitWarning as (...args: unknown[]) => void)(warning, ...rest)
  } as typeof process.emitWarning
}

/** The test's own code runs from now on: its warnings are its output. */
export function userCodeStarts(): void {
  userCodeStarted = true
}
