/**
 * The NetworkPolicy of an agent: the user's options, the rules derived from
 * the agent's declarations as plain data (`egress.ts` on `destination.ts`;
 * ingress, DNS, the rules and the `spec` renderer are shared with the
 * operator's policy in `core/network-policy/`).
 */
export type { AgentEgressPeer, AgentIngressPeer, AgentNetworkPolicyOptions } from '../../core/network-policy';
export type { AgentEgressSources, AgentRedisDestination } from './egress';
export { deriveEgress } from './egress';
export { deriveIngress, PolicyInput, networkPolicySpec } from '../../core/network-policy';
export type { PolicyPeer, PolicyRule, PortSpec } from '../../core/network-policy';
