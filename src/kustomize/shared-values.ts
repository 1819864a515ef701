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
 * A strategic-merge patch keeps the nodes too: kyaml's merge2 sets a field
 * that exists with `FieldSetter`, which copies the patch's value into the
 * existing node (`field.Value.SetYNode(...)`, kyaml/yaml/fns.go), so a patch
 * of one place of a shared label changes every place (e.g. a component's
 * `labels` with `includeTemplates`, then a patch of the Deployment's
 * `metadata.labels`: the pod template label follows, verified with kubectl
 * kustomize v5.5.0). The strategic merge uses `setValue`/`deleteValue`.
 */

/** One shared node: its value and the places (map and key) that hold it. */
export interface SharedValue {
  value: string | number | boolean;
  readonly places: Array<{ readonly holder: Record<string, any>; readonly key: string }>;
}

/** map → key → the shared node its value is. Weak, so maps that are dropped lose it. */
const byMap = new WeakMap<object, Map<string, SharedValue>>();

/** object (a whole manifest) → its maps that hold shared nodes. */
const mapsByObject = new WeakMap<object, Set<object>>();

/** Records that `map[key]`, a map of manifest `object`, is the shared node `shared`. */
export function shareValue(object: object, map: object, key: string, shared: SharedValue): void {
  const byKey = byMap.get(map);
  if (byKey) byKey.set(key, shared);
  else byMap.set(map, new Map([[key, shared]]));
  const maps = mapsByObject.get(object);
  if (maps) maps.add(map);
  else mapsByObject.set(object, new Set([map]));
}

/**
 * `map[key] = value` for a key `map` has, as kyaml's `FieldSetter` does it:
 * when the old value is a shared node and the new one a scalar, the new value
 * goes into the node, i.e. to every place that shares it. Returns false when
 * `map[key]` is no shared node (then it is just set).
 */
export function setValue(map: Record<string, any>, key: string, value: any): boolean {
  const byKey = byMap.get(map);
  const shared = byKey?.get(key);
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  if (shared && scalar && map[key] === shared.value) {
    for (const place of shared.places) {
      if (place.holder[place.key] === shared.value && byMap.get(place.holder)?.get(place.key) === shared) {
        place.holder[place.key] = value;
      }
    }
    shared.value = value;
    return true;
  }
  byKey?.delete(key);
  map[key] = value;
  return false;
}

/** `delete map[key]`: the other places of a shared node keep it. */
export function deleteValue(map: Record<string, any>, key: string): void {
  byMap.get(map)?.delete(key);
  delete map[key];
}
