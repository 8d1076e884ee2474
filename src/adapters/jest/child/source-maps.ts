// Stack traces in the child point at the original source, as in a Jest worker, so the parent prints
// the code frame at the test's own line.
import { readFileSync } from 'node:fs'
import type { JestRequire } from '../locate.js'
import type { Runtime } from './load-jest.js'

export function installSourceMaps(req: JestRequire & { resolve(name: string): string }, runtime: Runtime): void {
  // Jest 30: @jest/source-map's SourceMapSupport (jest-runner's testWorker does the same).
  const sourceMap = req('@jest/source-map') as { SourceMapSupport?: new () => { install(maps: Map<string, string>): void } }
  if (sourceMap.SourceMapSupport) {
    new sourceMap.SourceMapSupport().install(runtime.getSourceMaps())
    return
  }
  // Jest 29: source-map-support, inside the test's vm context and outside it (jest-runner's runTest).
  const maps = runtime.getSourceMaps()
  const options = {
    environment: 'node',
    handleUncaughtExceptions: false,
    retrieveSourceMap: (file: string) => {
      const mapPath = maps.get(file)
      if (!mapPath) return null
      try {
        return { map: JSON.parse(readFileSync(mapPath, 'utf8')) as unknown, url: file }
      } catch {
        // Jest 29 names a .map for a cached transform that wrote none (native ESM, no transform): as
        // jest-runner does, a map that cannot be read means no map, not a failed test.
        return null
      }
    },
  }
  type Installer = { install(o: typeof options): void }
  ;(runtime.requireInternalModule(req.resolve('source-map-support')) as Installer).install(options)
  ;(req('source-map-support') as Installer).install(options)
}
