// Where a child exposes its user's open resources (child/resources.ts) for the stuck-frame capture to read.
export const RESOURCES_KEY = Symbol.for('isolated-test.resources')
