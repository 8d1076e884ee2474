// Public API of `isolated-test/jest`: the test environment.
export { default, TestEnvironment } from './adapters/jest/parent/environment.js'
