/**
 * kustomize's LabelTransformer (`commonLabels`, `labels`) and
 * AnnotationsTransformer (`commonAnnotations`) (internal).
 *
 * - https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/commonlabels/
 * - https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/labels/
 * - https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/commonannotations/
 *
 * Sources: sigs.k8s.io/kustomize/api/konfig/builtinpluginconsts (commonlabels.go,
 * metadatalabels.go, commonannotations.go), api/filters/fieldspec,
 * api/filters/labels, api/internal/target/kusttarget_configplugin.go. The
 * behaviour was checked against `kubectl kustomize` (kustomize v5.5.0).
 */
import { applyFieldSpec, FieldSpec } from './field-spec';
import { isMap } from './json-value';
import { describeId, idOf, KustomizeResource } from './resource';
import { SharedValue, setValue, shareValue } from './shared-values';

/** The `- path: spec/template/spec/affinity/...` field specs shared by Deployment and StatefulSet. */
function podSelectorSpecs(kind: string): FieldSpec[] {
  return [
    'spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
    'spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
    'spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels',
    'spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels',
    'spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels',
  ].map(path => ({ path, create: false, group: 'apps', kind }));
}

/**
 * builtinpluginconsts `metadataLabelsFieldSpecs`: the object's own labels and
 * the labels of the objects it stamps out (pod templates, job templates,
 * volume claim templates). kustomize uses these as `templateLabels` for a
 * `labels` entry with `includeTemplates: true` (volumeClaimTemplates included,
 * verified with kubectl) and appends them to `commonLabels`.
 */
export const METADATA_LABEL_FIELD_SPECS: readonly FieldSpec[] = [
  { path: 'metadata/labels', create: true },
  { path: 'spec/template/metadata/labels', create: true, version: 'v1', kind: 'ReplicationController' },
  { path: 'spec/template/metadata/labels', create: true, kind: 'Deployment' },
  { path: 'spec/template/metadata/labels', create: true, kind: 'ReplicaSet' },
  { path: 'spec/template/metadata/labels', create: true, kind: 'DaemonSet' },
  { path: 'spec/template/metadata/labels', create: true, group: 'apps', kind: 'StatefulSet' },
  { path: 'spec/volumeClaimTemplates[]/metadata/labels', create: true, group: 'apps', kind: 'StatefulSet' },
  { path: 'spec/template/metadata/labels', create: true, group: 'batch', kind: 'Job' },
  { path: 'spec/jobTemplate/metadata/labels', create: true, group: 'batch', kind: 'CronJob' },
  { path: 'spec/jobTemplate/spec/template/metadata/labels', create: true, group: 'batch', kind: 'CronJob' },
];

/**
 * builtinpluginconsts `commonLabelFieldSpecs` (kustomize v5): selectors, then
 * `metadataLabelsFieldSpecs`. Note `spec/selector` of a Service and a
 * ReplicationController is `create: true`: a Service without a selector
 * (even `type: ExternalName`) gets one. The NetworkPolicy and
 * PodDisruptionBudget selectors, the Job selector and the affinity/topology
 * selectors are only changed where `matchLabels` already exists.
 */
