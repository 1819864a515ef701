/**
 * The strategic merge of kustomize's `patches` (internal): a partial object
 * merged into an object field by field, lists by their Kubernetes merge keys
 * (see merge-keys.ts), with the `$patch` directives, giving what
 * `kustomize build` (kustomize v5.5.0, as in kubectl 1.32) gives.
 *
 * Ported from sigs.k8s.io/kustomize `kyaml/yaml/merge2` and `kyaml/yaml/walk`
 * (the list helpers they share are in associative-list.ts). Where kustomize's
 * output is not a valid manifest (it copies a directive it does not implement
 * into the output), this module throws an error that says so instead.
 *
 * Reference: https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 */
import {
  appendListNode, elementList, elementSetter, elementValues, keysWithValues, mergeValues, primitiveValues, scalarFromString, validateKeys,
} from './associative-list';
import { clone, has, isMap } from './json-value';
import { MergeSchema, schemaOf } from './merge-keys';
import { deleteValue, setValue } from './shared-values';

/**
 * Directives of the Kubernetes strategic merge patch that kustomize does not
 * implement: it copies them into the output as if they were fields (checked
 * with kustomize v5.5.0), which gives an invalid manifest. They are refused.
 */
const UNSUPPORTED_DIRECTIVES = ['$retainKeys', '$setElementOrder/', '$deleteFromPrimitiveList/'];

/**
 * Strategic merge of `patch` into `original` (neither is mutated), as
 * kustomize does it (kyaml's `merge2` with the Kubernetes 1.21 schema). Returns
 * undefined when the patch deletes the whole object (`$patch: delete`).
 *
 * - Maps merge recursively; `null` deletes a key.
 * - Lists with a merge key (`x-kubernetes-patch-merge-key` of a field with
 *   `x-kubernetes-patch-strategy: merge`, see merge-keys.ts) merge element by
 *   element: the patch's elements come first, in the patch's order, then the
 *   original's other elements in their order. For the lists with two
 *   `x-kubernetes-list-map-keys` (container and Service `ports`,
 *   `topologySpreadConstraints`), the original's elements keep their place and
 *   new ones come first. Lists without a merge key, and every list of a kind
 *   kustomize has no schema for (custom resources), are replaced.
 * - `$patch: delete` on a map, on a list element (with its merge key) or on
 *   the whole object; `$patch: replace` on a map or as an element of a merged
 *   list (`- $patch: replace`); `- $patch: delete` as an element deletes the
 *   whole list.
 *
 * Throws on what kustomize gets wrong (see `UNSUPPORTED_DIRECTIVES`): `$patch`
 * in a list that is replaced rather than merged, `$patch: replace` on the whole
 * object or on an existing element of a merged list (kustomize ignores both),
 * directive elements in a list the original lacks, elements without a merge key.
 *
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 */
export function strategicMergePatch(original: any, patch: any): any {
  return strategicMergeInto(isMap(original) ? clone(original) : original, patch);
}

/**
 * `strategicMergePatch` into `target` itself, which it changes (and which
 * must share nothing with other objects); `patch` is not changed. Returns
 * `target` merged, or undefined when the patch deletes it. On an error,
 * `target` may be half merged.
 */
export function strategicMergeInto(target: any, patch: any): any {
  if (!isMap(target) || !isMap(patch)) {
    throw new Error('a strategic merge patch and the object it patches must both be objects');
  }
  checkDirectives(patch, '');
  if (patch.$patch === 'replace') {
    throw new Error('`$patch: replace` on a whole object is not supported: kustomize ignores it (the object is left unchanged); '
      + 'put `$patch: replace` on the fields to replace instead');
  }
  // The patch is copied, so the result shares nothing with it.
  const result = walk(target, clone(patch), schemaOf(target), '');
  if (result === undefined || result === null || (isMap(result) && Object.keys(result).length === 0)) return undefined;
  return result;
}

/** Refuses the directives kustomize does not implement (see `UNSUPPORTED_DIRECTIVES`). */
function checkDirectives(node: any, path: string): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => checkDirectives(item, `${path}[${i}]`));
  } else if (isMap(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (UNSUPPORTED_DIRECTIVES.some(d => key === d || (d.endsWith('/') && key.startsWith(d)))) {
        throw new Error(`'${key}' at '${path || '.'}' is not supported: kustomize does not implement this strategic merge `
          + 'directive and copies it into the output');
      }
      checkDirectives(value, path ? `${path}.${key}` : key);
    }
  }
}

