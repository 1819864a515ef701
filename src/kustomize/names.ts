/**
 * kustomize's name transformations (internal): `namespace:`, `namePrefix:` /
 * `nameSuffix:` and the name-reference transformer that repairs every field
 * referring to an object whose name or namespace changed.
 *
 * Behaviour follows kustomize v5.5.0 (the one in kubectl 1.32) and was checked
 * against `kubectl kustomize` (see test/kustomize-names.test.ts). Sources:
 * - https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/namespace/
 * - https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/nameprefix/
 * - https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/namesuffix/
 * - sigs.k8s.io/kustomize/api/konfig/builtinpluginconsts/{namespace,namereference}.go
 * - sigs.k8s.io/kustomize/api/filters/namespace/namespace.go
 * - sigs.k8s.io/kustomize/api/filters/nameref/nameref.go
 * - sigs.k8s.io/kustomize/api/internal/builtins/{Namespace,Prefix,Suffix}Transformer.go
 * - sigs.k8s.io/kustomize/api/resmap/reswrangler.go (SubsetThatCouldBeReferencedByResource)
 */
import {
  KustomizeResource, ResourceId, describeId, idOf, isClusterScoped, originalId, renameResource, visitFieldPath,
} from './resource';

/** A kustomize `resid.Gvk` used as a selector: empty fields match anything. */
interface GvkSelector {
  readonly group?: string;
  readonly version?: string;
  readonly kind?: string;
}

/** A kustomize `types.FieldSpec`: a path in the objects its gvk selects. */
interface FieldSpec extends GvkSelector {
  readonly path: string;
}

/** One `nameReference:` entry: objects of `target` may be referred to by name from `fieldSpecs`. */
interface NameBackReferences {
  readonly target: GvkSelector;
  readonly fieldSpecs: readonly FieldSpec[];
}

/** `[path, kind, group?, version?]`, the shape of the builtin YAML entries, kept compact. */
type Spec = readonly [string, string, string?, string?];

function specs(rows: readonly Spec[]): FieldSpec[] {
  return rows.map(([path, kind, group, version]) => ({ path, kind, group, version }));
}

/**
 * kustomize's builtin `nameReference` configuration, transcribed entry by entry
 * from api/konfig/builtinpluginconsts/namereference.go as shipped in kustomize
 * v5.5.0. That release does NOT have the two knative `Service` ConfigMap
 * referrers (`configMapKeyRef`, `envFrom/configMapRef`) found on kustomize's
 * master branch: `kubectl kustomize` (v5.5.0) leaves them untouched, so they
 * are left out here too. The `IngressClass` entry keeps kustomize's own typo
 * (`group: networking.k8s.io/v1`), which means it never matches anything, and
 * `kubectl kustomize` indeed never rewrites `spec.ingressClassName`.
 */
