// A development knob: with ISOLATED_TEST_TRACE naming a file, each process appends "pid label ms
// minorFaults cpuMs" lines (ms on CLOCK_MONOTONIC, shared by parent and children; the process's own
// page faults and CPU time so far), to see where a run's time goes across processes.
import { appendFileSync } from 'node:fs'
import { monotonicMs } from './clock.js'

export function trace(label: string): void {
  const file = process.env.ISOLATED_TEST_TRACE
  if (!file) return
  try {
    const u = process.resourceUsage()
    appendFileSync(file, `${process.pid} ${label} ${monotonicMs().toFixed(2)} ${u.minorPageFault} ${((u.userCPUTime + u.systemCPUTime) / 1000).toFixed(2)}\n`)
  } catch {
    // tracing must never break a run
  }
}
