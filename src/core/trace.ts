// A development knob: with ISOLATED_TEST_TRACE naming a file, each process appends "pid label ms" lines
// (CLOCK_MONOTONIC, shared by parent and children), to see where a run's time goes across processes.
import { appendFileSync } from 'node:fs'
import { monotonicMs } from './clock.js'

export function trace(label: string): void {
  const file = process.env.ISOLATED_TEST_TRACE
  if (!file) return
  try {
    appendFileSync(file, `${process.pid} ${label} ${monotonicMs().toFixed(2)} ${process.resourceUsage().minorPageFault}\n`)
  } catch {
    // tracing must never break a run
  }
}
