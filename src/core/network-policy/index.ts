/**
 * What every NetworkPolicy the library renders is made of (an agent's, the
 * operator's): the user's options (`options.ts`) and their checks
 * (`input.ts`), rules as plain data (`rules.ts`), the DNS rule (`dns.ts`),
 * ingress from allowed peers (`ingress.ts`), and the one renderer of the
 * `spec` (`policy-spec.ts`). The agent's egress derivation, which knows LLM
 * providers and tool sidecars, is `agent/network-policy/egress.ts`.
 */
export type { AgentEgressPeer, AgentIngressPeer, AgentNetworkPolicyOptions } from './options';
export { addDnsEgress } from './dns';
export type { DnsOptions } from './dns';
export { deriveIngress } from './ingress';
export { PolicyInput } from './input';
export { EgressRuleSet, ipBlockPeer, Rank, tcp, udp } from './rules';
export type { PolicyPeer, PolicyRule, PortSpec } from './rules';
export { networkPolicySpec } from './policy-spec';
