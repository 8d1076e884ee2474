// How we name a Vitest test on both sides of the boundary: its suite chain, without the file.
import type { Task } from '@vitest/runner'

export function fullTestName(task: Task): string {
  const names: string[] = []
  // The file is the root suite, the only task without a parent suite.
  for (let current: Task | undefined = task; current && (current.type !== 'suite' || current.suite); current = current.suite) {
    names.unshift(current.name)
  }
  return names.join(' > ')
}
