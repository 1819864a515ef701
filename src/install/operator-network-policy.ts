/**
 * The operator pod's NetworkPolicy (`AgentOperator` prop `networkPolicy`):
 * default deny, DNS, the Kubernetes API server, and ingress to the metrics
 * and health ports from the peers the user allows. Built with the rules,
 * checks and renderer every NetworkPolicy of the library uses
 * (`core/network-policy/`).
 */
import { k8s } from 'cdk8s-plus-28';
import {
  addDnsEgress, AgentIngressPeer, deriveIngress, EgressRuleSet, networkPolicySpec, PolicyInput, PolicyRule, Rank, tcp,
} from '../core/network-policy';

/**
 * The operator pod's NetworkPolicy. The API server is not a pod a policy can
 * select by labels (it runs on the control plane, or outside the cluster in
 * managed Kubernetes), so it is reached by CIDR and port: narrow
 * `apiServerCidrs` to your control plane's addresses when you know them
 * (`kubectl get endpoints kubernetes -n default`).
 */
export interface AgentOperatorNetworkPolicyOptions {
  /**
   * Whether to render the NetworkPolicy at all. When false nothing is
   * rendered and nothing below is checked.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Who may connect to the operator pods, one ingress rule per entry (e.g.
   * Prometheus for the metrics port). An entry's `ports` may only name the
   * metrics and health ports; left out, it means both. The kubelet's probes
   * come from the node, which NetworkPolicy implementations let through.
   * @default - none: no ingress
   */
  readonly allowIngressFrom?: AgentIngressPeer[];

  /**
   * CIDRs of the Kubernetes API server (`ipBlock.cidr` of the egress rule).
   * IPv4 or IPv6, host bits zero.
   * @default ['0.0.0.0/0', '::/0'] - any address: the API server's address differs per cluster
   */
  readonly apiServerCidrs?: string[];

  /**
   * TCP ports of the Kubernetes API server. Traffic to the `kubernetes`
   * Service (port 443) is filtered after it is translated to the API server
   * endpoint, whose port is 6443 on kubeadm-style clusters and 443 on most
   * managed ones: both are allowed by default.
   * @default [443, 6443]
   */
  readonly apiServerPorts?: number[];

  /**
   * Whether to allow DNS (UDP and TCP 53) to the cluster DNS pods.
   * @default true
   */
  readonly allowDns?: boolean;

  /**
   * Namespace of the cluster DNS pods. RFC 1123 label.
   * @default 'kube-system'
   */
  readonly dnsNamespace?: string;

  /**
   * Labels of the cluster DNS pods. An empty map selects every pod of `dnsNamespace`.
   * @default { 'k8s-app': 'kube-dns' }
   */
  readonly dnsPodLabels?: { [key: string]: string };
}

/** The operator's metrics and health ports, which ingress may reach. */
export interface OperatorPorts {
  readonly metricsPort: number;
  readonly healthPort: number;
}

/**
 * The `spec` of the operator's NetworkPolicy for the pods with `podSelector`
 * labels, or undefined when `enabled` is false. Checks every option.
 * @throws `AgentOperator '<path>': networkPolicy.<option> '<value>' <problem>`
 */
export function operatorNetworkPolicySpec(
  path: string, podSelector: { [key: string]: string }, options: AgentOperatorNetworkPolicyOptions, ports: OperatorPorts,
): k8s.NetworkPolicySpec | undefined {
  if (options.enabled === false) return undefined;
  const input = PolicyInput.forConstruct('AgentOperator', path);
  const egress = new EgressRuleSet();
  addDnsEgress(egress, input, options);
  const apiPorts = input.ports(input.option('apiServerPorts'), options.apiServerPorts ?? [443, 6443]);
  if (apiPorts.length === 0) input.fail(input.option('apiServerPorts'), [], 'is empty: the operator cannot work without the API server');
  const cidrs = options.apiServerCidrs ?? ['0.0.0.0/0', '::/0'];
  if (cidrs.length === 0) input.fail(input.option('apiServerCidrs'), [], 'is empty: the operator cannot work without the API server');
  cidrs.forEach((text, i) => {
    const cidr = input.cidr(input.option(`apiServerCidrs[${i}]`), text);
    egress.add(Rank.IP, { type: 'ip', block: { cidr, except: [] } }, apiPorts.map(tcp));
  });
  return networkPolicySpec(podSelector, egress.sorted(), operatorIngress(input, options.allowIngressFrom ?? [], ports));
}

/** The ingress rules: each peer to the metrics and health ports (or those of them it names). */
function operatorIngress(input: PolicyInput, peers: AgentIngressPeer[], ports: OperatorPorts): PolicyRule[] {
  const allowed = [ports.metricsPort, ports.healthPort];
  peers.forEach((peer, i) => (peer.ports ?? []).forEach((port, j) => {
    if (!allowed.includes(port)) {
      input.fail(input.option(`allowIngressFrom[${i}].ports[${j}]`), port,
        `is not the metrics port (${ports.metricsPort}) or the health port (${ports.healthPort}), the only ports of the operator`);
    }
  }));
  return deriveIngress(peers.map(peer => ({ ...peer, ports: peer.ports ?? [...allowed].sort((a, b) => a - b) })), input);
}
