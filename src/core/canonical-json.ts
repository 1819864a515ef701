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

/** `JSON.stringify` of `sortedKeys(value)` (`undefined` fields left out, as JSON does); '' for `undefined`. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortedKeys(value)) ?? '';
}
