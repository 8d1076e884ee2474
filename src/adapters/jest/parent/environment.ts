// `isolated-test/jest`: the test environment. Jest calls `new Environment(config, context)`; we return
// an instance of the real class, built once per jest-runner on that runner's own jest-environment-node,
// so one package serves Jest 29 and 30 whatever else is hoisted in node_modules.
import type { EnvironmentConfig, EnvironmentContext, JestEnvironment, JestEnvironmentClass } from '../circus-types.js'
import { createIsolatingEnvironment } from './environment-class.js'
import { jestRequireFrom, runnerDirFromConfig } from '../locate.js'
import { watchJestParent } from './jest-parent.js'

const classes = new Map<string, JestEnvironmentClass>()

function environmentClass(runner: unknown): JestEnvironmentClass {
  const runnerDir = runnerDirFromConfig(runner)
  let cls = classes.get(runnerDir)
  if (!cls) {
    const { TestEnvironment } = jestRequireFrom([runnerDir])('jest-environment-node') as { TestEnvironment: JestEnvironmentClass }
    cls = createIsolatingEnvironment(TestEnvironment, runnerDir)
    classes.set(runnerDir, cls)
  }
  return cls
}

/** Use as `testEnvironment: 'isolated-test/jest'`; options go under `testEnvironmentOptions.isolated`. */
const IsolatedTestEnvironment = function IsolatedTestEnvironment(config: EnvironmentConfig, context: EnvironmentContext): JestEnvironment {
  const Environment = environmentClass(config.projectConfig.runner)
  watchJestParent()
  return new Environment(config, context)
} as unknown as JestEnvironmentClass

export default IsolatedTestEnvironment
export { IsolatedTestEnvironment as TestEnvironment }
