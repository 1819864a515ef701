/**
 * Plain JSON values as the transformers read and copy them (internal): the
 * manifests flowing through an overlay are parsed YAML, i.e. maps, lists and
 * scalars, never class instances.
 */

/** True when `map` has `key` itself (not through its prototype). */
export function has(map: Record<string, any>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}

/** True for a map (a plain object): not null, not a list. */
export function isMap(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A deep copy of a JSON value that shares nothing with it (`undefined` stays `undefined`). */
export function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}
