/**
 * kustomize's `patches` field (internal): the PatchTransformer, which applies
 * each patch, strategic merge (strategic-merge.ts) or JSON 6902
 * (json6902.ts), to the objects its target selects (target.ts), giving what
 * `kustomize build` (kustomize v5.5.0, as in kubectl 1.32) gives.
 *
 * Ported from sigs.k8s.io/kustomize `api/internal/builtins/PatchTransformer.go`
 * (which objects a patch applies to) and `api/resource/resource.go`
 * `ApplySmPatch` (name/kind/namespace after a patch).
 *
 * Reference: https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 */
import { has, isMap } from './json-value';
import { applyJson6902 } from './json6902';
import { describeId, idOf, KustomizeResource, ResourceId } from './resource';
import { strategicMergeInto } from './strategic-merge';
import { describeTarget, PatchTarget, selectById, selectTargets } from './target';

/**
 * One entry of kustomize's `patches` field. `patch` is either a
 * strategic-merge patch (a partial object) or a JSON 6902 patch (an array of
 * {op, path, value?, from?} operations).
 *
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 */
export interface PatchSpec {
  readonly patch: any;
  readonly target?: PatchTarget;
  readonly options?: { readonly allowNameChange?: boolean; readonly allowKindChange?: boolean };
}

/**
 * Applies kustomize `patches` in order, the way PatchTransformer does. Returns
 * the new resource list (objects a patch deletes are removed; others keep
 * their KustomizeResource record, with `object` replaced or mutated).
 *
 * - A strategic-merge patch (an object, with `kind` and `metadata.name`)
 *   without `target` applies to the one object whose original or current id
 *   has the patch's apiVersion, kind, name and namespace (no namespace stands
 *   for `default`); it is an error when there is none. With a `target` it
 *   applies to every selected object; a target that selects nothing is not an
 *   error, as in kustomize.
 * - A JSON 6902 patch (an array of operations) needs a `target`.
 * - A strategic-merge patch never changes the object's apiVersion or
 *   namespace; it changes its name only with `options.allowNameChange` and its
 *   kind only with `options.allowKindChange` (otherwise the patch's name and
 *   kind are ignored, as kustomize does). A JSON 6902 patch may change
 *   anything. Renames are recorded in `previousIds`.
 *
 * Errors start with `where` and name the patch, e.g.
 * `Overlay 'prod': patches[1] (Deployment 'web') matches no object`.
 *
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 */
export function applyPatches(resources: KustomizeResource[], patches: PatchSpec[], where: string): KustomizeResource[] {
  let result = [...resources];
  patches.forEach((spec, index) => {
    const label = `${where}: patches[${index}]`;
    if (Array.isArray(spec.patch)) {
      result = applyJsonPatch(result, spec, label);
    } else if (isMap(spec.patch)) {
      result = applyStrategicMerge(result, spec, label);
    } else {
      throw new Error(`${label}: 'patch' must be an object (strategic merge) or an array of operations (JSON 6902)`);
    }
  });
  return result;
}

function applyJsonPatch(resources: KustomizeResource[], spec: PatchSpec, label: string): KustomizeResource[] {
  if (!spec.target) {
    throw new Error(`${label}: a JSON 6902 patch needs a 'target' (it names no object)`);
  }
  const what = `${label} (${describeTarget(spec.target)})`;
  const selected = select(resources, spec.target, what);
  for (const res of selected) {
    const before = idOf(res.object);
    try {
      res.object = applyJson6902(res.object, spec.patch);
    } catch (e) {
      throw new Error(`${what} on ${describeId(before)}: ${(e as Error).message}`);
    }
    recordRename(res, before);
  }
  checkUniqueIds(resources, what);
  return resources;
}

/** kustomize refuses two objects with one id after a kustomization (resmap `Append`: "may not add resource with an already registered id"). */
function checkUniqueIds(resources: KustomizeResource[], what: string): void {
  const seen = new Set<string>();
  for (const res of resources) {
    const key = JSON.stringify(idOf(res.object));
    if (seen.has(key)) throw new Error(`${what} gives two objects the same id ${describeId(idOf(res.object))}`);
    seen.add(key);
  }
}

