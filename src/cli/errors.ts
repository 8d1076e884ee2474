// The CLI's own failures. Each names what was wrong and what to do; the exit code says which kind.
import { IsolatedTestError } from '../core/errors.js'

/** A wrong command line: the option, the value and what is allowed. Exit code 2. */
export class IsolatedUsageError extends IsolatedTestError {
  readonly exitCode = 2
  constructor(message: string) {
    super('ISOLATED_USAGE', message)
  }
}

/** A precondition of the search does not hold (the victim fails alone, the order is not stable...). Exit code 2. */
export class IsolatedPreconditionError extends IsolatedTestError {
  readonly exitCode = 2
  constructor(
    readonly precondition: string,
    message: string,
  ) {
    super('ISOLATED_PRECONDITION', message)
  }
}

/** The runner could not run at all (not installed, the file does not load). Exit code 2. */
export class IsolatedRunnerError extends IsolatedTestError {
  readonly exitCode = 2
  constructor(message: string) {
    super('ISOLATED_RUNNER', message)
  }
}

export function exitCodeOf(error: unknown): number {
  const code = (error as { exitCode?: unknown } | null)?.exitCode
  return typeof code === 'number' ? code : 1
}
