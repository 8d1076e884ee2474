// The process object of Node itself. Under Jest's sandbox the global `process`, and even
// `require('node:process')`, are a copy whose events never fire and whose values (pid, env) were copied
// once; process.getBuiltinModule is not intercepted and gives the real one.
const sandboxed = globalThis.process as NodeJS.Process & { getBuiltinModule?: (id: string) => unknown }

export const realProcess: NodeJS.Process = (sandboxed.getBuiltinModule?.('node:process') as NodeJS.Process | undefined) ?? sandboxed