function applyStrategicMerge(resources: KustomizeResource[], spec: PatchSpec, label: string): KustomizeResource[] {
  const patch = spec.patch;
  if (!patch.kind || !patch.metadata?.name) {
    throw new Error(`${label}: a strategic merge patch needs 'kind' and 'metadata.name' (kustomize cannot parse it otherwise)`);
  }
  const patchId = idOf(patch);
  if (!spec.target) {
    const what = `${label} (${describeId(patchId)})`;
    const matches = selectById(resources, patchId);
    if (matches.length === 0) {
      const sameName = resources.map(r => r.object).find(o => o.kind === patch.kind && o.metadata?.name === patch.metadata.name);
      const hint = sameName && sameName.apiVersion !== patch.apiVersion
        ? ` (the patch has apiVersion '${patch.apiVersion ?? ''}', the ${patch.kind} '${patch.metadata.name}' has '${sameName.apiVersion}')` : '';
      throw new Error(`${what} matches no object${hint}`);
    }
    if (matches.length > 1) throw new Error(`${what} matches ${matches.length} objects: ${matches.map(m => describeId(idOf(m.object))).join(', ')}`);
    return mergeInto(resources, matches, patch, spec, what);
  }
  const what = `${label} (${describeTarget(spec.target)})`;
  const selected = select(resources, spec.target, what);
  const result = mergeInto(resources, selected, withStringMapMetadata(patch, what), spec, what);
  checkUniqueIds(result, what);
  return result;
}

/**
 * The patch of a strategic merge with a target as kustomize applies it to
 * each selected object: `resWrangler.ApplySmPatch` (api/resmap/reswrangler.go)
 * merges a copy made by `CopyMergeMetaDataFieldsFrom` (api/resource/resource.go),
 * which round-trips the patch's `metadata.labels` and `metadata.annotations`
 * through string maps: an empty map is left out (it creates nothing), numbers
 * and booleans become strings, `labels: null` is dropped (the object keeps its
 * labels) and a `null` value becomes the string "null" (checked with kubectl
 * kustomize v5.5.0). The last two are refused here rather than reproduced: a
 * patch that says `null` means to delete.
 */
function withStringMapMetadata(patch: any, what: string): any {
  if (!isMap(patch.metadata)) return patch;
  const metadata = { ...patch.metadata };
  for (const field of ['labels', 'annotations']) {
    if (!has(metadata, field)) continue;
    const map = metadata[field];
    if (!isMap(map)) {
      throw new Error(`${what}: metadata.${field} ${map === null ? 'null' : `of type ${typeof map}`} is not supported in a patch with a target: kustomize `
        + `ignores it and keeps the object's ${field}; name the object in the patch (no target), or remove single keys `
        + 'with a JSON 6902 \'remove\'');
    }
    const entries = Object.entries(map);
    for (const [key, value] of entries) {
      if (value === null || typeof value === 'object') {
        // The value is not repeated: an annotation may hold anything.
        const shown = value === null ? 'null' : Array.isArray(value) ? 'a list' : 'a map';
        throw new Error(`${what}: metadata.${field}['${key}'] is ${shown}, which is not supported in a patch with a target: `
          + 'kustomize writes it as a string ("null" for null); name the object in the patch (no target) to delete a key, '
          + 'or use a JSON 6902 \'remove\'');
      }
    }
    if (entries.length === 0) delete metadata[field];
    else metadata[field] = Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
  }
  return { ...patch, metadata };
}

/** Merges `patch` into each of `targets` (kustomize's `Resource.ApplySmPatch`). */
function mergeInto(resources: KustomizeResource[], targets: KustomizeResource[], patch: any, spec: PatchSpec,
  what: string): KustomizeResource[] {
  const deleted = new Set<KustomizeResource>();
  for (const res of targets) {
    const before = idOf(res.object);
    const { apiVersion, kind } = res.object;
    const name = res.object.metadata?.name;
    const namespace = res.object.metadata?.namespace;
    // Merged in place: the object is this overlay's own copy, and a failure
    // fails the whole overlay. Shared label value nodes stay shared, as in
    // kustomize (see shared-values.ts).
    let merged: any;
    try {
      merged = strategicMergeInto(res.object, { ...patch, apiVersion });
    } catch (e) {
      throw new Error(`${what} on ${describeId(before)}: ${(e as Error).message}`);
    }
    if (merged === undefined) {
      deleted.add(res);
      continue;
    }
    merged.apiVersion = apiVersion;
    if (!spec.options?.allowKindChange) merged.kind = kind;
    merged.metadata = merged.metadata ?? {};
    if (!spec.options?.allowNameChange) merged.metadata.name = name;
    if (namespace === undefined) delete merged.metadata.namespace;
    else merged.metadata.namespace = namespace;
    res.object = merged;
    recordRename(res, before);
  }
  return resources.filter(res => !deleted.has(res));
}

function select(resources: KustomizeResource[], target: PatchTarget, what: string): KustomizeResource[] {
  try {
    return selectTargets(resources, target);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

/** Stores the id an object had before a patch renamed it (kustomize's `StorePreviousId`). */
function recordRename(res: KustomizeResource, before: ResourceId): void {
  const after = idOf(res.object);
  if (after.kind !== before.kind || after.name !== before.name || after.namespace !== before.namespace) {
    res.previousIds.push(before);
  }
}