const NAME_REFERENCES: readonly NameBackReferences[] = [
  { target: { kind: 'Deployment' }, fieldSpecs: specs([['spec/scaleTargetRef/name', 'HorizontalPodAutoscaler']]) },
  { target: { kind: 'ReplicationController' }, fieldSpecs: specs([['spec/scaleTargetRef/name', 'HorizontalPodAutoscaler']]) },
  { target: { kind: 'ReplicaSet' }, fieldSpecs: specs([['spec/scaleTargetRef/name', 'HorizontalPodAutoscaler']]) },
  { target: { kind: 'StatefulSet' }, fieldSpecs: specs([['spec/scaleTargetRef/name', 'HorizontalPodAutoscaler']]) },
  {
    target: { kind: 'ConfigMap', version: 'v1' },
    fieldSpecs: specs([
      ['spec/volumes/configMap/name', 'Pod', undefined, 'v1'],
      ['spec/containers/env/valueFrom/configMapKeyRef/name', 'Pod', undefined, 'v1'],
      ['spec/initContainers/env/valueFrom/configMapKeyRef/name', 'Pod', undefined, 'v1'],
      ['spec/containers/envFrom/configMapRef/name', 'Pod', undefined, 'v1'],
      ['spec/initContainers/envFrom/configMapRef/name', 'Pod', undefined, 'v1'],
      ['spec/volumes/projected/sources/configMap/name', 'Pod', undefined, 'v1'],
      ['spec/template/spec/volumes/configMap/name', 'Deployment'],
      ['spec/template/spec/containers/env/valueFrom/configMapKeyRef/name', 'Deployment'],
      ['spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name', 'Deployment'],
      ['spec/template/spec/containers/envFrom/configMapRef/name', 'Deployment'],
      ['spec/template/spec/initContainers/envFrom/configMapRef/name', 'Deployment'],
      ['spec/template/spec/volumes/projected/sources/configMap/name', 'Deployment'],
      ['spec/template/spec/volumes/configMap/name', 'ReplicaSet'],
      ['spec/template/spec/containers/env/valueFrom/configMapKeyRef/name', 'ReplicaSet'],
      ['spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name', 'ReplicaSet'],
      ['spec/template/spec/containers/envFrom/configMapRef/name', 'ReplicaSet'],
      ['spec/template/spec/initContainers/envFrom/configMapRef/name', 'ReplicaSet'],
      ['spec/template/spec/volumes/projected/sources/configMap/name', 'ReplicaSet'],
      ['spec/template/spec/volumes/configMap/name', 'DaemonSet'],
      ['spec/template/spec/containers/env/valueFrom/configMapKeyRef/name', 'DaemonSet'],
      ['spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name', 'DaemonSet'],
      ['spec/template/spec/containers/envFrom/configMapRef/name', 'DaemonSet'],
      ['spec/template/spec/initContainers/envFrom/configMapRef/name', 'DaemonSet'],
      ['spec/template/spec/volumes/projected/sources/configMap/name', 'DaemonSet'],
      ['spec/template/spec/volumes/configMap/name', 'StatefulSet'],
      ['spec/template/spec/containers/env/valueFrom/configMapKeyRef/name', 'StatefulSet'],
      ['spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name', 'StatefulSet'],
      ['spec/template/spec/containers/envFrom/configMapRef/name', 'StatefulSet'],
      ['spec/template/spec/initContainers/envFrom/configMapRef/name', 'StatefulSet'],
      ['spec/template/spec/volumes/projected/sources/configMap/name', 'StatefulSet'],
      ['spec/template/spec/volumes/configMap/name', 'Job'],
      ['spec/template/spec/containers/env/valueFrom/configMapKeyRef/name', 'Job'],
      ['spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name', 'Job'],
      ['spec/template/spec/containers/envFrom/configMapRef/name', 'Job'],
      ['spec/template/spec/initContainers/envFrom/configMapRef/name', 'Job'],
      ['spec/template/spec/volumes/projected/sources/configMap/name', 'Job'],
      ['spec/jobTemplate/spec/template/spec/volumes/configMap/name', 'CronJob'],
      ['spec/jobTemplate/spec/template/spec/volumes/projected/sources/configMap/name', 'CronJob'],
      ['spec/jobTemplate/spec/template/spec/containers/env/valueFrom/configMapKeyRef/name', 'CronJob'],
      ['spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name', 'CronJob'],
      ['spec/jobTemplate/spec/template/spec/containers/envFrom/configMapRef/name', 'CronJob'],
      ['spec/jobTemplate/spec/template/spec/initContainers/envFrom/configMapRef/name', 'CronJob'],
      ['spec/configSource/configMap', 'Node'],
      ['rules/resourceNames', 'Role'],
      ['rules/resourceNames', 'ClusterRole'],
      ['metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap', 'Ingress'],
    ]),
  },
  {
    target: { kind: 'Secret', version: 'v1' },
    fieldSpecs: specs([
      ['spec/volumes/secret/secretName', 'Pod', undefined, 'v1'],
      ['spec/containers/env/valueFrom/secretKeyRef/name', 'Pod', undefined, 'v1'],
      ['spec/initContainers/env/valueFrom/secretKeyRef/name', 'Pod', undefined, 'v1'],
      ['spec/containers/envFrom/secretRef/name', 'Pod', undefined, 'v1'],
      ['spec/initContainers/envFrom/secretRef/name', 'Pod', undefined, 'v1'],
      ['spec/imagePullSecrets/name', 'Pod', undefined, 'v1'],
      ['spec/volumes/projected/sources/secret/name', 'Pod', undefined, 'v1'],
      ['spec/template/spec/volumes/secret/secretName', 'Deployment'],
      ['spec/template/spec/containers/env/valueFrom/secretKeyRef/name', 'Deployment'],
      ['spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name', 'Deployment'],
      ['spec/template/spec/containers/envFrom/secretRef/name', 'Deployment'],
      ['spec/template/spec/initContainers/envFrom/secretRef/name', 'Deployment'],
      ['spec/template/spec/imagePullSecrets/name', 'Deployment'],
      ['spec/template/spec/volumes/projected/sources/secret/name', 'Deployment'],
      ['spec/template/spec/volumes/secret/secretName', 'ReplicaSet'],
      ['spec/template/spec/containers/env/valueFrom/secretKeyRef/name', 'ReplicaSet'],
      ['spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name', 'ReplicaSet'],
      ['spec/template/spec/containers/envFrom/secretRef/name', 'ReplicaSet'],
      ['spec/template/spec/initContainers/envFrom/secretRef/name', 'ReplicaSet'],
      ['spec/template/spec/imagePullSecrets/name', 'ReplicaSet'],
      ['spec/template/spec/volumes/projected/sources/secret/name', 'ReplicaSet'],
      ['spec/template/spec/volumes/secret/secretName', 'DaemonSet'],
      ['spec/template/spec/containers/env/valueFrom/secretKeyRef/name', 'DaemonSet'],
      ['spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name', 'DaemonSet'],
      ['spec/template/spec/containers/envFrom/secretRef/name', 'DaemonSet'],
      ['spec/template/spec/initContainers/envFrom/secretRef/name', 'DaemonSet'],
      ['spec/template/spec/imagePullSecrets/name', 'DaemonSet'],
      ['spec/template/spec/volumes/projected/sources/secret/name', 'DaemonSet'],
      ['spec/template/spec/volumes/secret/secretName', 'StatefulSet'],
      ['spec/template/spec/containers/env/valueFrom/secretKeyRef/name', 'StatefulSet'],
      ['spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name', 'StatefulSet'],
      ['spec/template/spec/containers/envFrom/secretRef/name', 'StatefulSet'],
      ['spec/template/spec/initContainers/envFrom/secretRef/name', 'StatefulSet'],
      ['spec/template/spec/imagePullSecrets/name', 'StatefulSet'],
      ['spec/template/spec/volumes/projected/sources/secret/name', 'StatefulSet'],
      ['spec/template/spec/volumes/secret/secretName', 'Job'],
      ['spec/template/spec/containers/env/valueFrom/secretKeyRef/name', 'Job'],
      ['spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name', 'Job'],
      ['spec/template/spec/containers/envFrom/secretRef/name', 'Job'],
      ['spec/template/spec/initContainers/envFrom/secretRef/name', 'Job'],
      ['spec/template/spec/imagePullSecrets/name', 'Job'],
      ['spec/template/spec/volumes/projected/sources/secret/name', 'Job'],
      ['spec/jobTemplate/spec/template/spec/volumes/secret/secretName', 'CronJob'],
      ['spec/jobTemplate/spec/template/spec/volumes/projected/sources/secret/name', 'CronJob'],
      ['spec/jobTemplate/spec/template/spec/containers/env/valueFrom/secretKeyRef/name', 'CronJob'],
      ['spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name', 'CronJob'],
      ['spec/jobTemplate/spec/template/spec/containers/envFrom/secretRef/name', 'CronJob'],
      ['spec/jobTemplate/spec/template/spec/initContainers/envFrom/secretRef/name', 'CronJob'],
      ['spec/jobTemplate/spec/template/spec/imagePullSecrets/name', 'CronJob'],
      ['spec/tls/secretName', 'Ingress'],
      ['metadata/annotations/ingress.kubernetes.io\\/auth-secret', 'Ingress'],
      ['metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret', 'Ingress'],
      ['metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret', 'Ingress'],
      ['spec/tls/secretName', 'Ingress'],
      ['imagePullSecrets/name', 'ServiceAccount'],
      ['parameters/secretName', 'StorageClass'],
      ['parameters/adminSecretName', 'StorageClass'],
      ['parameters/userSecretName', 'StorageClass'],
      ['parameters/secretRef', 'StorageClass'],
      ['rules/resourceNames', 'Role'],
      ['rules/resourceNames', 'ClusterRole'],
      ['spec/template/spec/containers/env/valueFrom/secretKeyRef/name', 'Service', 'serving.knative.dev', 'v1'],
      ['spec/azureFile/secretName', 'PersistentVolume'],
    ]),
  },
  {
    target: { kind: 'Service', version: 'v1' },
    fieldSpecs: specs([
      ['spec/serviceName', 'StatefulSet', 'apps'],
      ['spec/rules/http/paths/backend/serviceName', 'Ingress'],
      ['spec/backend/serviceName', 'Ingress'],
      ['spec/rules/http/paths/backend/service/name', 'Ingress'],
      ['spec/defaultBackend/service/name', 'Ingress'],
      ['spec/service/name', 'APIService', 'apiregistration.k8s.io'],
      ['webhooks/clientConfig/service', 'ValidatingWebhookConfiguration', 'admissionregistration.k8s.io'],
      ['webhooks/clientConfig/service', 'MutatingWebhookConfiguration', 'admissionregistration.k8s.io'],
    ]),
  },
  {
    target: { kind: 'Role', group: 'rbac.authorization.k8s.io' },
    fieldSpecs: specs([['roleRef/name', 'RoleBinding', 'rbac.authorization.k8s.io']]),
  },
  {
    target: { kind: 'ClusterRole', group: 'rbac.authorization.k8s.io' },
    fieldSpecs: specs([
      ['roleRef/name', 'RoleBinding', 'rbac.authorization.k8s.io'],
      ['roleRef/name', 'ClusterRoleBinding', 'rbac.authorization.k8s.io'],
    ]),
  },
  {
    target: { kind: 'ServiceAccount', version: 'v1' },
    fieldSpecs: specs([
      ['subjects', 'RoleBinding', 'rbac.authorization.k8s.io'],
      ['subjects', 'ClusterRoleBinding', 'rbac.authorization.k8s.io'],
      ['spec/serviceAccountName', 'Pod'],
      ['spec/template/spec/serviceAccountName', 'StatefulSet'],
      ['spec/template/spec/serviceAccountName', 'Deployment'],
      ['spec/template/spec/serviceAccountName', 'ReplicationController'],
      ['spec/jobTemplate/spec/template/spec/serviceAccountName', 'CronJob'],
      ['spec/template/spec/serviceAccountName', 'Job'],
      ['spec/template/spec/serviceAccountName', 'DaemonSet'],
    ]),
  },
  {
    target: { kind: 'PersistentVolumeClaim', version: 'v1' },
    fieldSpecs: specs([
      ['spec/volumes/persistentVolumeClaim/claimName', 'Pod'],
      ['spec/template/spec/volumes/persistentVolumeClaim/claimName', 'StatefulSet'],
      ['spec/template/spec/volumes/persistentVolumeClaim/claimName', 'Deployment'],
      ['spec/template/spec/volumes/persistentVolumeClaim/claimName', 'ReplicationController'],
      ['spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName', 'CronJob'],
      ['spec/template/spec/volumes/persistentVolumeClaim/claimName', 'Job'],
      ['spec/template/spec/volumes/persistentVolumeClaim/claimName', 'DaemonSet'],
    ]),
  },
  {
    target: { kind: 'PersistentVolume', version: 'v1' },
    fieldSpecs: specs([
      ['spec/volumeName', 'PersistentVolumeClaim'],
      ['rules/resourceNames', 'ClusterRole'],
    ]),
  },
  {
    target: { kind: 'StorageClass', version: 'v1', group: 'storage.k8s.io' },
    fieldSpecs: specs([
      ['spec/storageClassName', 'PersistentVolume'],
      ['spec/storageClassName', 'PersistentVolumeClaim'],
      ['spec/volumeClaimTemplates/spec/storageClassName', 'StatefulSet'],
    ]),
  },
  {
    target: { kind: 'PriorityClass', version: 'v1', group: 'scheduling.k8s.io' },
    fieldSpecs: specs([
      ['spec/priorityClassName', 'Pod'],
      ['spec/template/spec/priorityClassName', 'StatefulSet'],
      ['spec/template/spec/priorityClassName', 'Deployment'],
      ['spec/template/spec/priorityClassName', 'ReplicationController'],
      ['spec/jobTemplate/spec/template/spec/priorityClassName', 'CronJob'],
      ['spec/template/spec/priorityClassName', 'Job'],
      ['spec/template/spec/priorityClassName', 'DaemonSet'],
    ]),
  },
  {
    // Sic: kustomize's own config has the version in the group, so this never matches.
    target: { kind: 'IngressClass', version: 'v1', group: 'networking.k8s.io/v1' },
    fieldSpecs: specs([['spec/ingressClassName', 'Ingress']]),
  },
];

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
 * The prefixes and suffixes each resource was given, as kustomize's
 * `Resource.AddNamePrefix/AddNameSuffix` record them; the name-reference
 * transformer uses them to choose between several candidates
 * (`PrefixesSuffixesEquals`). Kept beside the shared model, keyed by resource.
 */
