// The environment and cwd this test worker started with, before any test code ran: what 'spawn'
// gives a child. Imported eagerly by the public API so the cwd is read as early as we can.
import { readFileSync } from 'node:fs'

function readStartupEnv(): Record<string, string> {
  try {
    // Linux keeps the environment the process was started with; elsewhere our first import is the
    // earliest point we see.
    const raw = readFileSync('/proc/self/environ', 'utf8')
    const env: Record<string, string> = {}
    for (const entry of raw.split('\0')) {
      const eq = entry.indexOf('=')
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1)
    }
    if (Object.keys(env).length > 0) return env
  } catch {
    // not Linux
  }
  return { ...(process.env as Record<string, string>) }
}

export const startup: { readonly env: Readonly<Record<string, string>>; readonly cwd: string } = {
  env: readStartupEnv(),
  cwd: process.cwd(),
}
