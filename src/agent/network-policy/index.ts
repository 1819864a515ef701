/**
 * The NetworkPolicy of an agent: the user's options (`options.ts`), the
 * rules derived from the agent's declarations as plain data (`egress.ts`,
 * `ingress.ts`, on `destination.ts` and `rules.ts`), and the `spec` that
 * renders them (`policy-spec.ts`).
 */
export type { AgentEgressPeer, AgentIngressPeer, AgentNetworkPolicyOptions } from './options';
export type { AgentEgressSources, AgentRedisDestination } from './egress';
export { deriveEgress } from './egress';
export { deriveIngress } from './ingress';
export { PolicyInput } from './input';
export type { PolicyPeer, PolicyRule, PortSpec } from './rules';
export { networkPolicySpec } from './policy-spec';
