/**
 * Every label and annotation key the library writes: the Kubernetes
 * recommended labels
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/)
 * and the library's own `agents.cdk8s.io/*` keys, each defined here once.
 * Internal module.
 */

/** The value of `app.kubernetes.io/part-of` and `app.kubernetes.io/managed-by` style markers of this library. */
const PART_OF = 'cdk8s-agents';

export interface RecommendedLabelsOptions {
  /** `app.kubernetes.io/name`: the name of the application. */
  readonly name: string;
  /** `app.kubernetes.io/instance`: a unique name identifying this instance. */
  readonly instance: string;
  /** `app.kubernetes.io/component`: the component within the architecture. */
  readonly component: string;
  /** `app.kubernetes.io/version`, when known. */
  readonly version?: string;
}

/** The full set of recommended labels for an object. */
export function recommendedLabels(options: RecommendedLabelsOptions): Record<string, string> {
  const labels: Record<string, string> = {
    'app.kubernetes.io/name': options.name,
    'app.kubernetes.io/instance': options.instance,
    'app.kubernetes.io/component': options.component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
  if (options.version) labels['app.kubernetes.io/version'] = options.version;
  return labels;
}

/** The stable subset used in selectors (never changes across versions, so Deployments can be updated). */
export function selectorLabels(options: RecommendedLabelsOptions): Record<string, string> {
  return {
    'app.kubernetes.io/name': options.name,
    'app.kubernetes.io/instance': options.instance,
  };
}

/** The prefix of the library's own label and annotation keys. */
export const KEY_PREFIX = 'agents.cdk8s.io';

/** Label naming the runtime (`python`, `nodejs`) of a code agent; agent-type presets select on it. */
export const RUNTIME_LABEL = `${KEY_PREFIX}/runtime`;
/** Label naming the tool sidecar container of an agent; tool presets select on it. */
export const TOOL_SIDECAR_LABEL = `${KEY_PREFIX}/tool-sidecar`;
/** Label on every object of an agent with a HorizontalPodAutoscaler; presets never set `replicas` on such an agent. */
export const AUTOSCALED_LABEL = `${KEY_PREFIX}/autoscaled`;
/** Label with the environment an overlay preset built (`dev`, `staging`, `prod`). */
export const ENVIRONMENT_LABEL = `${KEY_PREFIX}/environment`;
/** Label on the Service a ServiceMonitor selects to scrape an agent's metrics. */
export const METRICS_LABEL = `${KEY_PREFIX}/metrics`;
/** Pod annotation naming the memory profile of an agent (`small`, `medium`, `large`, ...). */
export const MEMORY_PROFILE_ANNOTATION = `${KEY_PREFIX}/memory-profile`;
/** Pod annotation with a hash of the agent's generated ConfigMaps: a change rolls the pods. */
export const CONFIG_CHECKSUM_ANNOTATION = `${KEY_PREFIX}/config-checksum`;
/** Pod annotation naming the LLM gateway settings an API preset put in place (`development`, `production`): a change rolls the pods. */
export const LLM_GATEWAY_SETTINGS_ANNOTATION = `${KEY_PREFIX}/llm-gateway-settings`;
/** Pod annotation with a hash of the data of the Secrets the agent reads: a rotation rolls the pods. */
export const SECRET_CHECKSUM_ANNOTATION = `${KEY_PREFIX}/secret-checksum`;
/**
 * Annotation the operator puts on each object it applies: a hash of the object
 * as it applied it. An object whose annotation equals the hash of what is
 * wanted now is not applied again, so a resync of an unchanged AgentType
 * writes nothing.
 */
export const APPLIED_HASH_ANNOTATION = `${KEY_PREFIX}/applied-hash`;
/** Label the operator puts on each object it applies: the name of the AgentType it belongs to. */
export const AGENT_TYPE_LABEL = `${KEY_PREFIX}/agent-type`;