const affixes = new WeakMap<KustomizeResource, { prefixes: string[]; suffixes: string[] }>();

function affixesOf(res: KustomizeResource): { prefixes: string[]; suffixes: string[] } {
  let found = affixes.get(res);
  if (!found) {
    found = { prefixes: [], suffixes: [] };
    affixes.set(res, found);
  }
  return found;
}

/** `resid.Gvk.IsSelected`: every non-empty field of the selector must be equal. */
function isSelected(id: { group: string; version: string; kind: string }, selector: GvkSelector): boolean {
  if (selector.group && selector.group !== id.group) return false;
  if (selector.version && selector.version !== id.version) return false;
  if (selector.kind && selector.kind !== id.kind) return false;
  return true;
}

/** `resid.ResId.EffectiveNamespace`: '' means `default`; cluster-scoped objects have none. */
const NOT_A_NAMESPACE = '~X';
function effectiveNamespace(id: ResourceId): string {
  if (isClusterScoped(id.kind)) return NOT_A_NAMESPACE;
  return id.namespace === '' ? 'default' : id.namespace;
}

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
      affixesOf(res).prefixes.push(prefix);
      renameResource(res, { name: prefix + idOf(res.object).name });
    }
  }
  if (suffix) {
    for (const res of resources) {
      if (skipped(res)) continue;
      affixesOf(res).suffixes.push(suffix);
      renameResource(res, { name: idOf(res.object).name + suffix });
    }
  }
}

