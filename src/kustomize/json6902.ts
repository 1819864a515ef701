/**
 * JSON 6902 patches of kustomize's `patches` (internal): RFC 6902 operations
 * checked the way kustomize's library (evanphx/json-patch v5, used by
 * sigs.k8s.io/kustomize `api/filters/patchjson6902`) checks them, and applied
 * with cdk8s's `JsonPatch` (fast-json-patch).
 *
 * Reference: https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 */
import { JsonPatch } from 'cdk8s';
import { clone, has, isMap } from './json-value';
import { canonicalJson } from '../core/canonical-json';

/**
 * Applies JSON 6902 operations with cdk8s's `JsonPatch`, checking each one
 * first the way kustomize's library (evanphx/json-patch v5) does: `remove`,
 * `move`/`copy` (from) and array indexes must exist, `add`/`replace` need the
 * parent to exist (`replace` of a missing map key adds it, as in kustomize),
 * `test` compares with deep equality. Negative array indexes are refused.
 * `metadata.annotations` exists for the operations even where the object has
 * none, and is dropped afterwards when empty (see below); operations that read
 * the whole map (`test`, or `copy`/`move` from `/metadata` or
 * `/metadata/annotations`) are refused.
 */
export function applyJson6902(document: any, ops: any[]): any {
  let doc = clone(document);
  // kustomize's PatchTransformer (api/internal/builtins/PatchTransformer.go,
  // transformJson6902) calls `res.StorePreviousId()` before the patch: the
  // object always carries internal `internal.config.kubernetes.io/previous*`
  // annotations while the operations run, which are dropped from the output,
  // and with them a `metadata.annotations` left empty (checked with kubectl
  // kustomize v5.5.0). So `add /metadata/annotations/x` works on an object
  // without annotations, while `add /metadata/labels/x` does not.
  const addedAnnotations = isMap(doc.metadata) && !has(doc.metadata, 'annotations');
  if (addedAnnotations) doc.metadata.annotations = {};
  ops.forEach((op, i) => {
    const what = isMap(op) ? `operation ${i} (${op.op} ${op.path})` : `operation ${i}`;
    try {
      const patch = toJsonPatch(doc, op);
      if (patch) doc = JsonPatch.apply(doc, patch);
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`);
    }
  });
  dropEmptyAnnotations(doc);
  return doc;
}

/**
 * Removes `metadata.annotations` when it is an empty map, as kustomize's
 * output never has one: every object carries internal build annotations
 * during `kustomize build`, and removing them at the end (kyaml
 * `ClearAnnotation`) clears a map left empty. Checked with kubectl kustomize
 * v5.5.0, for base objects and strategic-merge patches alike.
 */
export function dropEmptyAnnotations(object: any): void {
  const metadata = isMap(object) ? object.metadata : undefined;
  if (isMap(metadata) && isMap(metadata.annotations) && Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
}

/**
 * Pointers whose value holds the whole `metadata.annotations`: kustomize reads
 * its internal annotations there (a `copy` from it copies them into the
 * output, a `test` of it fails), so operations reading them are refused.
 */
const WHOLE_ANNOTATIONS = new Set(['/metadata', '/metadata/annotations']);

function checkNotWholeAnnotations(pointer: string, role: string): void {
  if (WHOLE_ANNOTATIONS.has(pointer)) {
    throw new Error(`${role} '${pointer}' is not supported: while a JSON 6902 patch runs, kustomize keeps internal `
      + 'annotations in metadata.annotations, which this operation would read; name single annotations instead '
      + "('/metadata/annotations/<key>', '/' written as '~1')");
  }
}

/** Validates one operation against `doc` and builds it (undefined for a `test` that passes without one). */
function toJsonPatch(doc: any, op: any): JsonPatch | undefined {
  if (!isMap(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
    throw new Error('each JSON 6902 operation needs an `op` and a `path`');
  }
  const needsValue = op.op === 'add' || op.op === 'replace' || op.op === 'test';
  if (needsValue && !has(op, 'value')) throw new Error('missing `value`');
  const needsFrom = op.op === 'move' || op.op === 'copy';
  if (needsFrom && typeof op.from !== 'string') throw new Error('missing `from`');
  switch (op.op) {
    case 'add':
      resolve(doc, op.path, 'add');
      return JsonPatch.add(op.path, clone(op.value));
    case 'remove':
      resolve(doc, op.path, 'existing');
      return JsonPatch.remove(op.path);
    case 'replace':
      resolve(doc, op.path, 'replace');
      return JsonPatch.replace(op.path, clone(op.value));
    case 'move':
      checkNotWholeAnnotations(op.from, 'from');
      resolve(doc, op.from, 'existing');
      resolve(doc, op.path, 'add');
      if (op.path.startsWith(op.from + '/')) throw new Error(`cannot move '${op.from}' into its own child '${op.path}'`);
      return JsonPatch.move(op.from, op.path);
    case 'copy':
      checkNotWholeAnnotations(op.from, 'from');
      resolve(doc, op.from, 'existing');
      resolve(doc, op.path, 'add');
      return JsonPatch.copy(op.from, op.path);
    case 'test': {
      checkNotWholeAnnotations(op.path, 'path');
      const target = resolve(doc, op.path, 'any');
      const actual = target.exists ? target.value : undefined;
      // evanphx/json-patch: a missing value tests equal to null
      if (actual === undefined && op.value === null) return undefined;
      if (canonicalJson(actual) !== canonicalJson(op.value)) {
        throw new Error(`test failed: '${op.path}' is ${actual === undefined ? 'missing' : JSON.stringify(actual)}, `
          + `not ${JSON.stringify(op.value)}`);
      }
      return JsonPatch.test(op.path, clone(op.value));
    }
    default:
      throw new Error(`unknown op '${op.op}' (expected add, remove, replace, move, copy or test)`);
  }
}

/**
 * Resolves a JSON pointer in `doc`. `mode` says what must exist: `existing`
 * the value itself; `add` its parent (and an array index up to the length or
 * `-`); `replace` its parent (an array index must exist); `any` nothing.
 */
function resolve(doc: any, pointer: string, mode: 'existing' | 'add' | 'replace' | 'any'): { exists: boolean; value?: any } {
  if (pointer === '') throw new Error('patching the whole document (path \'\') is not supported');
  if (!pointer.startsWith('/')) throw new Error(`'${pointer}' is not a JSON pointer (it must start with '/')`);
  const tokens = pointer.slice(1).split('/').map(t => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node = doc;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const last = i === tokens.length - 1;
    if (Array.isArray(node)) {
      if (token === '-' && last && mode === 'add') return { exists: false };
      if (!/^\d+$/.test(token)) {
        if (mode === 'any') return { exists: false };
        throw new Error(`'${token}' in '${pointer}' is not an array index`);
      }
      const index = Number(token);
      if (last) {
        if (mode === 'add' && index <= node.length) return { exists: index < node.length, value: node[index] };
        if (index < node.length) return { exists: true, value: node[index] };
        if (mode === 'any') return { exists: false };
        throw new Error(`index ${index} in '${pointer}' is out of range (the array has ${node.length} elements)`);
      }
      if (index >= node.length) {
        if (mode === 'any') return { exists: false };
        throw new Error(`'${pointer}' does not exist`);
      }
      node = node[index];
    } else if (isMap(node)) {
      const present = has(node, token);
      if (last) {
        if (present) return { exists: true, value: node[token] };
        if (mode === 'existing') throw new Error(`'${pointer}' does not exist`);
        return { exists: false };
      }
      if (!present) {
        if (mode === 'any') return { exists: false };
        throw new Error(`'${pointer}' does not exist (no '${tokens.slice(0, i + 1).join('/')}')`);
      }
      node = node[token];
    } else {
      if (mode === 'any') return { exists: false };
      throw new Error(`'${pointer}' does not exist`);
    }
  }
  return { exists: true, value: node };
}

