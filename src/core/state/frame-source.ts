// The expression evaluated on the paused frame to carry one variable: reassign it, or, when the
// binding is `const` (or an import), refill the container it holds in place. It answers with a word
// ('assigned', 'refilled', 'unchanged') or with the reason it could not.
import { REBUILD_SOURCE, type Encoded } from './encode.js'

const REFILL_SOURCE = `(target, next) => {
  const tag = (x) => Object.prototype.toString.call(x).slice(8, -1);
  const what = (x) => {
    if (x === null) return 'null';
    if (typeof x !== 'object') return 'a ' + typeof x;
    if (Array.isArray(x)) return 'an array';
    const p = Object.getPrototypeOf(x);
    const c = p && Object.getOwnPropertyDescriptor(p, 'constructor');
    return 'a ' + ((c && typeof c.value === 'function' && c.value.name) || tag(x));
  };
  const plain = (x) => { const p = Object.getPrototypeOf(x); return p === null || Object.getPrototypeOf(p) === null; };
  if (Object.is(target, next)) return 'unchanged';
  if (target === null || typeof target !== 'object') return 'a const binding holding ' + what(target) + ' cannot be reassigned';
  const kind = Array.isArray(target) ? 'Array' : tag(target) === 'Map' ? 'Map' : tag(target) === 'Set' ? 'Set' : plain(target) ? 'Object' : '';
  if (!kind) return 'a const binding holding ' + what(target) + ' cannot be reassigned, and only arrays, plain objects, Maps and Sets are refilled in place';
  const nextKind = Array.isArray(next) ? 'Array' : tag(next) === 'Map' ? 'Map' : tag(next) === 'Set' ? 'Set' : next !== null && typeof next === 'object' && plain(next) ? 'Object' : '';
  if (kind !== nextKind) return 'a const binding holding ' + what(target) + ' cannot take ' + what(next);
  if (Object.isFrozen(target)) return 'a const binding holding a frozen ' + what(target).replace(/^an? /, '') + ' cannot be refilled';
  if (kind === 'Array') { target.length = next.length; for (let i = 0; i < next.length; i++) target[i] = next[i]; }
  else if (kind === 'Map') { Map.prototype.clear.call(target); for (const [k, v] of next) Map.prototype.set.call(target, k, v); }
  else if (kind === 'Set') { Set.prototype.clear.call(target); for (const v of next) Set.prototype.add.call(target, v); }
  else {
    for (const k of Reflect.ownKeys(target)) if (!Reflect.deleteProperty(target, k)) return 'the property ' + String(k) + ' of the const object cannot be deleted';
    for (const k of Object.keys(next)) Object.defineProperty(target, k, { value: next[k], writable: true, enumerable: true, configurable: true });
  }
  return 'refilled';
}`

/** JS source that carries `encoded` into the variable `name` of the paused frame. `name` must be an identifier. */
export function carryExpression(name: string, encoded: Encoded): string {
  return `(() => {
  const next = (${REBUILD_SOURCE})(${JSON.stringify(encoded)});
  try { if (Object.is(${name}, next)) return 'unchanged'; ${name} = next; return 'assigned'; }
  catch (error) { if (!(error && error.name === 'TypeError' && /constant/.test(error.message))) throw error; }
  return (${REFILL_SOURCE})(${name}, next);
})()`
}

/** Identifiers we can name in an expression (V8 also lists internal `.names`, which we skip). */
export function isIdentifier(name: string): boolean {
  return /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u.test(name) && !RESERVED.has(name)
}

const RESERVED = new Set(['this', 'arguments', 'eval', 'new.target', 'super'])
