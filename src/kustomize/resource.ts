/**
 * The object model every kustomize transformer of this library works on
 * (internal). Mirrors kustomize's `resource.Resource`: the manifest itself plus
 * the ids it had before it was renamed, which the name-reference transformer
 * needs to find who referred to it.
 *
 * Source: sigs.k8s.io/kustomize/api/resource and api/resid.
 */
import { clone } from './json-value';

/** Group, version, kind and name/namespace of an object: kustomize's `resid.ResId`. */
export interface ResourceId {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly name: string;
  /** Empty for cluster-scoped objects and for namespaced objects without `metadata.namespace`. */
  readonly namespace: string;
}

/** One object flowing through an overlay. Transformers mutate `object` in place. */
export interface KustomizeResource {
  /** The manifest as plain JSON. */
  object: any;
  /**
   * Every id the object had before its current one, oldest first (the base or
   * generator id is `previousIds[0]` once the object has been renamed). Use
   * `renameResource` to change a name or namespace so this stays right.
   */
  previousIds: ResourceId[];
  /**
   * Set on objects made by a ConfigMap/Secret generator whose name gets
   * kustomize's content-hash suffix at the end of the overlay.
   */
  needsHashSuffix?: boolean;
  /** The output file the object belongs to (the base chart file, or the generator's). */
  file?: string;
}

/** `apps/v1` → group `apps`, version `v1`; `v1` → group `` (core), version `v1`. */
export function splitApiVersion(apiVersion: string | undefined): { group: string; version: string } {
  const value = apiVersion ?? '';
  const slash = value.indexOf('/');
  return slash < 0 ? { group: '', version: value } : { group: value.slice(0, slash), version: value.slice(slash + 1) };
}

/** The current id of an object. */
export function idOf(object: any): ResourceId {
  const { group, version } = splitApiVersion(object.apiVersion);
  return {
    group,
    version,
    kind: object.kind ?? '',
    name: object.metadata?.name ?? '',
    namespace: object.metadata?.namespace ?? '',
  };
}

/** `Kind/namespace/name` for messages. */
export function describeId(id: ResourceId): string {
  return `${id.kind}${id.group ? '.' + id.group : ''} '${id.namespace ? id.namespace + '/' : ''}${id.name}'`;
}

/** Wraps base manifests (plain JSON, deep-copied so the caller's objects stay untouched). */
export function toResources(objects: any[], file?: string): KustomizeResource[] {
  return objects.map(object => ({ object: clone(object), previousIds: [], file }));
}

/**
 * Wraps objects the caller hands over (e.g. freshly parsed, see
 * `toResources` for a copy): the transformations change them in place.
 */
export function ownResources(objects: any[], file?: string): KustomizeResource[] {
  return objects.map(object => ({ object, previousIds: [], file }));
}

/**
 * Changes the name and/or namespace of an object and records the id it had,
 * the way kustomize's `Resource.StorePreviousId()` does before a rename.
 */
export function renameResource(res: KustomizeResource, change: { name?: string; namespace?: string }): void {
  const before = idOf(res.object);
  const name = change.name ?? before.name;
  const namespace = change.namespace ?? before.namespace;
  if (name === before.name && namespace === before.namespace) return;
  res.previousIds.push(before);
  res.object.metadata = res.object.metadata ?? {};
  res.object.metadata.name = name;
  if (namespace) res.object.metadata.namespace = namespace;
  else delete res.object.metadata.namespace;
}

/** The id the object had when it entered the overlay (base or generator). */
export function originalId(res: KustomizeResource): ResourceId {
  return res.previousIds[0] ?? idOf(res.object);
}

/**
 * Kinds of the Kubernetes API that are cluster-scoped. kustomize reads this
 * from its built-in OpenAPI document; kinds it does not know (custom
 * resources) are treated as namespaced, and so are they here.
 */
