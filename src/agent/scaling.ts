/**
 * Scaling and availability of an agent workload (AgentType `scaling`): an autoscaling/v2
 * HorizontalPodAutoscaler, and for more than one replica a
 * PodDisruptionBudget and topology spread over nodes and zones.
 */
import { ApiObject, ApiObjectMetadata, JsonPatch } from 'cdk8s';
import { Deployment, HorizontalPodAutoscaler, k8s, Metric, MetricTarget } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { canonicalJson } from '../core/canonical-json';
import { checkReplicaCount, fail } from '../core/validation';
import type { ScalingSpec } from '../install/agent-type';

/**
 * Autoscaling of an agent: an `autoscaling/v2` HorizontalPodAutoscaler
 * targeting its Deployment. The Deployment then has no `spec.replicas`, so the
 * HPA and `kubectl apply` never fight over it.
 */
export interface AgentScaling {
  /** `spec.minReplicas` (>= 1). */
  readonly minReplicas: number;
  /** `spec.maxReplicas` (>= minReplicas). */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilization, in percent of the CPU request.
   * @default 80
   */
  readonly cpuUtilization?: number;
  /**
   * Target average memory utilization, in percent of the memory request.
   * @default - no memory metric
   */
  readonly memoryUtilization?: number;
}

/** Checks `scaling` against `replicas` (they exclude each other). */
export function checkScaling(kind: string, where: string, scaling: AgentScaling | undefined, replicas: number | undefined): void {
  if (!scaling) return;
  if (replicas !== undefined) {
    fail(kind, where, 'replicas', replicas, 'cannot be set together with scaling: the HorizontalPodAutoscaler owns the replica count');
  }
  const { minReplicas, maxReplicas } = scaling;
  checkReplicaCount(kind, where, 'scaling.minReplicas', minReplicas, 1);
  checkReplicaCount(kind, where, 'scaling.maxReplicas', maxReplicas, minReplicas);
  for (const [field, value] of [['cpuUtilization', scaling.cpuUtilization], ['memoryUtilization', scaling.memoryUtilization]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 100)) {
      fail(kind, where, `scaling.${field}`, value, 'must be an integer percentage from 1 to 100');
    }
  }
}

/** Target average CPU utilization when `cpuUtilization` is not given (percent). */
const DEFAULT_CPU_UTILIZATION = 80;

/** An autoscaling/v2 `Resource` metric with a `Utilization` target, as `metrics[]` of an HPA and AgentType `scaling.metrics[]`. */
function utilizationMetric(resource: 'cpu' | 'memory', averageUtilization: number): k8s.MetricSpecV2 {
  return { type: 'Resource', resource: { name: resource, target: { type: 'Utilization', averageUtilization } } };
}

/**
 * The AgentType `spec.scaling` of an autoscaled agent: `minReplicas`,
 * `maxReplicas`, and `metrics` as autoscaling/v2 MetricSpec objects (CPU
 * utilization, with its default, then memory utilization when set), the
 * metrics of the HorizontalPodAutoscaler. {@link scalingFromSpec} is the inverse.
 */
export function scalingToSpec(scaling: AgentScaling): ScalingSpec {
  const metrics = [utilizationMetric('cpu', scaling.cpuUtilization ?? DEFAULT_CPU_UTILIZATION)];
  if (scaling.memoryUtilization !== undefined) metrics.push(utilizationMetric('memory', scaling.memoryUtilization));
  return { minReplicas: scaling.minReplicas, maxReplicas: scaling.maxReplicas, metrics };
}

/**
 * The autoscaling an AgentType `spec.scaling` describes: `minReplicas`
 * (default 1, as the HorizontalPodAutoscaler's), `maxReplicas` (required),
 * and `metrics`: `Resource` metrics of `cpu` and `memory` with a
 * `Utilization` target, each at most once (no metrics: CPU at 80%).
 * @throws `<kind> '<where>': spec.scaling.<field> '<value>' <problem>` if
 * `maxReplicas` is missing, or a metric is of another shape (only resource
 * utilization targets map onto an AgentPod); the counts and percentages are
 * checked by {@link checkScaling}
 */
