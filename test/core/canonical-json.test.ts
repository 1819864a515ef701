/** One JSON text per value, for comparing and hashing. */
import { canonicalJson, sortedKeys } from '../../src/core/canonical-json';

test('canonicalJson does not depend on key order, keeps array order and leaves undefined fields out', () => {
  expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
  expect(canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 })).toBe(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }));
  expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  expect(canonicalJson(undefined)).toBe('');
});

test('sortedKeys copies: the input keeps its order', () => {
  const input = { z: { y: 1, x: 2 }, a: 0 };
  expect(Object.keys(sortedKeys(input) as object)).toEqual(['a', 'z']);
  expect(Object.keys(input)).toEqual(['z', 'a']);
});
