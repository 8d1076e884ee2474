// What a process's main thread is doing when it does not answer the inspector, from /proc (Linux):
// writing to stdout/stderr that nobody reads fast enough, blocked in another system call, or running
// (native code, or JS that did not reach an interrupt check in time). Elsewhere: 'native'.
import { readFileSync } from 'node:fs'

// System calls that write (x64: write, writev, pwrite64; arm64: write, writev, pwrite64).
const WRITE_CALLS = process.arch === 'arm64' ? new Set([64, 66, 68]) : new Set([1, 20, 18])

export function blockedState(pid: number): 'busy' | 'writing' | 'native' {
  try {
    const syscall = readFileSync(`/proc/${pid}/task/${pid}/syscall`, 'utf8').trim().split(' ')
    if (syscall[0] === 'running') return 'busy'
    const nr = Number(syscall[0])
    const target = Number(syscall[1])
    return WRITE_CALLS.has(nr) && (target === 1 || target === 2) ? 'writing' : 'native'
  } catch {
    return 'native'
  }
}
