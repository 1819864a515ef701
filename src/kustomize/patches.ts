/**
 * kustomize's `patches` field (internal): strategic-merge patches, JSON 6902
 * patches and patch target selection, giving what `kustomize build`
 * (kustomize v5.5.0, as in kubectl 1.32) gives.
 *
 * Reference: https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 *
 * Sources ported from sigs.k8s.io/kustomize:
 * - `api/internal/builtins/PatchTransformer.go` (which objects a patch applies to),
 * - `api/resource/resource.go` `ApplySmPatch` (name/kind/namespace after a patch),
 * - `api/resmap/reswrangler.go` `Select` / `GetById` and `api/types/selector.go` (targets),
 * - `kyaml/yaml/merge2` and `kyaml/yaml/walk` (the strategic merge itself),
 * - `api/filters/patchjson6902` (JSON 6902, applied here with cdk8s's `JsonPatch`).
 *
 * Where kustomize's output for a construct is not a valid manifest (it copies
 * a directive it does not implement into the output, or silently drops the
 * patch), this module throws an error that says so instead; see
 * `UNSUPPORTED_DIRECTIVES`, `mergeList` and `strategicMergePatch`.
 */
import { JsonPatch } from 'cdk8s';
import { describeId, idOf, isClusterScoped, KustomizeResource, originalId, ResourceId, splitApiVersion } from './resource';
import type { PatchTarget } from '../overlay/overlay';

/**
 * kustomize's patch target selector (`types.Selector`): the public
 * `PatchTarget` (name/namespace/kind/group/version are anchored regular
 * expressions; labelSelector/annotationSelector use Kubernetes label-selector
 * syntax: =, ==, !=, in, notin, exists, !key).
 *
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 */
export type PatchTargetSpec = PatchTarget;

/**
 * One entry of kustomize's `patches` field. `patch` is either a
 * strategic-merge patch (a partial object) or a JSON 6902 patch (an array of
 * {op, path, value?, from?} operations).
 *
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 */
export interface PatchSpec {
  readonly patch: any;
  readonly target?: PatchTargetSpec;
  readonly options?: { readonly allowNameChange?: boolean; readonly allowKindChange?: boolean };
}

// ---------------------------------------------------------------------------
// Merge keys
// ---------------------------------------------------------------------------

/**
 * What the strategic merge needs to know of a field, from the Kubernetes
 * OpenAPI document: the sub-fields of a map, and for a list with
 * `x-kubernetes-patch-strategy: merge` its merge keys.
 */
interface MergeSchema {
  /** Sub-fields of a map that have a schema of their own. */
  readonly fields?: Record<string, MergeSchema>;
  /**
   * Set on lists merged element by element (`x-kubernetes-patch-strategy: merge`):
   * `x-kubernetes-list-map-keys` when the field has them, else
   * `[x-kubernetes-patch-merge-key]`; `[]` for a set of scalars (e.g.
   * `finalizers`). Lists without it are replaced by the patch's list.
   */
  readonly mergeKeys?: string[];
  /** Schema of the elements of a merged list. */
  readonly items?: MergeSchema;
}

/** ObjectMeta: `finalizers` (merge, a set of strings), `ownerReferences` (merge key `uid`). */
const OBJECT_META: MergeSchema = {
  fields: {
    finalizers: { mergeKeys: [] },
    ownerReferences: { mergeKeys: ['uid'] },
  },
};

/**
 * Container (and EphemeralContainer): `env` by `name`, `ports` by
 * `containerPort` (list-map-keys `containerPort`,`protocol`), `volumeMounts`
 * by `mountPath`, `volumeDevices` by `devicePath`. `envFrom`, `args`,
 * `command` have no patch strategy and are replaced.
 */
const CONTAINER: MergeSchema = {
  fields: {
    env: { mergeKeys: ['name'] },
    ports: { mergeKeys: ['containerPort', 'protocol'] },
    volumeMounts: { mergeKeys: ['mountPath'] },
    volumeDevices: { mergeKeys: ['devicePath'] },
  },
};

/**
 * PodSpec: containers/initContainers/ephemeralContainers, volumes and
 * imagePullSecrets by `name`, hostAliases by `ip`, topologySpreadConstraints
 * by `topologyKey` (list-map-keys `topologyKey`,`whenUnsatisfiable`).
 * `tolerations`, `readinessGates` (and fields newer than Kubernetes 1.21 such
 * as `schedulingGates`, `resourceClaims`) are replaced.
 */
