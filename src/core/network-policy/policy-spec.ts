/**
 * The one renderer of an agent's NetworkPolicy: the `spec` for the rules
 * `egress.ts` and `ingress.ts` derive. AgentPod renders its policy as the L1
 * `KubeNetworkPolicy` with this spec produced at synth (as RedisMemory does),
 * because providers may be added after construction, while the cdk8s-plus
 * `NetworkPolicy` fixes each rule, with a construct per peer, when it is added.
 */
import { k8s, Namespace } from 'cdk8s-plus-28';
import { PolicyPeer, PolicyRule } from './rules';

/**
 * A default-deny policy for the pods with `podSelector` labels: `policyTypes`
 * `Egress` and `Ingress` whatever the rules, then `egress` and `ingress` in
 * the order given (left out when empty).
 */
export function networkPolicySpec(
  podSelector: { [key: string]: string }, egress: PolicyRule[], ingress: PolicyRule[],
): k8s.NetworkPolicySpec {
  return {
    podSelector: { matchLabels: { ...podSelector } },
    egress: egress.length === 0 ? undefined : egress.map(rule => ({ ports: ports(rule), to: peers(rule.peer) })),
    ingress: ingress.length === 0 ? undefined : ingress.map(rule => ({ ports: ports(rule), from: peers(rule.peer) })),
    policyTypes: ['Egress', 'Ingress'],
  };
}

/** The ports of a rule; an empty list (every port) when it has none. */
function ports(rule: PolicyRule): k8s.NetworkPolicyPort[] {
  return (rule.ports ?? []).map(p => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol }));
}

/** A peer as `to` / `from` entries: an ipBlock, or the pods, once per namespace (by `kubernetes.io/metadata.name`). */
function peers(peer: PolicyPeer): k8s.NetworkPolicyPeer[] {
  if (peer.type === 'ipBlock') {
    return [{ ipBlock: { cidr: peer.cidr, except: peer.except.length === 0 ? undefined : [...peer.except] } }];
  }
  const podSelector: k8s.LabelSelector = Object.keys(peer.labels).length === 0 ? {} : { matchLabels: { ...peer.labels } };
  if (peer.namespaces.length === 0) return [{ podSelector }];
  return peer.namespaces.map(name => ({ podSelector, namespaceSelector: { matchLabels: { [Namespace.NAME_LABEL]: name } } }));
}