type NodeKind = 'map' | 'list' | 'scalar';

function kindOf(value: any): NodeKind | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'map' : 'scalar';
}

/**
 * kyaml's `walk.Walker.Walk` with the `merge2.Merger` visitor: merges `origin`
 * (the patch, undefined when the patch has no such field) into `dest` (the
 * original, undefined when it has no such field). Maps are merged in place
 * into `dest`, which matters for merged lists (see `mergeList`). Returns the
 * new value, or undefined when the field is to be removed. When `dest` is
 * missing, kustomize walks the patch's value against itself, which removes
 * its nulls and applies its directives; `walk(x, x)` does the same here.
 */
function walk(dest: any, origin: any, schema: MergeSchema | undefined, path: string): any {
  const kind = kindOf(dest) ?? kindOf(origin);
  if (kind === undefined) {
    // both missing or null: a null only the original has stays, as in kustomize
    return origin === undefined ? dest : undefined;
  }
  for (const value of [dest, origin]) {
    const k = kindOf(value);
    if (k !== undefined && k !== kind) {
      throw new Error(`cannot merge ${kindOf(origin)} into ${kindOf(dest)} at '${path || '.'}'`);
    }
  }
  switch (kind) {
    case 'map':
      return mergeMap(dest, origin, schema, path);
    case 'list':
      if (schema?.mergeKeys === undefined) {
        // no patch strategy: the patch's list replaces the original's
        if (origin === undefined) return dest;
        checkNoPatchDirective(origin, path);
        return origin;
      }
      return mergeList(dest, origin, schema.mergeKeys, schema.items, path);
    default:
      return origin !== undefined ? origin : dest;
  }
}

/** `Merger.VisitMap` and `Walker.walkMap`. */
function mergeMap(dest: any, origin: any, schema: MergeSchema | undefined, path: string): any {
  if (dest === undefined || dest === null) {
    // the original has no such map: add the patch's
    if (takeMapDirective(origin, path) === 'delete') return undefined;
    dest = origin;
  } else if (origin === null) {
    return undefined;
  } else if (origin !== undefined) {
    const directive = takeMapDirective(origin, path);
    if (directive === 'delete') return undefined;
    if (directive === 'replace') dest = origin;
  }
  const keys = new Set([...Object.keys(dest), ...(isMap(origin) ? Object.keys(origin) : [])]);
  for (const key of keys) {
    const patchValue = isMap(origin) && has(origin, key) ? origin[key] : undefined;
    const value = walk(dest[key], patchValue, schema?.fields?.[key], path ? `${path}.${key}` : key);
    // kyaml's FieldSetter: an existing shared label value takes the patch's value at every place (shared-values.ts)
    if (value === undefined || (value === null && patchValue !== undefined)) deleteValue(dest, key);
    else if (value !== dest[key]) setValue(dest, key, value);
  }
  return dest;
}

/** Reads and removes `$patch` of a map patch (kyaml's `determineSmpDirective`). */
function takeMapDirective(patch: any, path: string): 'merge' | 'delete' | 'replace' {
  if (!isMap(patch) || !has(patch, '$patch')) return 'merge';
  const value = patch.$patch;
  if (value !== 'merge' && value !== 'delete' && value !== 'replace') {
    throw new Error(`unknown patch strategy '$patch: ${value}' at '${path || '.'}' (expected merge, replace or delete)`);
  }
  delete patch.$patch;
  return value;
}

/**
 * A list that is replaced as a whole is copied as it is by kustomize, `$patch`
 * directives included; refuse them rather than produce such a manifest.
 */
function checkNoPatchDirective(list: any[], path: string): void {
  const found = findPatchDirective(list);
  if (found) {
    throw new Error(`'$patch' in '${path}${found}' is not supported: '${path}' has no merge key in kustomize's schema `
      + 'for this kind, so kustomize replaces the list with the patch\'s and copies the directive into the output');
  }
}

function findPatchDirective(node: any): string | undefined {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const found = findPatchDirective(node[i]);
      if (found !== undefined) return `[${i}]${found}`;
    }
  } else if (isMap(node)) {
    if (has(node, '$patch')) return '';
    for (const [key, value] of Object.entries(node)) {
      const found = findPatchDirective(value);
      if (found !== undefined) return `.${key}${found}`;
    }
  }
  return undefined;
}

