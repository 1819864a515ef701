/**
 * kustomize's builtin `nameReference` configuration (internal): which fields
 * of which kinds hold the name of an object of another kind, e.g. a
 * Deployment's `configMapKeyRef.name` that of a ConfigMap. The name-reference
 * transformer (name-references.ts) rewrites these fields when the object they
 * name is renamed or moved.
 *
 * Source: sigs.k8s.io/kustomize/api/konfig/builtinpluginconsts/namereference.go
 * (kustomize v5.5.0).
 */
import { FieldSpec } from './field-spec';
import { GvkSelector } from './resource';

/** One `nameReference:` entry: objects of `target` may be referred to by name from `fieldSpecs`. */
export interface NameBackReferences {
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
export const NAME_REFERENCES: readonly NameBackReferences[] = [
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
