// One value per process, whichever instance of our modules asks: frameworks load them again as
// instances of their own (Vitest's module runner; Jest's vm context, whose globalThis is another), and
// a zygote's warm-up must serve every fork. Kept on node:inspector's `Session` class: a built-in
// module is one object in every realm.
import { Session } from 'node:inspector'

export function perProcess<T>(name: string, create: () => T): T {
  const holder = Session as unknown as Record<symbol, T | undefined>
  return (holder[Symbol.for(`isolated-test.${name}`)] ??= create())
}
