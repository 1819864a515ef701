/**
 * The Kubernetes merge keys kustomize's strategic merge knows (internal):
 * which lists of which kinds merge element by element, and by which keys
 * (`x-kubernetes-patch-strategy: merge`, `x-kubernetes-patch-merge-key`,
 * `x-kubernetes-list-map-keys` of the Kubernetes 1.21 OpenAPI document that
 * kustomize v5.5.0 embeds).
 *
 * Reference: https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/#notes-on-the-strategic-merge-patch
 */

/**
 * What the strategic merge needs to know of a field, from the Kubernetes
 * OpenAPI document: the sub-fields of a map, and for a list with
 * `x-kubernetes-patch-strategy: merge` its merge keys.
 */
export interface MergeSchema {
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
export function schemaOf(object: any): MergeSchema | undefined {
  return SCHEMAS[object?.apiVersion ?? '']?.[object?.kind ?? ''];
}