/**
 * kustomize's name-reference transformer with its builtin configuration
 * (`NAME_REFERENCES` above, from namereference.go). For every object (the
 * referrer) and every field spec selecting its original kind, the name found
 * in that field is looked up among the objects that were renamed (they have
 * previous ids), and replaced with the current name of the one it designates:
 *
 * - candidates are the objects the referrer could refer to: cluster-scoped
 *   ones, ones in the referrer's namespace (`''` counts as `default`), and, for
 *   a RoleBinding, ones in the namespace of a ServiceAccount subject;
 * - a candidate must have had the referenced name and the target kind before
 *   (any previous id), match `roleRef.apiGroup/kind` for `roleRef/name`, and be
 *   in the referrer's current namespace unless it is cluster-scoped or a
 *   ServiceAccount;
 * - map-valued fields (RoleBinding/ClusterRoleBinding `subjects`, webhook
 *   `clientConfig.service`) are matched on `name` and, when present, on
 *   `namespace` (original namespace first, current one otherwise), and get both
 *   the new name and the new namespace (the namespace only when the target has
 *   one). kustomize does not look at a subject's `kind`: a `User` named like a
 *   renamed ServiceAccount is rewritten too, and so it is here.
 *
 * Several different candidates left after kustomize's prefix/suffix
 * tie-break is an error, as in kustomize. Runs once, at the end of an overlay,
 * after `addHashSuffixes`.
 */
