// Packs the built package once and puts it into the Vitest fixture projects.
import { join } from 'node:path'
import { packPackage, repoRoot, unpackInto } from './package.js'

export default function setup(): void {
  const tarball = packPackage()
  for (const project of ['vitest4', 'vitest4-plugin']) unpackInto(tarball, join(repoRoot, 'fixtures', project))
}
