/**
 * The DNS egress rule of every NetworkPolicy the library renders (an agent's,
 * the operator's): UDP and TCP 53 to the cluster DNS pods.
 */
import { PolicyInput } from './input';
import { AgentNetworkPolicyOptions } from './options';
import { EgressRuleSet, Rank, tcp, udp } from './rules';

/** The options the DNS rule is made from. */
export type DnsOptions = Pick<AgentNetworkPolicyOptions, 'allowDns' | 'dnsNamespace' | 'dnsPodLabels'>;

/**
 * Adds UDP and TCP 53 to the pods with `dnsPodLabels` (default
 * `k8s-app: kube-dns`) in `dnsNamespace` (default `kube-system`), unless
 * `allowDns` is false.
 * @throws naming the option if the namespace or a label is invalid
 */
export function addDnsEgress(rules: EgressRuleSet, input: PolicyInput, options: DnsOptions): void {
  if (options.allowDns === false) return;
  const namespace = input.namespace(input.option('dnsNamespace'), options.dnsNamespace ?? 'kube-system');
  const labels = input.labels(input.option('dnsPodLabels'), options.dnsPodLabels ?? { 'k8s-app': 'kube-dns' });
  rules.add(Rank.DNS, { type: 'pods', namespace, labels }, [udp(53), tcp(53)]);
}
