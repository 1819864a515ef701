/**
 * kustomize's YAML value nodes that sit at several places of one object
 * (internal). kustomize's `SetEntry` builds a single node per object and key
 * and inserts that same node wherever the key was missing; a later
 * transformer that overwrites the key at an existing place copies the new
 * value *into* the node, so every place sharing it changes too (also across
 * overlay levels, as kustomize keeps the nodes). E.g. a base
 * `commonLabels: {team: a}` followed by an overlay `labels: [{pairs: {team: b}}]`
 * (metadata only) changes the Deployment's selector and pod template too —
 * verified with kubectl. The labels and annotations transformers (labels.ts)
 * make and follow these nodes.
 *
 * A strategic-merge patch here has always merged into a copy of the object,
 * so a patched object shares no node any more; the patch transformer, which
 * now merges in place, calls `forgetSharedValues` to keep that. (kustomize
 * itself keeps the nodes through a strategic-merge patch: see the notes in
 * docs/design.md.)
 */

/** One shared node: its value and the places (map and key) that hold it. */
export interface SharedValue {
  value: string;
  readonly places: Array<{ readonly holder: Record<string, any>; readonly key: string }>;
}

/** map → key → the shared node its value is. Weak, so maps that are dropped lose it. */
const byMap = new WeakMap<object, Map<string, SharedValue>>();

/** object (a whole manifest) → its maps that hold shared nodes. */
const mapsByObject = new WeakMap<object, Set<object>>();

/** The shared nodes the values of `map` are, by key. */
export function sharedValuesOf(map: object): Map<string, SharedValue> | undefined {
  return byMap.get(map);
}

/** Records that `map[key]`, a map of manifest `object`, is the shared node `shared`. */
export function shareValue(object: object, map: object, key: string, shared: SharedValue): void {
  const byKey = byMap.get(map);
  if (byKey) byKey.set(key, shared);
  else byMap.set(map, new Map([[key, shared]]));
  const maps = mapsByObject.get(object);
  if (maps) maps.add(map);
  else mapsByObject.set(object, new Set([map]));
}

/** From now on, no value of manifest `object` is a shared node. */
export function forgetSharedValues(object: object): void {
  for (const map of mapsByObject.get(object) ?? []) byMap.delete(map);
  mapsByObject.delete(object);
}
