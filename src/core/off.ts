// The escape hatch: `ISOLATED_TEST=off` runs every isolated body in-process, and so does a process
// with a debugger attached (it wants to step through the body here, not in a child).
import { url as inspectorUrl } from 'node:inspector'

export function isOff(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.ISOLATED_TEST
  return v === 'off' || v === '0' || v === 'false' || inspectorUrl() !== undefined
}