/**
 * `Merger.VisitList` and `Walker.walkAssociativeSequence` for a list with
 * merge keys `keys` (`[]`: a set of scalars, e.g. finalizers).
 *
 * A `$patch` element of the patch's list (an element with `$patch` as its only
 * key) applies to the list: `delete` removes it, `replace` replaces it by the
 * patch's other elements.
 */
function mergeList(dest: any, origin: any, keys: string[], items: MergeSchema | undefined, path: string): any {
  if (dest === undefined || dest === null) {
    // the original has no such list: kustomize adds the patch's without
    // reading its `$patch` elements, and then mangles them
    for (const element of origin) {
      if (isMap(element) && '$patch' in element && keys.every(k => !(k in element))) {
        throw new Error(`'$patch: ${element.$patch}' as an element of '${path}' is not supported when the object has no `
          + `'${path}': kustomize leaves the directive in the output; drop the directive`);
      }
    }
    dest = origin;
  } else if (origin === null) {
    return undefined;
  } else if (origin !== undefined) {
    const directive = takeListDirective(origin, path);
    if (directive === 'delete') return undefined;
    if (directive === 'replace') dest = origin;
  }
  if (origin !== undefined && keys.length > 0) {
    origin.forEach((element: any, i: number) => {
      if (isMap(element) && !('$patch' in element) && keys.every(k => !(k in element))) {
        throw new Error(`element ${i} of '${path}' has no merge key '${keys[0]}': kustomize cannot merge it `
          + '(it drops the element and empties the list)');
      }
    });
  }
  const sources = origin === undefined ? [dest] : [origin, dest];
  const values = elementValues(sources, keys);
  if (values.length > 0 || keys.length > 0) return setElements(values, keys, dest, origin, items, path);
  return setElements(primitiveValues(sources), [''], dest, origin, items, path);
}

/**
 * The directive of a list patch (kyaml's `determineSequenceNodePatchStrategy`):
 * the first element with a `$patch` key, if that is its only key; it is
 * removed from the list.
 */
function takeListDirective(list: any[], path: string): 'merge' | 'delete' | 'replace' {
  const element = list.find(e => isMap(e) && has(e, '$patch'));
  if (element === undefined || Object.keys(element).length > 1) return 'merge';
  const value = element.$patch;
  if (value !== 'merge' && value !== 'delete' && value !== 'replace') {
    throw new Error(`unknown patch strategy '$patch: ${value}' in '${path}' (expected merge, replace or delete)`);
  }
  elementSetter(list, ['$patch'], [value], undefined);
  return value;
}

/**
 * kyaml's `Walker.setAssociativeSequenceElements`: merges, for each merge-key
 * value, the original's element with the patch's, and builds the new list.
 * The original's elements are merged in place and put back at the end by
 * `appendListNode`, which decides the order of the result.
 */
function setElements(valuesList: string[][], keys: string[], dest: any[], origin: any[] | undefined,
  items: MergeSchema | undefined, path: string): any[] {
  const result: any[] = [];
  if (keys.length > 1) mergeValues(valuesList);
  let validKeys: string[] = keys;
  const withValues = keysWithValues(valuesList, keys);
  for (const values of valuesList) {
    if (values.length === 0) continue;
    let validValues: string[];
    [validKeys, validValues] = validateKeys(withValues, values, keys);
    const [matchKeys, matchValues] = validateKeys(keysWithValues([validValues], validKeys), validValues, validKeys);
    const original = elementList(dest, matchKeys, matchValues);
    const patch = origin === undefined ? undefined : elementList(origin, matchKeys, matchValues);
    const where = `${path}[${matchKeys.map((k, i) => (k ? `${k}=` : '') + matchValues[i]).join(',')}]`;
    if (original !== undefined && patch !== undefined && original !== patch && isMap(patch) && patch.$patch === 'replace') {
      throw new Error(`'$patch: replace' on element '${where}' is not supported: kustomize ignores it and leaves the `
        + 'element unchanged; delete the element with `$patch: delete` in one patch and add it in another');
    }
    const value = walk(original, patch, items, where);
    let removed = false;
    validKeys.forEach((key, i) => {
      if (value === undefined || value === null || (isMap(value) && Object.keys(value).length === 0)) {
        elementSetter(dest, validKeys, validValues, undefined);
        removed = true;
      } else if (key !== '' && isMap(value) && value[key] === undefined && validValues[i] !== '') {
        value[key] = scalarFromString(validValues[i]);
      }
    });
    if (!removed) elementSetter(result, validKeys, validValues, value);
  }
  return valuesList.length > 0 ? appendListNode(result, dest, validKeys) : dest;
}