const CLUSTER_SCOPED = new Set([
  'APIService', 'CSIDriver', 'CSINode', 'CertificateSigningRequest', 'ClusterRole', 'ClusterRoleBinding',
  'ComponentStatus', 'CustomResourceDefinition', 'FlowSchema', 'IngressClass', 'MutatingWebhookConfiguration',
  'Namespace', 'Node', 'PersistentVolume', 'PodSecurityPolicy', 'PriorityClass', 'PriorityLevelConfiguration',
  'RuntimeClass', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'StorageClass', 'SubjectAccessReview',
  'TokenReview', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration',
  'VolumeAttachment',
]);

/** True for the built-in cluster-scoped kinds (see `CLUSTER_SCOPED`). */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** kustomize's "namespace" of a cluster-scoped object (`resid.TotallyNotANamespace`). */
const NOT_A_NAMESPACE = '_non_namespaceable_';

/**
 * `ResId.EffectiveNamespace()`: `default` for namespaced objects without one,
 * a value no namespace can have for cluster-scoped objects.
 */
export function effectiveNamespace(id: ResourceId): string {
  if (isClusterScoped(id.kind)) return NOT_A_NAMESPACE;
  return id.namespace || 'default';
}

/** A kustomize `resid.Gvk` used as a selector: empty fields match anything. */
export interface GvkSelector {
  readonly group?: string;
  readonly version?: string;
  readonly kind?: string;
}

/** `resid.Gvk.IsSelected`: every non-empty field of the selector must be equal. */
export function isSelected(id: { group: string; version: string; kind: string }, selector: GvkSelector): boolean {
  if (selector.group && selector.group !== id.group) return false;
  if (selector.version && selector.version !== id.version) return false;
  if (selector.kind && selector.kind !== id.kind) return false;
  return true;
}

/** The prefixes and suffixes an object's name was given, in order. */
export interface NameAffixes {
  readonly prefixes: string[];
  readonly suffixes: string[];
}

/**
 * The prefixes and suffixes each resource was given, as kustomize's
 * `Resource.AddNamePrefix/AddNameSuffix` record them; the name-reference
 * transformer uses them to choose between several candidates
 * (`PrefixesSuffixesEquals`). Kept beside the shared model, keyed by resource.
 */
const affixes = new WeakMap<KustomizeResource, NameAffixes>();

/** The (mutable) record of the prefixes and suffixes of `res`. */
export function nameAffixesOf(res: KustomizeResource): NameAffixes {
  let found = affixes.get(res);
  if (!found) {
    found = { prefixes: [], suffixes: [] };
    affixes.set(res, found);
  }
  return found;
}

/**
 * Visits the fields a kustomize field spec path names, e.g.
 * `spec/template/spec/containers/image` or `spec/template/spec/containers[]/image`.
 * Lists on the way are walked element by element (with or without the `[]`
 * marker, as kustomize does; a `[]` segment is never created). `fn` gets the
 * map holding the last field and its key; when `create` is true, missing maps
 * on the way and the last field are created (the last as `{}`), as kustomize's
 * `create: true` field specs do.
 */
export function visitFieldPath(
  node: any,
  path: string,
  create: boolean,
  fn: (holder: any, key: string) => void,
): void {
  walk(node, path.split('/'), 0, create, fn);
}

function walk(node: any, segments: string[], i: number, create: boolean, fn: (holder: any, key: string) => void): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (const item of node) walk(item, segments, i, create, fn);
    return;
  }
  if (typeof node !== 'object') return;
  // `name[]` marks a list: walked when present, never created (kustomize creates maps only).
  const isList = segments[i].endsWith('[]');
  const key = isList ? segments[i].slice(0, -2) : segments[i];
  if (isList && !Array.isArray(node[key])) return;
  if (i === segments.length - 1) {
    if (node[key] === undefined || node[key] === null) {
      if (!create) return;
      node[key] = {};
    }
    fn(node, key);
    return;
  }
  if (node[key] === undefined || node[key] === null) {
    if (!create) return;
    node[key] = {};
  }
  walk(node[key], segments, i + 1, create, fn);
}
