/**
 * PodDisruptionBudgets for the workloads an overlay scales out (internal).
 * An `AgentPod` with more than one replica gets a PodDisruptionBudget from
 * its construct (`needsDisruptionBudget` and `disruptionBudgetSpec` in
 * src/agent/scaling.ts, the one rule); an overlay that raises replicas
 * (e.g. `EnvironmentPreset.prod()`) must add the budget the construct would
 * have added. kustomize has no such transformer, so the budgets are written
 * in the base's terms and go through the overlay like any base object (in
 * the kustomize tree: a `resources` file of the overlay), which keeps the
 * overlay's output and `kubectl kustomize` equal.
 */
import { disruptionBudgetSpec, needsDisruptionBudget } from '../agent/scaling';
import { clone, idOf, type KustomizeResource } from '../kustomize';

/** Workload kinds whose replicas the budgets follow. */
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);

/** One budget to add: the object in the base's terms and the file of its workload. */
export interface DisruptionBudget {
  readonly object: any;
  readonly file?: string;
}

/**
 * The budgets `output` (an overlay's transformed objects) lacks: one for
 * every Deployment and StatefulSet with `spec.replicas` above 1 whose pods no
 * PodDisruptionBudget of its namespace selects, named and labelled as its
 * base object (`input`, before the overlay) is, selecting the base's
 * `spec.selector.matchLabels`. Workloads without `matchLabels`, and those
 * whose base name a PodDisruptionBudget already has, get none.
 */
export function missingDisruptionBudgets(input: KustomizeResource[], output: KustomizeResource[]): DisruptionBudget[] {
  const key = (id: { group: string; kind: string; namespace: string; name: string }) => JSON.stringify([id.group, id.kind, id.namespace, id.name]);
  const baseById = new Map(input.map(r => [key(idOf(r.object)), r]));
  const budgets = output.map(r => r.object).filter(o => o.kind === 'PodDisruptionBudget');
  const result: DisruptionBudget[] = [];
  for (const res of output) {
    const o = res.object;
    if (!WORKLOAD_KINDS.has(o.kind) || !needsDisruptionBudget(o.spec?.replicas)) continue;
    if (budgets.some(b => selectsPods(b, o))) continue;
    const base = baseById.get(key(res.previousIds[0] ?? idOf(o)));
    const selector = base?.object.spec?.selector?.matchLabels;
    if (!base || !isStringMap(selector) || Object.keys(selector).length === 0) continue;
    const { name, namespace, labels } = base.object.metadata;
    const budgetKey = key({ group: 'policy', kind: 'PodDisruptionBudget', namespace: namespace ?? '', name });
    if (baseById.has(budgetKey)) continue;
    result.push({
      object: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels: clone(labels) } : {}) },
        spec: disruptionBudgetSpec(selector),
      },
      file: base.file,
    });
  }
  return result;
}

/** True when `budget` is in the namespace of `workload` and its `matchLabels` select the workload's pods. */
function selectsPods(budget: any, workload: any): boolean {
  if ((budget.metadata?.namespace ?? '') !== (workload.metadata?.namespace ?? '')) return false;
  const matchLabels = budget.spec?.selector?.matchLabels ?? {};
  const podLabels = workload.spec?.template?.metadata?.labels ?? {};
  const keys = Object.keys(matchLabels);
  return keys.length > 0 && keys.every(k => podLabels[k] === matchLabels[k]);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    && Object.values(value as object).every(v => typeof v === 'string');
}
