// The configs the child runs the file with: the environment's (as Jest gave them), or, for isolated()
// under a plain setup, read with the running Jest's jest-config. Either way the child writes nothing
// shared: no coverage, and snapshots are written by the parent only (child/snapshots.ts).
import { sep } from 'node:path'
import { IsolatedConfigError } from '../../../core/errors.js'
import type { JestConfigSource, JestPrepare } from '../protocol.js'
import type { GlobalConfig, ProjectConfig } from '../circus-types.js'
import type { JestPackages } from './load-jest.js'

export interface ChildConfigs {
  readonly projectConfig: ProjectConfig
  readonly globalConfig: GlobalConfig
}

interface ReadConfigs {
  readConfigs(argv: Record<string, unknown>, paths: string[]): Promise<{ globalConfig: GlobalConfig; configs: ProjectConfig[] }>
}

async function loadConfigs(jest: JestPackages, source: Extract<JestConfigSource, { kind: 'load' }>, testPath: string): Promise<{ projectConfig: ProjectConfig; globalConfig: GlobalConfig }> {
  const { root, seed, randomize } = source
  const { readConfigs } = jest.require('jest-config') as ReadConfigs
  // As the command line gave them to the parent's run: jest-config validates them as it does there.
  const { globalConfig, configs } = await readConfigs({ _: [], $0: 'jest', ...(seed === undefined ? {} : { seed }), randomize }, [root])
  const inProject = (c: ProjectConfig): boolean => ((c.roots as string[] | undefined) ?? [c.rootDir]).some((r) => testPath.startsWith(r + sep))
  const projectConfig = configs.length === 1 ? configs[0] : configs.find(inProject)
  if (!projectConfig) {
    throw new IsolatedConfigError(`isolated(): the Jest config read from ${root} has no project containing ${testPath}. Run Jest from the project root, or use testEnvironment 'isolated-test/jest'.`)
  }
  return { projectConfig, globalConfig }
}

export async function childConfigs(payload: JestPrepare, jest: JestPackages): Promise<ChildConfigs> {
  const given =
    payload.config.kind === 'given'
      ? { projectConfig: payload.config.projectConfig as ProjectConfig, globalConfig: payload.config.globalConfig as GlobalConfig }
      : await loadConfigs(jest, payload.config, payload.testPath)
  // The child's snapshot state answers as the parent's will: with the run's update setting (-u, --ci).
  const updateSnapshot = payload.config.kind === 'load' ? (payload.config.updateSnapshot ?? given.globalConfig.updateSnapshot) : given.globalConfig.updateSnapshot
  return {
    projectConfig: given.projectConfig,
    globalConfig: { ...given.globalConfig, updateSnapshot, collectCoverage: false },
  }
}