export function scalingFromSpec(kind: string, where: string, spec: ScalingSpec): AgentScaling {
  if (spec.maxReplicas === undefined) fail(kind, where, 'spec.scaling.maxReplicas', '', 'is required: the most replicas the autoscaler may run');
  const targets: { [resource: string]: number } = {};
  (spec.metrics ?? []).forEach((metric, i) => {
    const resource = metric?.resource?.name;
    const utilization = metric?.resource?.target?.averageUtilization;
    if ((resource !== 'cpu' && resource !== 'memory') || utilization === undefined
      || canonicalJson(metric) !== canonicalJson(utilizationMetric(resource, utilization))) {
      fail(kind, where, `spec.scaling.metrics[${i}]`, JSON.stringify(metric, (_key, value) => (value instanceof k8s.Quantity ? value.value : value)),
        'is not mapped onto an AgentPod: give { type: Resource, resource: { name: cpu | memory, target: { type: Utilization, averageUtilization } } }');
    }
    if (resource in targets) fail(kind, where, `spec.scaling.metrics[${i}]`, resource, 'is a second metric of this resource');
    targets[resource] = utilization;
  });
  return {
    minReplicas: spec.minReplicas ?? 1,
    maxReplicas: spec.maxReplicas,
    cpuUtilization: targets.cpu ?? DEFAULT_CPU_UTILIZATION,
    ...(targets.memory !== undefined ? { memoryUtilization: targets.memory } : {}),
  };
}

/** The HPA of an agent Deployment (cdk8s-plus leaves the Deployment's replicas unset once it has one). */
export function addAutoscaler(scope: Construct, deployment: Deployment, scaling: AgentScaling, metadata: ApiObjectMetadata): HorizontalPodAutoscaler {
  const metrics = [Metric.resourceCpu(MetricTarget.averageUtilization(scaling.cpuUtilization ?? DEFAULT_CPU_UTILIZATION))];
  if (scaling.memoryUtilization !== undefined) metrics.push(Metric.resourceMemory(MetricTarget.averageUtilization(scaling.memoryUtilization)));
  return new HorizontalPodAutoscaler(scope, 'Autoscaler', {
    metadata,
    target: deployment,
    minReplicas: scaling.minReplicas,
    maxReplicas: scaling.maxReplicas,
    metrics,
  });
}

/**
 * For more than one replica: a `policy/v1` PodDisruptionBudget (at most one
 * pod down during voluntary disruptions such as node drains) and
 * `topologySpreadConstraints` over `kubernetes.io/hostname` and
 * `topology.kubernetes.io/zone` (ScheduleAnyway, so single-zone clusters
 * still schedule; `matchLabelKeys: [pod-template-hash]` spreads each
 * rollout's pods on their own).
 */
export function addHighAvailability(
  scope: Construct, deployment: Deployment, selector: { [key: string]: string }, metadata: ApiObjectMetadata,
): ApiObject {
  const spread = (topologyKey: string) => ({
    topologyKey,
    maxSkew: 1,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: { ...selector } },
    matchLabelKeys: ['pod-template-hash'],
  });
  // cdk8s-plus spreads with pod anti-affinity only; topologySpreadConstraints is the API for this.
  ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
    spread('kubernetes.io/hostname'),
    spread('topology.kubernetes.io/zone'),
  ]));
  // cdk8s-plus has no PodDisruptionBudget construct.
  return new ApiObject(scope, 'DisruptionBudget', {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata,
    spec: disruptionBudgetSpec(selector),
  });
}

/**
 * True when a workload of `replicas` pods gets a PodDisruptionBudget: more
 * than one replica. The one rule, used by `AgentPod` and by overlays that
 * change replicas.
 */
export function needsDisruptionBudget(replicas: unknown): boolean {
  return typeof replicas === 'number' && replicas > 1;
}

/** The `spec` of a workload's PodDisruptionBudget: at most one pod down, the pods of `selector`. */
export function disruptionBudgetSpec(
  selector: { [key: string]: string },
): { maxUnavailable: number; selector: { matchLabels: { [key: string]: string } } } {
  return { maxUnavailable: 1, selector: { matchLabels: { ...selector } } };
}
