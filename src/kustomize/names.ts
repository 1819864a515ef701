/**
 * kustomize's name transformations (internal): `namespace:` and
 * `namePrefix:` / `nameSuffix:`. The fields that refer to a renamed or moved
 * object are repaired afterwards, once, by the name-reference transformer
 * (name-references.ts).
 *
 * Behaviour follows kustomize v5.5.0 (the one in kubectl 1.32) and was checked
 * against `kubectl kustomize` (see test/kustomize/names.test.ts). Sources:
 * - https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/namespace/
 * - https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/nameprefix/
 * - https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/namesuffix/
 * - sigs.k8s.io/kustomize/api/konfig/builtinpluginconsts/namespace.go
 * - sigs.k8s.io/kustomize/api/filters/namespace/namespace.go
 * - sigs.k8s.io/kustomize/api/internal/builtins/{Namespace,Prefix,Suffix}Transformer.go
 */
import {
  describeId, effectiveNamespace, GvkSelector, idOf, isClusterScoped, isSelected, KustomizeResource, nameAffixesOf, originalId,
  renameResource, ResourceId, visitFieldPath,
} from './resource';

/**
 * Kinds the PrefixTransformer and SuffixTransformer never rename
 * (`prefixFieldSpecsToSkip` / `suffixFieldSpecsToSkip` in
 * api/internal/builtins/{Prefix,Suffix}Transformer.go).
 */
const PREFIX_SUFFIX_SKIP: readonly GvkSelector[] = [
  { kind: 'CustomResourceDefinition' },
  { group: 'apiregistration.k8s.io', kind: 'APIService' },
  { kind: 'Namespace' },
];

/**
 * kustomize `namespace:` (the NamespaceTransformer with its default options,
 * i.e. `unsetOnly: false` and `setRoleBindingSubjects: defaultOnly`), after
 * api/filters/namespace/namespace.go and the builtin field specs of
 * api/konfig/builtinpluginconsts/namespace.go:
 *
 * - `metadata.namespace` is set, overwriting any existing value, on every
 *   object whose kind is not a built-in cluster-scoped kind (custom resources
 *   count as namespaced, as kustomize has no schema for them);
 * - RoleBinding and ClusterRoleBinding: every subject whose `name` is exactly
 *   `default` gets `namespace` set (created or overwritten), whatever its kind
 *   (`Group`/`User` too); the other subjects are left alone here (the
 *   name-reference transformer later moves ServiceAccount subjects that refer
 *   to an object of the overlay);
 * - a `v1` Namespace object is *renamed* to the namespace (surprising but
 *   true: `metadata/name` of kind Namespace is a namespace field spec);
 * - APIService `spec.service.namespace` is set, and created when absent
 *   (kustomize does so even for a local APIService without a service);
 * - CustomResourceDefinition `spec.conversion.webhook.clientConfig.service.namespace`
 *   is overwritten when present.
 *
 * Like kustomize, the id of every object is recorded before the change (even
 * when nothing changes), so the name-reference transformer treats every object
 * as possibly moved. Two objects ending up with the same id is an error
 * ("namespace transformation produces ID conflict").
 */
export function applyNamespace(resources: KustomizeResource[], namespace: string): void {
  if (!namespace) return;
  for (const res of resources) {
    const object = res.object;
    if (object === null || typeof object !== 'object' || Object.keys(object).length === 0) continue;
    const before = idOf(object);
    const changed: { name?: string; namespace?: string } = {};
    if (!isClusterScoped(before.kind)) changed.namespace = namespace;
    if (before.kind === 'Namespace' && object.apiVersion === 'v1') changed.name = namespace;
    if ((changed.namespace ?? before.namespace) !== before.namespace || (changed.name ?? before.name) !== before.name) {
      renameResource(res, changed);
    } else {
      // kustomize's NamespaceTransformer calls StorePreviousId() on every
      // object, changed or not; the name-reference transformer only considers
      // objects with a previous id, so record it as well.
      res.previousIds.push(before);
    }

    if (before.kind === 'RoleBinding' || before.kind === 'ClusterRoleBinding') {
      // roleBindingHack, DefaultSubjectsOnly mode: only subjects named "default".
      const subjects = object.subjects;
      if (Array.isArray(subjects)) {
        for (const subject of subjects) {
          if (subject && typeof subject === 'object' && subject.name === 'default') subject.namespace = namespace;
        }
      }
    }
    const { group } = idOf(object);
    if (before.kind === 'APIService' && group === 'apiregistration.k8s.io') {
      setScalarField(object, 'spec/service/namespace', true, namespace);
    }
    if (before.kind === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io') {
      setScalarField(object, 'spec/conversion/webhook/clientConfig/service/namespace', false, namespace);
    }
  }
  const seen = new Map<string, ResourceId>();
  for (const res of resources) {
    const id = idOf(res.object);
    const key = `${id.group}/${id.version}/${id.kind}/${effectiveNamespace(id)}/${id.name}`;
    if (seen.has(key)) {
      throw new Error(`namespace '${namespace}': the namespace transformation produces an ID conflict: two objects are now ${describeId(id)}`);
    }
    seen.set(key, id);
  }
}

function setScalarField(object: any, path: string, create: boolean, value: string): void {
  visitFieldPath(object, path, create, (holder, key) => {
    const current = holder[key];
    // A created leaf arrives as {}; anything else that is not a scalar is left alone.
    if (current !== null && typeof current === 'object' && Object.keys(current).length > 0) return;
    holder[key] = value;
  });
}

/**
 * kustomize `namePrefix` / `nameSuffix` (PrefixTransformer, then
 * SuffixTransformer, default field spec `metadata/name`): every object gets
 * `<prefix><name><suffix>` except the kinds kustomize skips,
 * CustomResourceDefinition, APIService (`apiregistration.k8s.io`) and
 * Namespace. Cluster-scoped kinds such as ClusterRole, PriorityClass or
 * webhook configurations ARE renamed. Each step is recorded with
 * `renameResource` (so a prefixed and suffixed object has two previous ids,
 * as in kustomize). References are not touched here: `fixNameReferences` does
 * that once at the end.
 */
export function applyNamePrefixSuffix(resources: KustomizeResource[], prefix: string, suffix: string): void {
  const skipped = (res: KustomizeResource) => PREFIX_SUFFIX_SKIP.some(s => isSelected(originalId(res), s));
  if (prefix) {
    for (const res of resources) {
      if (skipped(res)) continue;
      nameAffixesOf(res).prefixes.push(prefix);
      renameResource(res, { name: prefix + idOf(res.object).name });
    }
  }
  if (suffix) {
    for (const res of resources) {
      if (skipped(res)) continue;
      nameAffixesOf(res).suffixes.push(suffix);
      renameResource(res, { name: idOf(res.object).name + suffix });
    }
  }
}
