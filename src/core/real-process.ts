// The process object of Node itself. Under Jest's sandbox the global `process`, and even
// `require('node:process')`, are a copy whose events never fire and whose values (pid, env) were copied
// once. `process.getBuiltinModule` gives the real one under Jest 29 and early 30; later Jest 30 routes
// it through the sandbox too. Functions the sandbox got from the host (the copy's methods) still belong
// to the host's realm, whose `Function` evaluates in the host's global scope, where `process` is Node's.
type MaybeSandboxed = NodeJS.Process & { getBuiltinModule?: (id: string) => unknown }

const sandboxed = globalThis.process as MaybeSandboxed

function isProcess(value: unknown): value is NodeJS.Process {
  return typeof value === 'object' && value !== null && typeof (value as NodeJS.Process).on === 'function' && typeof (value as NodeJS.Process).pid === 'number'
}

function fromBuiltin(): NodeJS.Process | undefined {
  try {
    const found = sandboxed.getBuiltinModule?.('node:process')
    return isProcess(found) && found !== sandboxed ? found : undefined
  } catch {
    return undefined
  }
}

function fromHostRealm(): NodeJS.Process | undefined {
  const hostFunctions: unknown[] = [sandboxed.cwd, sandboxed.hrtime, sandboxed.stdout?.write]
  for (const fn of hostFunctions) {
    if (typeof fn !== 'function') continue
    const HostFunction = (fn as { constructor: unknown }).constructor
    // Our own realm's Function: no sandbox between us and Node, the global process is the real one.
    if (typeof HostFunction !== 'function' || HostFunction === Function) continue
    try {
      const found: unknown = (HostFunction as FunctionConstructor)('return typeof process === "object" ? process : undefined')()
      if (isProcess(found) && found !== sandboxed) return found
    } catch {
      // code generation refused in that realm: try the next
    }
  }
  return undefined
}

export const realProcess: NodeJS.Process = fromBuiltin() ?? fromHostRealm() ?? sandboxed