export function fixNameReferences(resources: KustomizeResource[]): void {
  for (const referrer of resources) {
    const orgId = originalId(referrer);
    let candidates: KustomizeResource[] | undefined;
    for (const backRef of NAME_REFERENCES) {
      for (const fieldSpec of backRef.fieldSpecs) {
        if (!isSelected(orgId, fieldSpec)) continue;
        candidates = candidates ?? subsetThatCouldBeReferencedBy(resources, referrer);
        const context = new ReferenceFix(referrer, fieldSpec, backRef.target, candidates);
        visitSpecPath(referrer.object, fieldSpec.path, (holder, key) => context.set(holder, key));
      }
    }
  }
}

/** `resWrangler.SubsetThatCouldBeReferencedByResource`. */
function subsetThatCouldBeReferencedBy(resources: KustomizeResource[], referrer: KustomizeResource): KustomizeResource[] {
  const referrerId = idOf(referrer.object);
  if (isClusterScoped(referrerId.kind)) return resources;
  const roleBindingNamespaces = new Set<string>();
  if (referrerId.kind === 'RoleBinding' && Array.isArray(referrer.object.subjects)) {
    for (const subject of referrer.object.subjects) {
      if (subject && subject.kind === 'ServiceAccount' && typeof subject.namespace === 'string') {
        roleBindingNamespaces.add(subject.namespace);
      }
    }
  }
  return resources.filter(target => {
    const id = idOf(target.object);
    if (isClusterScoped(id.kind)) return true;
    if (effectiveNamespace(id) === effectiveNamespace(referrerId)) return true;
    return roleBindingNamespaces.has(id.namespace);
  });
}

