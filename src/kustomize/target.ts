/**
 * Which objects a patch applies to (internal engine, public `PatchTarget`):
 * kustomize's patch `target` selector, and the lookup of the one object a
 * strategic-merge patch without a target names.
 *
 * Ported from sigs.k8s.io/kustomize `api/types/selector.go`,
 * `api/resmap/reswrangler.go` (`Select`, `GetMatchingResourcesByAnyId`) and
 * `api/resid/resid.go` (`Equals`).
 *
 * Reference: https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 */
import { parseLabelSelector } from './label-selector';
import { effectiveNamespace, idOf, KustomizeResource, originalId, ResourceId, splitApiVersion } from './resource';

/**
 * Selects the objects a patch applies to: kustomize's patch `target`
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/).
 * Every field is optional; an object must match all the fields given.
 * `group`, `version`, `kind`, `name` and `namespaceName` are anchored regular
 * expressions, as in kustomize. In `kustomization.yaml` the fields keep their
 * names, but for `namespaceName`, written as kustomize's `namespace`.
 */
export interface PatchTarget {
  /** API group, e.g. `apps` (`` for the core group). @default - any group */
  readonly group?: string;
  /** API version, e.g. `v1`. @default - any version */
  readonly version?: string;
  /** Kind, e.g. `Deployment`. @default - any kind */
  readonly kind?: string;
  /** `metadata.name` (original or current, as kustomize matches it). @default - any name */
  readonly name?: string;
  /** `metadata.namespace` (kustomize target field `namespace`). @default - any namespace */
  readonly namespaceName?: string;
  /** Label selector in Kubernetes syntax, e.g. `app.kubernetes.io/component=agent,tier in (a,b)`. @default - no label condition */
  readonly labelSelector?: string;
  /** Annotation selector in the same syntax. @default - no annotation condition */
  readonly annotationSelector?: string;
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
export function selectTargets(resources: KustomizeResource[], target: PatchTarget): KustomizeResource[] {
  const group = anchored(target.group, 'group');
  const version = anchored(target.version, 'version');
  const kind = anchored(target.kind, 'kind');
  const name = anchored(target.name, 'name');
  const namespace = anchored(target.namespaceName, 'namespaceName');
  const labels = target.labelSelector ? parseLabelSelector(target.labelSelector, 'labelSelector') : undefined;
  const annotations = target.annotationSelector ? parseLabelSelector(target.annotationSelector, 'annotationSelector') : undefined;
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

/** The fields of a target in kustomize's order (`types.Selector`: group, version, kind, name, namespace, then the selectors). */
const TARGET_FIELDS = ['group', 'version', 'kind', 'name', 'namespaceName', 'labelSelector', 'annotationSelector'] as const;

/** `target group=apps, kind=Deployment` for messages. */
export function describeTarget(target: PatchTarget): string {
  const fields = TARGET_FIELDS.filter(f => target[f]).map(f => `${f}=${target[f]}`);
  return `target ${fields.join(', ') || '(everything)'}`;
}

/**
 * A target as kustomize's `patches[].target` spells it: the fields given, in
 * kustomize's order whatever order they came in (jsii hands a Java or Go
 * struct over in its own field order), `namespaceName` as `namespace`.
 */
export function kustomizeTarget(target: PatchTarget): { [field: string]: string } {
  return Object.fromEntries(TARGET_FIELDS.filter(field => target[field] !== undefined)
    .map(field => [field === 'namespaceName' ? 'namespace' : field, target[field] as string]));
}

/**
 * The resources whose current id, or any previous id, is `id`
 * (`GetMatchingResourcesByAnyId` with `ResId.Equals`): same group, version,
 * kind, name and effective namespace. A previous id is compared with the
 * object's current group and version, as kustomize rebuilds it.
 */
export function selectById(resources: KustomizeResource[], id: ResourceId): KustomizeResource[] {
  return resources.filter(res => [...res.previousIds.map(p => withGvk(p, res)), idOf(res.object)].some(other => sameId(other, id)));
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
