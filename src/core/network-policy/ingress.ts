/**
 * The ingress of an agent: nothing unless allowed, and one rule per entry of
 * `allowIngressFrom`, in the order given. Plain data in, plain data out.
 */
import { PolicyInput } from './input';
import { AgentIngressPeer } from './options';
import { PolicyRule, ipBlockPeer, tcp } from './rules';

/**
 * The ingress rules: for each peer, its pods (one `from` entry per
 * namespace) or its IP block, on its TCP ports (de-duplicated and sorted;
 * every port when none are given).
 * @throws if a peer is invalid (see {@link AgentIngressPeer})
 */
export function deriveIngress(peers: AgentIngressPeer[], input: PolicyInput): PolicyRule[] {
  return peers.map((peer, i) => ingressRule(input.option(`allowIngressFrom[${i}]`), peer, input));
}

/** One `allowIngressFrom` entry; `at` is its field name (`networkPolicy.allowIngressFrom[0]`). */
function ingressRule(at: string, peer: AgentIngressPeer, input: PolicyInput): PolicyRule {
  const ports = peer.ports === undefined ? undefined : [...new Set(input.ports(`${at}.ports`, peer.ports))].sort((a, b) => a - b).map(tcp);
  if (ports && ports.length === 0) input.fail(`${at}.ports`, [], 'is empty: leave it out to allow every port');
  const selects = peer.namespaces !== undefined || peer.podLabels !== undefined;
  if (selects === (peer.cidr !== undefined)) {
    input.fail(at, peer, 'must give either cidr, or namespaces and/or podLabels (a peer is an IP block or a pod selector, not both)');
  }
  if (peer.cidr !== undefined) {
    const cidr = input.cidr(`${at}.cidr`, peer.cidr);
    return { peer: ipBlockPeer(cidr, input.except(`${at}.exceptCidrs`, cidr, peer.exceptCidrs)), ports };
  }
  if (peer.exceptCidrs !== undefined) input.fail(`${at}.exceptCidrs`, peer.exceptCidrs, 'is only allowed with cidr');
  const namespaces = (peer.namespaces ?? []).map((ns, j) => input.namespace(`${at}.namespaces[${j}]`, ns));
  if (peer.namespaces !== undefined && namespaces.length === 0) {
    input.fail(`${at}.namespaces`, [], 'is empty: leave it out to mean the agent\'s namespace');
  }
  const labels = input.labels(`${at}.podLabels`, peer.podLabels ?? {});
  return { peer: { type: 'pods', namespaces, labels }, ports };
}