/** Splits a field spec path on unescaped `/` (`nginx.ingress.kubernetes.io\/auth-secret` is one key). */
function visitSpecPath(node: any, path: string, fn: (holder: any, key: string) => void): void {
  if (!path.includes('\\/')) {
    visitFieldPath(node, path, false, fn);
    return;
  }
  const segments = path.split(/(?<!\\)\//).map(s => s.replace(/\\\//g, '/'));
  const walk = (current: any, i: number): void => {
    if (current === null || typeof current !== 'object') return;
    if (Array.isArray(current)) {
      current.forEach(item => walk(item, i));
      return;
    }
    const key = segments[i];
    if (current[key] === undefined || current[key] === null) return;
    if (i === segments.length - 1) fn(current, key);
    else walk(current[key], i + 1);
  };
  walk(node, 0);
}

/** One `nameref.Filter`: a referrer, one of its field specs, the target kind and the candidates. */
class ReferenceFix {
  constructor(
    private readonly referrer: KustomizeResource,
    private readonly fieldSpec: FieldSpec,
    private readonly target: GvkSelector,
    private readonly candidates: KustomizeResource[],
  ) {}

  /** `Filter.set`: the field holds a name, a {name, namespace} map, or a list of either. */
  set(holder: any, key: string): void {
    const value = holder[key];
    if (typeof value === 'string') {
      holder[key] = this.newScalar(value);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (typeof item === 'string') value[i] = this.newScalar(item);
        else if (item !== null && typeof item === 'object') this.setMapping(item);
      });
    } else if (value !== null && typeof value === 'object') {
      this.setMapping(value);
    }
  }

  private newScalar(oldName: string): string {
    const referral = this.selectReferral(oldName, this.candidates, sameNames);
    return referral ? idOf(referral.object).name : oldName;
  }

  private setMapping(node: any): void {
    if (typeof node.name !== 'string') {
      throw new Error(`updating name reference in '${this.fieldSpec.path}' field of ${describeId(idOf(this.referrer.object))}: `
        + 'path config error; no \'name\' field in node');
    }
    const oldName = node.name;
    const referral = this.selectReferral(oldName, this.candidatesByNamespace(node), sameNamesAndNamespaces);
    if (!referral) return;
    const { name, namespace } = idOf(referral.object);
    if (name === oldName && namespace === '') return;
    node.name = name;
    // An empty namespace is a wildcard here, never written over e.g. `default`.
    if (namespace !== '') node.namespace = namespace;
  }

  /** `filterMapCandidatesByNamespace`: by original namespace first, then by current namespace. */
  private candidatesByNamespace(node: any): KustomizeResource[] {
    if (node.namespace === undefined || node.namespace === null) return this.candidates;
    const namespace = String(node.namespace);
    const byOriginal = this.candidates.filter(c => effectiveNamespace(originalId(c)) === namespace);
    if (byOriginal.length > 0) return byOriginal;
    return this.candidates.filter(c => effectiveNamespace(idOf(c.object)) === namespace);
  }

  /** `Filter.selectReferral`. */
  private selectReferral(
    oldName: string,
    all: KustomizeResource[],
    identical: (list: KustomizeResource[]) => boolean,
  ): KustomizeResource | undefined {
    let candidates = all.filter(c => c.previousIds.some(id => id.name === oldName));
    candidates = candidates.filter(c => c.previousIds.some(id => isSelected(id, this.target)));
    const roleRef = this.roleRefSelector();
    if (roleRef) candidates = candidates.filter(c => c.previousIds.some(id => isSelected(id, roleRef)));
    candidates = candidates.filter(c => this.sameCurrentNamespaceAsReferrer(c));
    if (candidates.length === 1) return candidates[0];
    const mine = affixesOf(this.referrer);
    candidates = candidates.filter(c => {
      const theirs = affixesOf(c);
      return sameList(mine.prefixes, theirs.prefixes) && sameList(mine.suffixes, theirs.suffixes);
    });
    if (candidates.length === 1) return candidates[0];
    if (candidates.length === 0) return undefined;
    if (identical(candidates)) return candidates[0];
    throw new Error(`updating name reference in '${this.fieldSpec.path}' field of ${describeId(idOf(this.referrer.object))}: `
      + `found multiple possible referrals for '${oldName}': ${candidates.map(c => describeId(idOf(c.object))).join(', ')}`);
  }

  /** `roleRefFilter`: for `roleRef/name`, the roleRef's apiGroup and kind select the target. */
  private roleRefSelector(): GvkSelector | undefined {
    if (!this.fieldSpec.path.endsWith('roleRef/name')) return undefined;
    const roleRef = this.referrer.object.roleRef;
    if (!roleRef || typeof roleRef !== 'object') return undefined;
    if (roleRef.apiGroup === undefined || roleRef.apiGroup === null) return undefined;
    if (roleRef.kind === undefined || roleRef.kind === null) return undefined;
    return { group: String(roleRef.apiGroup), kind: String(roleRef.kind) };
  }

  /** `sameCurrentNamespaceAsReferrer`. */
  private sameCurrentNamespaceAsReferrer(candidate: KustomizeResource): boolean {
    const referrerId = idOf(this.referrer.object);
    if (isClusterScoped(referrerId.kind)) return true;
    const id = idOf(candidate.object);
    if (isClusterScoped(id.kind)) return true;
    // A RoleBinding may name a ServiceAccount of another namespace.
    if (id.kind === 'ServiceAccount') return true;
    return effectiveNamespace(id) === effectiveNamespace(referrerId);
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameNames(list: KustomizeResource[]): boolean {
  const first = idOf(list[0].object).name;
  return list.every(r => idOf(r.object).name === first);
}

function sameNamesAndNamespaces(list: KustomizeResource[]): boolean {
  const first = idOf(list[0].object);
  return list.every(r => idOf(r.object).name === first.name && idOf(r.object).namespace === first.namespace);
}
