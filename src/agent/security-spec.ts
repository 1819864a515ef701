/**
 * The AgentType `spec.security` of an agent pod and back: the NetworkPolicy
 * (off, or the namespaces let in on the agent's HTTP port), the user every
 * container runs as, and the pod's RuntimeClass.
 */
import type { AgentIngressPeer, AgentNetworkPolicyOptions } from '../core/network-policy';
import type { NetworkPolicySpec, SecuritySpec } from '../install/agent-type';

/** User id of an agent pod's containers when none is given (`AgentPodOptions.runAsUser`). */
export const DEFAULT_AGENT_UID = 1000;

/** The AgentPod settings `spec.security` describes (with the agent's HTTP port, `spec.agent.port`). */
export interface PodSecuritySettings {
  readonly port?: number;
  readonly networkPolicy?: AgentNetworkPolicyOptions;
  readonly runAsUser?: number;
  readonly runtimeClassName?: string;
}

/**
 * The AgentType `spec.security` of an agent pod's settings:
 * - `networkPolicy`: `{ enabled: false }` without a NetworkPolicy;
 *   `allowedNamespaces` when `allowIngressFrom` is one peer of namespaces only,
 *   on the agent's `port` only, or on every port when it has none (other
 *   peers are not described by the spec);
 * - `podSecurityContext` when `runAsUser` is given: that id as user, group
 *   and fsGroup, `runAsNonRoot: true`;
 * - `runtimeClassName` when given.
 * {@link securityFromSpec} is the inverse.
 * @returns undefined when there is nothing to write
 */
export function securityToSpec(settings: PodSecuritySettings): SecuritySpec | undefined {
  const spec: { -readonly [K in keyof SecuritySpec]: any } = {};
  const networkPolicy = networkPolicyToSpec(settings.networkPolicy, settings.port);
  if (networkPolicy) spec.networkPolicy = networkPolicy;
  const uid = settings.runAsUser;
  if (uid !== undefined) spec.podSecurityContext = { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid };
  if (settings.runtimeClassName !== undefined) spec.runtimeClassName = settings.runtimeClassName;
  return Object.keys(spec).length > 0 ? spec : undefined;
}

/**
 * The AgentPod settings an AgentType `spec.security` describes:
 * `networkPolicy.enabled: false` gives no NetworkPolicy; `allowedNamespaces`
 * lets every pod of those namespaces in on `port` (the agent's HTTP port),
 * or on every port of the pod when there is none (the tool sidecar's too:
 * give `agent.port` to keep them to the agent's); `podSecurityContext` gives `runAsUser` (its
 * `runAsUser`, default {@link DEFAULT_AGENT_UID}; the CRD holds `runAsGroup`
 * and `fsGroup` to it); `runtimeClassName` the pod's RuntimeClass.
 * @param port the agent's HTTP port (`spec.agent.port`)
 */
export function securityFromSpec(spec: SecuritySpec | undefined, port: number | undefined): PodSecuritySettings {
  if (!spec) return {};
  const policy = spec.networkPolicy ?? {};
  let networkPolicy: AgentNetworkPolicyOptions | undefined;
  if (policy.enabled === false) {
    networkPolicy = { enabled: false };
  } else if (policy.allowedNamespaces !== undefined) {
    const peer = { namespaces: [...policy.allowedNamespaces], ...(port === undefined ? {} : { ports: [port] }) };
    networkPolicy = { allowIngressFrom: [peer] };
  }
  const context = spec.podSecurityContext;
  return {
    ...(networkPolicy ? { networkPolicy } : {}),
    ...(context ? { runAsUser: context.runAsUser ?? DEFAULT_AGENT_UID } : {}),
    ...(spec.runtimeClassName !== undefined ? { runtimeClassName: spec.runtimeClassName } : {}),
  };
}

/** `spec.security.networkPolicy` of the NetworkPolicy options, when the spec can describe them. */
function networkPolicyToSpec(options: AgentNetworkPolicyOptions | undefined, port: number | undefined): NetworkPolicySpec | undefined {
  if (!options) return undefined;
  if (options.enabled === false) return { enabled: false };
  const peers = options.allowIngressFrom ?? [];
  if (peers.length !== 1 || !isNamespacePeerOn(peers[0], port)) return undefined;
  return { allowedNamespaces: [...peers[0].namespaces!] };
}

/** True for a peer of distinct namespaces (every pod) on `port` alone, or on every port when there is no `port`. */
function isNamespacePeerOn(peer: AgentIngressPeer, port: number | undefined): boolean {
  const namespaces = peer.namespaces ?? [];
  const onlyNamespacesAndPorts = Object.entries(peer).every(([key, value]) => value === undefined || key === 'namespaces' || key === 'ports');
  return onlyNamespacesAndPorts && namespaces.length > 0 && new Set(namespaces).size === namespaces.length
    && (port === undefined ? peer.ports === undefined : peer.ports?.length === 1 && peer.ports[0] === port);
}