export const COMMON_LABEL_FIELD_SPECS: readonly FieldSpec[] = [
  { path: 'spec/selector', create: true, version: 'v1', kind: 'Service' },
  { path: 'spec/selector', create: true, version: 'v1', kind: 'ReplicationController' },
  { path: 'spec/selector/matchLabels', create: true, kind: 'Deployment' },
  ...podSelectorSpecs('Deployment'),
  { path: 'spec/selector/matchLabels', create: true, kind: 'ReplicaSet' },
  { path: 'spec/selector/matchLabels', create: true, kind: 'DaemonSet' },
  { path: 'spec/selector/matchLabels', create: true, group: 'apps', kind: 'StatefulSet' },
  ...podSelectorSpecs('StatefulSet'),
  { path: 'spec/selector/matchLabels', create: false, group: 'batch', kind: 'Job' },
  { path: 'spec/jobTemplate/spec/selector/matchLabels', create: false, group: 'batch', kind: 'CronJob' },
  { path: 'spec/selector/matchLabels', create: false, group: 'policy', kind: 'PodDisruptionBudget' },
  { path: 'spec/podSelector/matchLabels', create: false, group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { path: 'spec/ingress/from/podSelector/matchLabels', create: false, group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { path: 'spec/egress/to/podSelector/matchLabels', create: false, group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  ...METADATA_LABEL_FIELD_SPECS,
];

/** builtinpluginconsts `commonAnnotationFieldSpecs`: metadata and pod/job templates (not volumeClaimTemplates). */
export const COMMON_ANNOTATION_FIELD_SPECS: readonly FieldSpec[] = [
  { path: 'metadata/annotations', create: true },
  { path: 'spec/template/metadata/annotations', create: true, version: 'v1', kind: 'ReplicationController' },
  { path: 'spec/template/metadata/annotations', create: true, kind: 'Deployment' },
  { path: 'spec/template/metadata/annotations', create: true, kind: 'ReplicaSet' },
  { path: 'spec/template/metadata/annotations', create: true, kind: 'DaemonSet' },
  { path: 'spec/template/metadata/annotations', create: true, kind: 'StatefulSet' },
  { path: 'spec/template/metadata/annotations', create: true, group: 'batch', kind: 'Job' },
  { path: 'spec/jobTemplate/metadata/annotations', create: true, group: 'batch', kind: 'CronJob' },
  { path: 'spec/jobTemplate/spec/template/metadata/annotations', create: true, group: 'batch', kind: 'CronJob' },
];

/** `labels` entry with `includeSelectors: false`: "only add to metadata by default". */
const METADATA_ONLY: readonly FieldSpec[] = [{ path: 'metadata/labels', create: true }];

// ---------------------------------------------------------------------------
// label / annotation setting, with kustomize's shared value nodes
// ---------------------------------------------------------------------------

/**
 * kustomize's `SetEntry`: sets `key` to `value` in the map at `parent[parentKey]`
 * (created when missing), with kustomize's shared value nodes (shared-values.ts).
 */
function setEntry(parent: any, parentKey: string | number, key: string, value: string, fresh: SharedValue, fs: FieldSpec, object: any): void {
  let map = parent[parentKey];
  if (map === undefined || map === null) {
    map = {};
    parent[parentKey] = map;
  }
  if (!isMap(map)) {
    throw new Error(`considering field '${fs.path}' of ${describeId(idOf(object))}: wrong node kind: expected a map, found ${JSON.stringify(map)}`);
  }
  if (map[key] !== undefined) {
    setValue(map, key, value);
    return;
  }
  map[key] = value;
  fresh.places.push({ holder: map, key });
  shareValue(object, map, key, fresh);
}

function applyEntries(resources: KustomizeResource[], entries: Record<string, string>, specs: readonly FieldSpec[], what: string): void {
  // kustomize: "if len(p.Labels) == 0 { return nil }" — no empty map is created.
  const keys = Object.keys(entries).sort();
  if (keys.length === 0) return;
  for (const res of resources) {
    for (const key of keys) {
      const value = entries[key];
      if (typeof value !== 'string') {
        throw new Error(`${what}: value of '${key}' must be a string, got ${JSON.stringify(value)}`);
      }
      const fresh: SharedValue = { value, places: [] };
      try {
        for (const fs of specs) {
          applyFieldSpec(res.object, fs, true, (holder, k) => setEntry(holder, k, key, value, fresh, fs, res.object));
        }
      } catch (e) {
        throw new Error(`${what}: ${(e as Error).message}`);
      }
    }
  }
}

/** Options of a kustomize `labels` entry. */
export interface LabelOptionsSpec {
  /** Also the selectors (and templates): the `commonLabels` field specs. */
  readonly includeSelectors: boolean;
  /** With `includeSelectors: false`, also the template labels (pod, job and volume claim templates). */
  readonly includeTemplates: boolean;
}

/**
 * kustomize LabelTransformer
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/labels/,
 * https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/commonlabels/).
 *
 * - `includeSelectors: true` (what `commonLabels` is): every field spec of
 *   commonlabels.go — metadata, selectors (created for Service,
 *   ReplicationController, Deployment, ReplicaSet, DaemonSet, StatefulSet),
 *   pod/job/volume-claim templates, existing PDB/NetworkPolicy/Job/affinity
 *   `matchLabels`. `includeTemplates` is then irrelevant.
 * - `includeSelectors: false`: `metadata/labels` only, plus the template labels
 *   of metadatalabels.go when `includeTemplates` is true.
 *
 * Custom resources and other kinds only get `metadata/labels`. Values
 * overwrite existing keys. kustomize runs every `labels` entry in order, then
 * `commonLabels`; call this in that order.
 */
export function applyLabels(resources: KustomizeResource[], labels: Record<string, string>, options: LabelOptionsSpec): void {
  let specs: readonly FieldSpec[];
  if (options.includeSelectors) specs = COMMON_LABEL_FIELD_SPECS;
  else if (options.includeTemplates) specs = METADATA_LABEL_FIELD_SPECS;
  else specs = METADATA_ONLY;
  applyEntries(resources, labels, specs, 'labels');
}

/**
 * kustomize AnnotationsTransformer (`commonAnnotations`,
 * https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/commonannotations/):
 * `metadata/annotations` of every object, and the pod template annotations of
 * ReplicationController, Deployment, ReplicaSet, DaemonSet, StatefulSet, Job
 * and CronJob (its job template too). Not volumeClaimTemplates, not custom
 * resources' templates.
 */
export function applyAnnotations(resources: KustomizeResource[], annotations: Record<string, string>): void {
  applyEntries(resources, annotations, COMMON_ANNOTATION_FIELD_SPECS, 'commonAnnotations');
}
