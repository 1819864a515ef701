/**
 * kyaml's helpers for associative lists (internal): lists whose elements are
 * identified by the values of their merge keys, e.g. `containers` by `name`
 * or container `ports` by `containerPort` and `protocol`. The strategic merge
 * (strategic-merge.ts) finds, sets and orders elements with them.
 *
 * Ported from sigs.k8s.io/kustomize `kyaml/yaml/walk/associative_sequence.go`
 * and `kyaml/yaml/fns.go` (`ElementMatcher`, `ElementSetter`, `FieldMatcher`).
 */
import { has, isMap } from './json-value';

/**
 * The merge-key values of every element of the sources, patch first, each
 * once (kyaml's `Walker.elementValues` with `MergeOptionsListPrepend`, which
 * kustomize's patch filter uses).
 */
export function elementValues(sources: any[][], keys: string[]): string[][] {
  const result: string[][] = [];
  const seen = new Set<string>();
  for (const source of sources) {
    for (const element of source) {
      const values = keys.map(key => {
        const field = isMap(element) ? element[key] : undefined;
        return isMap(field) || Array.isArray(field) ? '' : scalarString(field);
      });
      const id = JSON.stringify(values);
      if (values.length === 0 || seen.has(id)) continue;
      seen.add(id);
      result.push(values);
    }
  }
  return result;
}

/** The scalars of a list of scalars, patch first, each once (`Walker.elementPrimitiveValues`). */
export function primitiveValues(sources: any[][]): string[][] {
  const result: string[][] = [];
  const seen = new Set<string>();
  for (const source of sources) {
    for (const element of source) {
      const value = isMap(element) || Array.isArray(element) ? '' : scalarString(element);
      if (seen.has(value)) continue;
      seen.add(value);
      result.push([value]);
    }
  }
  return result;
}

/**
 * kyaml's `mergeValues`: with several merge keys, two value tuples that agree
 * where both are set (e.g. a port without protocol and the same port with
 * `TCP`) stand for the same element.
 */
export function mergeValues(valuesList: string[][]): void {
  for (let i = 0; i < valuesList.length; i++) {
    const values1 = valuesList[i];
    for (let j = 0; j < valuesList.length; j++) {
      const merged = matchTuples(values1, valuesList[j]);
      if (merged) {
        valuesList[i] = merged;
        valuesList[j] = merged;
      }
    }
  }
}

/** kyaml's `match`: two tuples match when they share a value and differ only where one is empty. */
function matchTuples(values1: string[], values2: string[]): string[] | undefined {
  if (values1.length !== values2.length) return undefined;
  let common = false;
  const result: string[] = [];
  for (let i = 0; i < values1.length; i++) {
    if (values1[i] === values2[i]) {
      common = true;
      result.push(values1[i]);
    } else if (values1[i] !== '' && values2[i] !== '') {
      return undefined;
    } else {
      result.push(values1[i] !== '' ? values1[i] : values2[i]);
    }
  }
  return common ? result : undefined;
}

/** The keys that have a value in some tuple of `valuesList` (what kyaml's `validateKeys` computes first). */
export function keysWithValues(valuesList: string[][], keys: string[]): Set<string> {
  const valid = new Set<string>();
  for (const tuple of valuesList) tuple.forEach((v, i) => { if (v !== '') valid.add(keys[i]); });
  return valid;
}

/**
 * kyaml's `validateKeys`: the keys that have a value in some tuple, with the
 * tuple's values for them. `valid` is `keysWithValues(valuesList, keys)`,
 * computed once per list by the caller (kyaml recomputes it for every
 * element, which makes a merged list quadratic in its length).
 */
export function validateKeys(valid: ReadonlySet<string>, values: string[], keys: string[]): [string[], string[]] {
  if (valid.size === 0) return [keys, values];
  return [keys.filter(k => valid.has(k)), values.filter((v, i) => v !== '' || valid.has(keys[i]))];
}

/** kyaml's `ElementMatcher`: the first element whose keys have exactly these values. */
export function elementList(list: any[], keys: string[], values: string[]): any {
  if (keys.length === 0 || keys[0] === '') {
    return list.find(e => !isMap(e) && !Array.isArray(e) && scalarString(e) === values[0]);
  }
  return list.find(e => isMap(e) && keys.every((key, i) => has(e, key)
    && valueString(e[key]) === values[i]));
}

/**
 * kyaml's `ElementSetter` (in place): replaces every element matching the
 * key values by `element` (appends it when none matches), or removes them
 * when `element` is undefined. An empty value matches any value of its key;
 * empty elements are dropped.
 */
export function elementSetter(list: any[], keys: string[], values: string[], element: any): void {
  const mappingSetter = keys.length > 0 && keys[0] !== '' && values.length > 0 && values[0] !== '';
  const content: any[] = [];
  let found = false;
  for (const item of list) {
    if (item === null || item === undefined || (isMap(item) && Object.keys(item).length === 0)) continue;
    if (!isMap(item) && mappingSetter) {
      content.push(item);
      continue;
    }
    let matched = false;
    let all = true;
    for (let j = 0; j < keys.length; j++) {
      if (j < values.length) matched = fieldMatches(item, keys[j], values[j]);
      if (!matched) {
        all = false;
        break;
      }
    }
    if (keys.length === 0 || !all) {
      if (values.length > 0) content.push(item);
      continue;
    }
    found = true;
    if (element !== undefined) content.push(element);
  }
  list.splice(0, list.length, ...content);
  if (element !== undefined && !found) list.push(element);
}

/** kyaml's `FieldMatcher` with a string value: `''` matches any value of the field. */
function fieldMatches(item: any, key: string, value: string): boolean {
  if (key === '') return !isMap(item) && !Array.isArray(item) && scalarString(item) === value;
  if (!isMap(item)) throw new Error(`cannot match '${key}' on an element that is not a map`);
  if (!has(item, key)) return false;
  return value === '' || valueString(item[key]) === value;
}

/**
 * kyaml's `appendListNode(itemsToBeAdded, dest)`: puts the original's
 * (merged) elements back into the new list. With one merge key an element
 * takes the place of its match; with several, it is removed and appended.
 */
export function appendListNode(result: any[], dest: any[], keys: string[]): any[] {
  for (const element of dest) {
    if (keys[0] === '') {
      elementSetter(result, [''], [scalarString(element)], element);
      continue;
    }
    const values: string[] = [];
    for (const key of keys) {
      if (!isMap(element) && element !== null) throw new Error(`cannot read merge key '${key}' of an element that is not a map`);
      if (element === null || !has(element, key)) {
        result.push(element);
        continue;
      }
      values.push(valueString(element[key]));
    }
    if (keys.length > 1) elementSetter(result, keys, values, undefined);
    elementSetter(result, keys, values, element);
  }
  return result;
}

/** The text of a YAML scalar, as kyaml compares merge keys. */
function scalarString(value: any): string {
  if (value === undefined || value === null) return '';
  return String(value);
}

/** The text of a field's YAML node (maps and lists have none). */
function valueString(value: any): string {
  if (value === null) return 'null';
  if (isMap(value) || Array.isArray(value)) return '';
  return scalarString(value);
}

/** A merge-key value kyaml writes back as an untagged YAML scalar. */
export function scalarFromString(value: string): any {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}