const POD_SPEC: MergeSchema = {
  fields: {
    containers: { mergeKeys: ['name'], items: CONTAINER },
    initContainers: { mergeKeys: ['name'], items: CONTAINER },
    ephemeralContainers: { mergeKeys: ['name'], items: CONTAINER },
    volumes: { mergeKeys: ['name'] },
    imagePullSecrets: { mergeKeys: ['name'] },
    hostAliases: { mergeKeys: ['ip'] },
    topologySpreadConstraints: { mergeKeys: ['topologyKey', 'whenUnsatisfiable'] },
  },
};

const POD_TEMPLATE: MergeSchema = { fields: { metadata: OBJECT_META, spec: POD_SPEC } };

/** A kind whose only merged lists are those of its ObjectMeta. */
const META_ONLY: MergeSchema = { fields: { metadata: OBJECT_META } };

function withMeta(fields: Record<string, MergeSchema>): MergeSchema {
  return { fields: { metadata: OBJECT_META, ...fields } };
}

const WORKLOAD = withMeta({ spec: { fields: { template: POD_TEMPLATE } } });

/**
 * The kinds whose schema kustomize knows, by `apiVersion` then kind. kustomize
 * v5.5.0 embeds the OpenAPI document of Kubernetes 1.21.2, so only the
 * versions served by 1.21 are known (e.g. `autoscaling/v2` is not). Objects
 * of any other apiVersion/kind (custom resources such as `AgentType`) have no
 * schema: every list in them, `metadata.finalizers` included, is replaced.
 */
const SCHEMAS: Record<string, Record<string, MergeSchema>> = {
  'v1': {
    Pod: withMeta({ spec: POD_SPEC }),
    PodTemplate: withMeta({ template: POD_TEMPLATE }),
    ReplicationController: WORKLOAD,
    Service: withMeta({ spec: { fields: { ports: { mergeKeys: ['port', 'protocol'] } } } }),
    ServiceAccount: withMeta({ secrets: { mergeKeys: ['name'] } }),
    ...metaOnly('Binding', 'ComponentStatus', 'ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'Namespace', 'Node',
      'PersistentVolume', 'PersistentVolumeClaim', 'ResourceQuota', 'Secret'),
  },
  'apps/v1': {
    Deployment: WORKLOAD,
    StatefulSet: WORKLOAD,
    DaemonSet: WORKLOAD,
    ReplicaSet: WORKLOAD,
    ...metaOnly('ControllerRevision'),
  },
  'batch/v1': {
    Job: WORKLOAD,
    CronJob: withMeta({ spec: { fields: { jobTemplate: withMeta({ spec: { fields: { template: POD_TEMPLATE } } }) } } }),
  },
  'batch/v1beta1': {
    CronJob: withMeta({ spec: { fields: { jobTemplate: withMeta({ spec: { fields: { template: POD_TEMPLATE } } }) } } }),
  },
  'rbac.authorization.k8s.io/v1': metaOnly('Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'),
  'networking.k8s.io/v1': metaOnly('Ingress', 'IngressClass', 'NetworkPolicy'),
  'policy/v1': metaOnly('PodDisruptionBudget'),
  'policy/v1beta1': metaOnly('PodDisruptionBudget', 'PodSecurityPolicy'),
  'autoscaling/v1': metaOnly('HorizontalPodAutoscaler'),
  'autoscaling/v2beta2': metaOnly('HorizontalPodAutoscaler'),
  'apiextensions.k8s.io/v1': metaOnly('CustomResourceDefinition'),
  'admissionregistration.k8s.io/v1': {
    MutatingWebhookConfiguration: withMeta({ webhooks: { mergeKeys: ['name'] } }),
    ValidatingWebhookConfiguration: withMeta({ webhooks: { mergeKeys: ['name'] } }),
  },
  'storage.k8s.io/v1': metaOnly('StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment'),
  'scheduling.k8s.io/v1': metaOnly('PriorityClass'),
  'coordination.k8s.io/v1': metaOnly('Lease'),
  'node.k8s.io/v1': metaOnly('RuntimeClass'),
  'discovery.k8s.io/v1': metaOnly('EndpointSlice'),
  'certificates.k8s.io/v1': metaOnly('CertificateSigningRequest'),
  'apiregistration.k8s.io/v1': metaOnly('APIService'),
  'events.k8s.io/v1': metaOnly('Event'),
};

