/**
 * kustomize's ReplicaCountTransformer (`replicas:`), internal.
 *
 * https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/replicas/
 *
 * Sources: sigs.k8s.io/kustomize/api/internal/builtins/ReplicaCountTransformer.go,
 * api/filters/replicacount, api/konfig/builtinpluginconsts/replicas.go.
 * Checked against `kubectl kustomize` (kustomize v5.5.0).
 */
import { applyFieldSpec, FieldSpec } from './field-spec';
import { idOf, KustomizeResource } from './resource';

/** One `replicas:` entry. */
export interface ReplicaSpec {
  /** Current or any earlier name (before a prefix/suffix) of the workload. */
  readonly name: string;
  /** The new `spec.replicas`: an integer. */
  readonly count: number;
}

/**
 * builtinpluginconsts `replicasFieldSpecs`, in the order kustomize v5.5.0 reports
 * them. Kind only: any group and version. Custom resources are never changed.
 */
const REPLICA_FIELD_SPECS: readonly FieldSpec[] = [
  { path: 'spec/replicas', create: true, kind: 'Deployment' },
  { path: 'spec/replicas', create: true, kind: 'StatefulSet' },
  { path: 'spec/replicas', create: true, kind: 'ReplicaSet' },
  { path: 'spec/replicas', create: true, kind: 'ReplicationController' },
];

/**
 * kustomize ReplicaCountTransformer
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/replicas/):
 * sets (creating if missing) `spec.replicas` of every Deployment, StatefulSet,
 * ReplicaSet and ReplicationController whose current name or any earlier name
 * (kustomize's `GetMatchingResourcesByAnyId`) is `name`, in any namespace.
 * Entries apply in order.
 *
 * Errors, as kustomize: an entry that matches no such workload; a count that is
 * not an integer (kustomize cannot even read it into its int64). A negative
 * count is NOT an error: kustomize writes it as it is (`replicas: -1`) and
 * leaves the API server to reject it, and so does this.
 */
export function applyReplicas(resources: KustomizeResource[], replicas: ReplicaSpec[], where: string): void {
  for (const replica of replicas) {
    if (typeof replica.count !== 'number' || !Number.isInteger(replica.count)) {
      throw new Error(`${where}: replicas['${replica.name}'].count '${String(replica.count)}' is not an integer`);
    }
    let found = false;
    for (const fs of REPLICA_FIELD_SPECS) {
      const matching = resources.filter(res =>
        [...res.previousIds, idOf(res.object)].some(id => id.name === replica.name && id.kind === fs.kind));
      if (matching.length === 0) continue;
      found = true;
      for (const res of matching) {
        try {
          applyFieldSpec(res.object, fs, true, (holder, key) => {
            const current = holder[key];
            if (typeof current === 'object' && current !== null) {
              throw new Error(`considering field '${fs.path}': wrong node kind: expected a scalar, found ${JSON.stringify(current)}`);
            }
            holder[key] = replica.count;
          });
        } catch (e) {
          throw new Error(`${where}: replicas['${replica.name}']: ${(e as Error).message}`);
        }
      }
    }
    if (!found) {
      throw new Error(`${where}: replicas name '${replica.name}' matches no Deployment, StatefulSet, ReplicaSet or `
        + 'ReplicationController by its current or an earlier name (kustomize: "resource with name '
        + `${replica.name} does not match a config with the following GVK [...]")`);
    }
  }
}
