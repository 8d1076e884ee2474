// What a process's main thread is doing when it does not answer the inspector, from /proc (Linux):
// writing to stdout/stderr that nobody reads fast enough, blocked in another system call, or running
// (native code, or JS that did not reach an interrupt check in time). Elsewhere: 'native'.
import { readdirSync, readFileSync } from 'node:fs'

// System calls that write (x64: write, writev, pwrite64; arm64: write, writev, pwrite64).
const WRITE_CALLS = process.arch === 'arm64' ? new Set([64, 66, 68]) : new Set([1, 20, 18])
const SAMPLES = 12
const sleeper = new Int32Array(new SharedArrayBuffer(4))

// The event loop waiting for events (x64: epoll_wait, epoll_pwait, epoll_pwait2; arm64: epoll_pwait, epoll_pwait2).
const POLL_CALLS = process.arch === 'arm64' ? new Set([22, 441]) : new Set([232, 281, 441])

type Sample = 'running' | 'writing' | 'polling' | 'syscall' | 'unknown'

/**
 * A process's output descriptors beyond 1 and 2, by pid: a forked Jest child's console output travels
 * as messages on its channel, so a write blocked there is output nobody reads fast enough.
 */
const extraOutputFds = new Map<number, number>()

/** `fd` of process `pid` carries its output too (until `forgetOutputFd`). */
export function addOutputFd(pid: number, fd: number): void {
  extraOutputFds.set(pid, fd)
}

export function forgetOutputFd(pid: number): void {
  extraOutputFds.delete(pid)
}

function sample(pid: number): Sample {
  try {
    const syscall = readFileSync(`/proc/${pid}/task/${pid}/syscall`, 'utf8').trim().split(' ')
    if (syscall[0] === 'running') return 'running'
    const nr = Number(syscall[0])
    const target = Number(syscall[1])
    if (POLL_CALLS.has(nr)) return 'polling'
    return WRITE_CALLS.has(nr) && (target === 1 || target === 2 || target === extraOutputFds.get(pid)) ? 'writing' : 'syscall'
  } catch {
    return 'unknown'
  }
}

/** The main thread is in the event loop's poll: idle, and it will answer an interrupt (a loaded machine may be slow to run it). */
export function isPolling(pid: number): boolean {
  return sample(pid) === 'polling'
}

/**
 * In the event loop's poll at each of a few looks a few ms apart: idle. One look is not enough: a loop
 * of short async steps is in the poll between them (a pause finds its frames).
 */
export function steadilyPolling(pid: number): boolean {
  for (let i = 0; i < 5; i++) {
    if (sample(pid) !== 'polling') return false
    if (i < 4) Atomics.wait(sleeper, 0, 0, 3)
  }
  return true
}

/**
 * Sampled a few times, a few ms apart: a thread writing a large buffer to a pipe alternates between
 * copying (running) and waiting for the reader (in write), so one sample is not enough to tell.
 */
export function blockedState(pid: number): 'busy' | 'writing' | 'native' {
  const seen = new Set<Sample>()
  for (let i = 0; i < SAMPLES; i++) {
    const taken = sample(pid)
    // Waiting in the event loop is a system call like any other here (the caller asked for its stack first).
    const s = taken === 'polling' ? 'syscall' : taken
    if (s === 'writing' || s === 'unknown') return s === 'writing' ? 'writing' : 'native'
    seen.add(s)
    if (i < SAMPLES - 1) Atomics.wait(sleeper, 0, 0, 4)
  }
  return seen.has('syscall') && !seen.has('running') ? 'native' : seen.has('running') && !seen.has('syscall') ? 'busy' : 'native'
}

/**
 * The process's Worker threads as /proc names them (Node 24 and later call each "WorkerThread"), with
 * whether each is running: what can still be said of them when the main thread does not answer.
 * `exceptTid`: the caller's own thread, when it is one of them.
 */
export function workerThreads(pid: number, exceptTid?: number): string[] {
  const out: string[] = []
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      if (Number(tid) === exceptTid) continue
      try {
        if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() !== 'WorkerThread') continue
        out.push(`a Worker (thread ${tid}, ${everRunning(`/proc/${pid}/task/${tid}/stat`) ? 'running' : 'waiting'}; its JS frames could not be read)`)
      } catch {
        // the thread ended
      }
    }
  } catch {
    // not Linux, or the process is gone
  }
  return out
}

/**
 * Runnable at any of a few looks 2 ms apart: a spinning thread can be caught asleep for a moment (a
 * V8 safepoint, a lock with the main thread), which one look took for waiting.
 */
function everRunning(statFile: string): boolean {
  for (let i = 0; i < 5; i++) {
    // The state is the field after the parenthesised name: R running, S sleeping, D in a system call.
    const stat = readFileSync(statFile, 'utf8')
    if (stat.charAt(stat.lastIndexOf(')') + 2) === 'R') return true
    if (i < 4) Atomics.wait(sleeper, 0, 0, 2)
  }
  return false
}