function metaOnly(...kinds: string[]): Record<string, MergeSchema> {
  const result: Record<string, MergeSchema> = {};
  for (const kind of kinds) result[kind] = META_ONLY;
  return result;
}

/** The merge schema kustomize uses for an object, or undefined for kinds it has none for. */
function schemaOf(object: any): MergeSchema | undefined {
  return SCHEMAS[object?.apiVersion ?? '']?.[object?.kind ?? ''];
}

// ---------------------------------------------------------------------------
// Strategic merge
// ---------------------------------------------------------------------------

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
 *   `x-kubernetes-patch-strategy: merge`, see `SCHEMAS`) merge element by
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
  if (!isMap(original) || !isMap(patch)) {
    throw new Error('a strategic merge patch and the object it patches must both be objects');
  }
  checkDirectives(patch, '');
  if (patch.$patch === 'replace') {
    throw new Error('`$patch: replace` on a whole object is not supported: kustomize ignores it (the object is left unchanged); '
      + 'put `$patch: replace` on the fields to replace instead');
  }
  // Both inputs are copied once, so the result shares nothing with the caller's objects.
  const result = walk(clone(original), clone(patch), schemaOf(original), '');
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
    if (value === undefined || (value === null && patchValue !== undefined)) delete dest[key];
    else dest[key] = value;
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
 * The merge-key values of every element of the sources, patch first, each
 * once (kyaml's `Walker.elementValues` with `MergeOptionsListPrepend`, which
 * kustomize's patch filter uses).
 */
function elementValues(sources: any[][], keys: string[]): string[][] {
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
function primitiveValues(sources: any[][]): string[][] {
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
  for (const values of valuesList) {
    if (values.length === 0) continue;
    let validValues: string[];
    [validKeys, validValues] = validateKeys(valuesList, values, keys);
    const [matchKeys, matchValues] = validateKeys([validValues], validValues, validKeys);
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

/**
 * kyaml's `mergeValues`: with several merge keys, two value tuples that agree
 * where both are set (e.g. a port without protocol and the same port with
 * `TCP`) stand for the same element.
 */
function mergeValues(valuesList: string[][]): void {
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

/** kyaml's `validateKeys`: the keys that have a value in some tuple, with the tuple's values for them. */
function validateKeys(valuesList: string[][], values: string[], keys: string[]): [string[], string[]] {
  const valid = new Set<string>();
  for (const tuple of valuesList) tuple.forEach((v, i) => { if (v !== '') valid.add(keys[i]); });
  if (valid.size === 0) return [keys, values];
  return [keys.filter(k => valid.has(k)), values.filter((v, i) => v !== '' || valid.has(keys[i]))];
}

/** kyaml's `ElementMatcher`: the first element whose keys have exactly these values. */
function elementList(list: any[], keys: string[], values: string[]): any {
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
function elementSetter(list: any[], keys: string[], values: string[], element: any): void {
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
function appendListNode(result: any[], dest: any[], keys: string[]): any[] {
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
function scalarFromString(value: string): any {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

// ---------------------------------------------------------------------------
// JSON 6902
// ---------------------------------------------------------------------------

/**
 * Applies JSON 6902 operations with cdk8s's `JsonPatch`, checking each one
 * first the way kustomize's library (evanphx/json-patch v5) does: `remove`,
 * `move`/`copy` (from) and array indexes must exist, `add`/`replace` need the
 * parent to exist (`replace` of a missing map key adds it, as in kustomize),
 * `test` compares with deep equality. Negative array indexes are refused.
 */
function applyJson6902(document: any, ops: any[]): any {
  let doc = clone(document);
  ops.forEach((op, i) => {
    const what = isMap(op) ? `operation ${i} (${op.op} ${op.path})` : `operation ${i}`;
    try {
      const patch = toJsonPatch(doc, op);
      if (patch) doc = JsonPatch.apply(doc, patch);
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`);
    }
  });
  return doc;
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
      resolve(doc, op.from, 'existing');
      resolve(doc, op.path, 'add');
      if (op.path.startsWith(op.from + '/')) throw new Error(`cannot move '${op.from}' into its own child '${op.path}'`);
      return JsonPatch.move(op.from, op.path);
    case 'copy':
      resolve(doc, op.from, 'existing');
      resolve(doc, op.path, 'add');
      return JsonPatch.copy(op.from, op.path);
    case 'test': {
      const target = resolve(doc, op.path, 'any');
      const actual = target.exists ? target.value : undefined;
      // evanphx/json-patch: a missing value tests equal to null
      if (actual === undefined && op.value === null) return undefined;
      if (JSON.stringify(sortKeys(actual)) !== JSON.stringify(sortKeys(op.value))) {
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

function sortKeys(value: any): any {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isMap(value)) return Object.fromEntries(Object.keys(value).sort().map(k => [k, sortKeys(value[k])]));
  return value;
}

// ---------------------------------------------------------------------------
// Target selection
// ---------------------------------------------------------------------------

/** kustomize's "namespace" of a cluster-scoped object (`resid.TotallyNotANamespace`). */
const NOT_A_NAMESPACE = '_non_namespaceable_';

/** `ResId.EffectiveNamespace()`: `default` for namespaced objects without one. */
function effectiveNamespace(id: ResourceId): string {
  if (isClusterScoped(id.kind)) return NOT_A_NAMESPACE;
  return id.namespace || 'default';
}

/** kustomize's `anchorRegex`: an empty pattern matches everything. */
function anchored(pattern: string | undefined, field: string): RegExp | undefined {
  if (!pattern) return undefined;
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw new Error(`target ${field} '${pattern}' is not a valid regular expression: ${(e as Error).message}`);
  }
}

/**
 * The resources a target selects, with kustomize's `Select` semantics: kind,
 * group and version are anchored regular expressions matched on the current
 * apiVersion/kind; name and namespace on the original or the current id
 * (`default` is the namespace of namespaced objects that have none);
 * labelSelector/annotationSelector are Kubernetes label selectors.
 *
 * @see https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 */
export function selectTargets(resources: KustomizeResource[], target: PatchTargetSpec): KustomizeResource[] {
  const group = anchored(target.group, 'group');
  const version = anchored(target.version, 'version');
  const kind = anchored(target.kind, 'kind');
  const name = anchored(target.name, 'name');
  const namespace = anchored(target.namespace, 'namespace');
  const labels = target.labelSelector ? parseSelector(target.labelSelector, 'labelSelector') : undefined;
  const annotations = target.annotationSelector ? parseSelector(target.annotationSelector, 'annotationSelector') : undefined;
  return resources.filter(res => {
    const current = idOf(res.object);
    const original = originalId(res);
    if (namespace && !namespace.test(effectiveNamespace(original)) && !namespace.test(effectiveNamespace(current))) return false;
    if (name && !name.test(original.name) && !name.test(current.name)) return false;
    if (group && !group.test(current.group)) return false;
    if (version && !version.test(current.version)) return false;
    if (kind && !kind.test(current.kind)) return false;
    if (labels && !labels(res.object.metadata?.labels ?? {})) return false;
    if (annotations && !annotations(res.object.metadata?.annotations ?? {})) return false;
    return true;
  });
}

/**
 * Parses a Kubernetes label selector (`k8s.io/apimachinery/pkg/labels.Parse`):
 * comma-separated requirements `key`, `!key`, `key=v`, `key==v`, `key!=v`,
 * `key in (a,b)`, `key notin (a,b)`, `key>n`, `key<n`. `!=` and `notin` also
 * match objects without the key.
 */
function parseSelector(selector: string, field: string): (labels: Record<string, string>) => boolean {
  const tokens = selector.match(/==|!=|=|!|\(|\)|,|<|>|[^\s=!(),<>]+/g) ?? [];
  const fail = (why: string): never => {
    throw new Error(`${field} '${selector}' is not a valid label selector: ${why}`);
  };
  const isWord = (t: string | undefined) => t !== undefined && !['==', '!=', '=', '!', '(', ')', ',', '<', '>'].includes(t);
  const requirements: Array<(labels: Record<string, string>) => boolean> = [];
  let i = 0;
  while (i < tokens.length) {
    if (tokens[i] === '!') {
      const key = tokens[i + 1];
      if (!isWord(key)) fail('expected a key after \'!\'');
      requirements.push(labels => !has(labels, key!));
      i += 2;
    } else {
      const key = tokens[i];
      if (!isWord(key)) fail(`expected a key, found '${key}'`);
      const op = tokens[i + 1];
      i += 2;
      if (op === undefined || op === ',') {
        requirements.push(labels => has(labels, key));
        i--;
      } else if (op === '=' || op === '==' || op === '!=') {
        let value = '';
        if (isWord(tokens[i])) value = tokens[i++];
        requirements.push(op === '!='
          ? labels => !has(labels, key) || labels[key] !== value
          : labels => has(labels, key) && labels[key] === value);
      } else if (op === 'in' || op === 'notin') {
        if (tokens[i] !== '(') fail(`expected '(' after '${op}'`);
        i++;
        const values: string[] = [];
        while (tokens[i] !== ')') {
          if (i >= tokens.length) fail('missing \')\'');
          if (tokens[i] === ',') {
            i++;
            continue;
          }
          if (!isWord(tokens[i])) fail(`unexpected '${tokens[i]}' in a value list`);
          values.push(tokens[i++]);
        }
        i++;
        requirements.push(op === 'in'
          ? labels => has(labels, key) && values.includes(labels[key])
          : labels => !has(labels, key) || !values.includes(labels[key]));
      } else if (op === '<' || op === '>') {
        const bound = tokens[i++];
        if (!/^-?\d+$/.test(bound ?? '')) fail(`'${op}' needs an integer value`);
        requirements.push(labels => {
          if (!has(labels, key) || !/^-?\d+$/.test(labels[key])) return false;
          return op === '<' ? Number(labels[key]) < Number(bound) : Number(labels[key]) > Number(bound);
        });
      } else {
        fail(`unexpected '${op}' after '${key}'`);
      }
    }
    if (i < tokens.length) {
      if (tokens[i] !== ',') fail(`expected ',' before '${tokens[i]}'`);
      i++;
      if (i >= tokens.length) fail('trailing \',\'');
    }
  }
  return labels => requirements.every(r => r(labels));
}

// ---------------------------------------------------------------------------
// The patches field
// ---------------------------------------------------------------------------

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

function describeTarget(target: PatchTargetSpec): string {
  const fields = (['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'] as const)
    .filter(f => target[f]).map(f => `${f}=${target[f]}`);
  return `target ${fields.join(', ') || '(everything)'}`;
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
  return resources;
}

function applyStrategicMerge(resources: KustomizeResource[], spec: PatchSpec, label: string): KustomizeResource[] {
  const patch = spec.patch;
  if (!patch.kind || !patch.metadata?.name) {
    throw new Error(`${label}: a strategic merge patch needs 'kind' and 'metadata.name' (kustomize cannot parse it otherwise)`);
  }
  const patchId = idOf(patch);
  if (!spec.target) {
    const what = `${label} (${describeId(patchId)})`;
    const matches = resources.filter(res => [...res.previousIds.map(p => withGvk(p, res)), idOf(res.object)]
      .some(id => sameId(id, patchId)));
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
  const result = mergeInto(resources, selected, patch, spec, what);
  const seen = new Map<string, KustomizeResource>();
  for (const res of result) {
    const key = JSON.stringify(idOf(res.object));
    if (seen.has(key)) throw new Error(`${what} gives two objects the same id ${describeId(idOf(res.object))}`);
    seen.set(key, res);
  }
  return result;
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
    let merged: any;
    try {
      merged = strategicMergePatch(res.object, { ...patch, apiVersion });
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

function select(resources: KustomizeResource[], target: PatchTargetSpec, what: string): KustomizeResource[] {
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

/** A previous id as kustomize rebuilds it: its kind, name and namespace with the current group and version. */
function withGvk(id: ResourceId, res: KustomizeResource): ResourceId {
  const { group, version } = splitApiVersion(res.object.apiVersion);
  return { ...id, group, version };
}

/** kustomize's `ResId.Equals`: same group, version, kind, name and effective namespace. */
function sameId(a: ResourceId, b: ResourceId): boolean {
  return a.group === b.group && a.version === b.version && a.kind === b.kind && a.name === b.name
    && effectiveNamespace(a) === effectiveNamespace(b);
}

// ---------------------------------------------------------------------------

function has(map: Record<string, any>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(map, key);
}

function isMap(value: any): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}
