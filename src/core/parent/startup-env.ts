// The environment and cwd this process started with, before any test code ran: what `method: 'spawn'`
// gives a child. 'fork' passes on the caller's current ones instead.
import { readFileSync } from 'node:fs'

/**
 * What Node takes out of `process.env` at start-up: a forked process's IPC channel (a Jest worker's,
 * with `json` serialization) and a cluster worker's id. Passed on, they would describe a channel that
 * is not the child's own.
 */
const NODE_OWN = new Set(['NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE', 'NODE_UNIQUE_ID'])

export const startupCwd = process.cwd()
const startupEnv: Record<string, string> = captureEnv() ?? { ...(process.env as Record<string, string>) }

function captureEnv(): Record<string, string> | undefined {
  try {
    // Linux keeps the environment the process was started with; elsewhere our first import is the
    // earliest point we see.
    const raw = readFileSync('/proc/self/environ', 'utf8')
    const env: Record<string, string> = {}
    for (const entry of raw.split('\0')) {
      const eq = entry.indexOf('=')
      if (eq > 0 && !NODE_OWN.has(entry.slice(0, eq))) env[entry.slice(0, eq)] = entry.slice(eq + 1)
    }
    if (Object.keys(env).length > 0) return env
  } catch {
    // not Linux
  }
  return undefined
}

export function readStartupEnv(): Record<string, string> {
  return startupEnv
}

/**
 * The start-up environment with the framework's own variables (`names`) as this process has them now:
 * the frameworks set some only at run time (Vitest's pool and worker ids, Jest's JEST_WORKER_ID in
 * band), and a worker thread's start-up environment is its process's. What 'spawn' and a zygote get.
 */
export function startupEnvWith(names: readonly string[]): Record<string, string> {
  const env = { ...startupEnv }
  for (const name of names) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  return env
}

/** `base` with `overrides` applied; an override of `undefined` removes the variable. */
export function withOverrides(
  base: Readonly<Record<string, string | undefined>>,
  overrides: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(base)) if (typeof v === 'string') env[k] = v
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  return env
}
