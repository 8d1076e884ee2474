// Forked children start from the zygote's copy of V8's Math.random state (and realms created after
// the fork seed theirs from the isolate's copied generator), so every child draws the same sequence.
// V8 offers no re-seed, so each realm gets its own generator (xoshiro128**, seeded from the OS).
import { randomFillSync } from 'node:crypto'

// The factory's source: compiled inside each realm, so the function belongs to that realm.
const FACTORY = `
  const imul = Math.imul
  function rotl(x, k) { return (x << k) | (x >>> (32 - k)) }
  // xoshiro128**
  function next() {
    const result = imul(rotl(imul(b, 5), 7), 9)
    const t = b << 9
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11)
    return result >>> 0
  }
  // Two 32-bit outputs make one double with 53 random bits, as V8's does.
  return function random() { return ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992 }`

export type Factory = (a: number, b: number, c: number, d: number) => () => number
interface Realm {
  Math: Math
  Function: FunctionConstructor
}

/** The generator's factory compiled in `realm` (a zygote compiles its own realm's once: in a child it cost 5 ms). */
export function randomFactory(realm: Realm = globalThis): Factory {
  try {
    return new realm.Function('a', 'b', 'c', 'd', FACTORY) as Factory
  } catch {
    // The realm forbids code generation from strings: a function of ours still works there.
    return new Function('a', 'b', 'c', 'd', FACTORY) as Factory
  }
}

/** Makes `factory`'s generator, seeded with `seed` (16 bytes; all zero: drawn from the OS here), `realm`'s Math.random. */
export function installRandom(realm: Realm, factory: Factory, seed?: Uint8Array): void {
  const words = new Uint32Array(4)
  if (seed && seed.length >= 16 && seed.some((b) => b !== 0)) new Uint8Array(words.buffer).set(seed.subarray(0, 16))
  else {
    do randomFillSync(words)
    while (words.every((w) => w === 0))
  }
  const random = factory(words[0] ?? 1, words[1] ?? 0, words[2] ?? 0, words[3] ?? 0)
  Object.defineProperty(realm.Math, 'random', { value: random, writable: true, enumerable: false, configurable: true })
}

/** Replaces Math.random in `realm` (globalThis, a vm context's global, a jsdom window) with a generator seeded from the OS. */
export function reseedMathRandom(realm: Realm = globalThis): void {
  installRandom(realm, randomFactory(realm))
}
