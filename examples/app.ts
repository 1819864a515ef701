/**
 * What the two example apps share: the agents' namespace, the images and
 * the Redis of the production agent.
 *
 * The same six agents (basic, container, code, tooled, full, production)
 * run one of two ways, never both (an operator and `kubectl apply` would
 * fight over the same Deployment):
 *
 * - `buildGitOpsApp()` (examples/gitops.ts): the agents as `AgentPod`s,
 *   synthesized to manifests that GitOps applies; no operator.
 * - `buildOperatorApp()` (examples/operator.ts): the AgentType CRD and the
 *   operator, and the agents as `AgentType` resources the operator turns
 *   into the same objects.
 *
 * Image names under `registry.example.com` are placeholders for your own
 * images; `nginx:latest` and friends are public images.
 */
import { Construct } from 'constructs';
import { AgentNamespace, RedisMemory, ToolSidecar } from '../src';

/** Namespace of the example agents. */
export const AGENTS_NAMESPACE = 'agents';
/** The tool sidecar's image name, without its tag: the team's copy of LiteLLM's image (the prod overlay pins its digest). */
export const GATEWAY_IMAGE_NAME = 'registry.example.com/mirror/litellm';
/** The tool sidecar's image: LiteLLM's proxy at the release the library is tested with, from the team's registry. */
export const GATEWAY_IMAGE = `${GATEWAY_IMAGE_NAME}:v${ToolSidecar.LITELLM_VERSION}`;
/** The custom tool's download and its SHA-256 (`sha256sum custom-tool`; a placeholder here): the init container checks it. */
export const CUSTOM_TOOL = {
  name: 'custom-tool',
  version: '1.0',
  source: 'https://example.com/tools/custom-tool',
  sha256: '5f0c7bcfc47b6a6c1d0b3f2a5e6d8c9b0a1f2e3d4c5b6a79887766554433221f',
};
/** The operator's image. */
export const OPERATOR_IMAGE = 'registry.example.com/agents/agent-operator:0.1.0';
/** The example agents, in the order they are declared. */
export const EXAMPLE_AGENTS = ['basic-agent', 'container-agent', 'code-agent', 'tooled-agent', 'full-agent', 'production-agent'];

/** The agents' namespace: Pod Security Admission `restricted`, a quota and default limits. */
export function agentsNamespace(scope: Construct): AgentNamespace {
  return new AgentNamespace(scope, 'AgentsNamespace', {
    name: AGENTS_NAMESPACE,
    quota: { requestsCpu: '16', requestsMemory: '32Gi', limitsMemory: '64Gi', pods: 100, persistentVolumeClaims: 10 },
    limits: { defaultRequestCpu: '100m', defaultRequestMemory: '256Mi', defaultLimitMemory: '512Mi', maxMemory: '8Gi' },
  });
}

/**
 * The production agent's Redis (2Gi PersistentVolumeClaim, password in the
 * `redis-auth` Secret), letting in the pods of `production-agent` by their
 * selector labels. The agent reaches it by address, which is all an
 * AgentType can say, so both apps declare it the same way.
 */
export function productionRedis(scope: Construct): RedisMemory {
  const redis = new RedisMemory(scope, 'agent-memory', {
    namespaceName: AGENTS_NAMESPACE,
    passwordSecret: { name: 'redis-auth', key: 'password' },
    storage: '2Gi',
  });
  redis.addAgent(agentSelector('production-agent'), AGENTS_NAMESPACE);
  return redis;
}

/** The labels an agent's Deployment selects its pods by (`app.kubernetes.io/name` and `instance`: the agent name). */
export function agentSelector(agentName: string): { [key: string]: string } {
  return { 'app.kubernetes.io/name': agentName, 'app.kubernetes.io/instance': agentName };
}
