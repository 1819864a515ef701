/**
 * JSON with the keys of every object sorted: one text for one value, whatever
 * the order its keys were written in. For comparing and hashing JSON values.
 */

/** A deep copy of a JSON value with the keys of every object sorted. */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map(key => [key, sortedKeys((value as Record<string, unknown>)[key])]));
}

/**
 * A copy of the struct `value` with the fields named in `order`, in that
 * order, undefined ones left out. For structs written into files as they are:
 * the order their fields arrive in is the caller's language's (jsii hands a
 * Java or Go struct over in its own field order, not the order it was written
 * in), so the file would depend on it.
 */
export function inFieldOrder<T extends object>(value: T, order: ReadonlyArray<keyof T>): T {
  const copy: Partial<T> = {};
  for (const key of order) {
    if (value[key] !== undefined) copy[key] = value[key];
  }
  return copy as T;
}

/** `JSON.stringify` of `sortedKeys(value)` (`undefined` fields left out, as JSON does); '' for `undefined`. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortedKeys(value)) ?? '';
}
