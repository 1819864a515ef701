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
import { clone, idOf, toResources, type KustomizeResource } from '../kustomize';

/** Workload kinds whose replicas the budgets follow. */
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);

/** One budget to add: the object in the base's terms and the file of its workload. */
export interface DisruptionBudget {
  readonly object: any;
  readonly file?: string;
}

/**
 * A budget each Deployment and StatefulSet of `input` (the overlay's input,
 * in the base's terms) would get if the overlay scaled it out: named and
 * labelled as the workload, selecting its `spec.selector.matchLabels`, in
 * its file. Workloads without `matchLabels`, and those whose name a
 * PodDisruptionBudget of the input already has, get none.
 */
export function disruptionBudgetCandidates(input: KustomizeResource[]): BudgetCandidate[] {
  const key = (namespace: string, name: string) => JSON.stringify([namespace, name]);
  const inputBudgets = new Set(input.map(r => idOf(r.object)).filter(id => id.kind === 'PodDisruptionBudget').map(id => key(id.namespace, id.name)));
  const result: BudgetCandidate[] = [];
  for (const workload of input) {
    const o = workload.object;
    if (!WORKLOAD_KINDS.has(o.kind)) continue;
    const selector = o.spec?.selector?.matchLabels;
    if (!isStringMap(selector) || Object.keys(selector).length === 0) continue;
    const { name, namespace, labels } = o.metadata ?? {};
    if (typeof name !== 'string' || inputBudgets.has(key(namespace ?? '', name))) continue;
    const budget: DisruptionBudget = {
      object: {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels: clone(labels) } : {}) },
        spec: disruptionBudgetSpec(selector),
      },
      file: workload.file,
    };
    result.push({ budget, workload, resource: toResources([budget.object], budget.file)[0] });
  }
  return result;
}

/** A budget the overlay may need, the workload it is for and the resource that goes through the overlay. */
export interface BudgetCandidate {
  readonly budget: DisruptionBudget;
  readonly workload: KustomizeResource;
  readonly resource: KustomizeResource;
}

/**
 * Of an overlay's output with every candidate in it, the output without the
 * candidates not needed, and the budgets kept (in the base's terms). A
 * candidate is needed when its workload ends with `spec.replicas` above 1 and
 * no other PodDisruptionBudget of its namespace selects its pods: what an
 * overlay of the input plus exactly the kept budgets gives, since budgets
 * change nothing else an overlay does.
 */
export function keepNeededBudgets(
  output: KustomizeResource[], candidates: BudgetCandidate[],
): { output: KustomizeResource[]; budgets: DisruptionBudget[] } {
  const candidateResources = new Set(candidates.map(c => c.resource));
  const others = budgetsByNamespace(output.filter(r => !candidateResources.has(r)).map(r => r.object));
  const present = new Set(output);
  const dropped = new Set<KustomizeResource>();
  const budgets: DisruptionBudget[] = [];
  for (const c of candidates) {
    const o = c.workload.object;
    // A workload a patch deleted needs no budget.
    const needed = present.has(c.workload) && needsDisruptionBudget(o.spec?.replicas)
      && !(others.get(o.metadata?.namespace ?? '') ?? []).some(b => selectsPods(b, o));
    if (needed) budgets.push(c.budget);
    else dropped.add(c.resource);
  }
  return { output: output.filter(r => !dropped.has(r)), budgets };
}

/**
 * The budgets `output` (an overlay's transformed objects) lacks, for the
 * overlay of `input` (see `disruptionBudgetCandidates` and `keepNeededBudgets`):
 * the slow way, used when an overlay fails with the candidates in it.
 */
export function missingDisruptionBudgets(input: KustomizeResource[], output: KustomizeResource[]): DisruptionBudget[] {
  const byOriginal = new Map(output.map(r => [JSON.stringify(r.previousIds[0] ?? idOf(r.object)), r]));
  const others = budgetsByNamespace(output.map(r => r.object));
  return disruptionBudgetCandidates(input).filter(c => {
    const o = byOriginal.get(JSON.stringify(idOf(c.workload.object)))?.object;
    return o !== undefined && needsDisruptionBudget(o.spec?.replicas) && !(others.get(o.metadata?.namespace ?? '') ?? []).some(b => selectsPods(b, o));
  }).map(c => c.budget);
}

/** The PodDisruptionBudgets of `objects`, by namespace. */
function budgetsByNamespace(objects: any[]): Map<string, any[]> {
  const result = new Map<string, any[]>();
  for (const o of objects) {
    if (o.kind !== 'PodDisruptionBudget') continue;
    const namespace = o.metadata?.namespace ?? '';
    result.set(namespace, [...(result.get(namespace) ?? []), o]);
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
