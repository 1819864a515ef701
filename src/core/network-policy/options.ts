/**
 * What a user says about an agent's NetworkPolicy (`AgentPod` prop
 * `networkPolicy`): whether there is one, who may connect, and the egress
 * the agent's declarations do not imply.
 */

/**
 * Who may open connections to the agent pods (one ingress rule).
 *
 * Give either `cidr` (clients outside the cluster, e.g. a load balancer's
 * range), or `namespaces` and/or `podLabels` (pods in the cluster), not both:
 * a NetworkPolicy peer is an IP block or a pod selector.
 *
 * | namespaces | podLabels | who                                              |
 * |------------|-----------|--------------------------------------------------|
 * | set        | -         | every pod of those namespaces                    |
 * | -          | set       | pods with those labels in the agent's namespace  |
 * | set        | set       | pods with those labels in those namespaces       |
 */
export interface AgentIngressPeer {
  /**
   * Namespaces whose pods may connect, matched by the
   * `kubernetes.io/metadata.name` label Kubernetes puts on every namespace.
   * RFC 1123 labels.
   * @default - the agent's own namespace (when `podLabels` is given)
   */
  readonly namespaces?: string[];

  /**
   * Labels the connecting pods must carry (`podSelector.matchLabels`).
   * @default - every pod of the selected namespaces
   */
  readonly podLabels?: { [key: string]: string };

  /**
   * An IPv4 or IPv6 CIDR the connections may come from (`ipBlock.cidr`),
   * e.g. `203.0.113.0/24`. Host bits must be zero. Not with `namespaces` or
   * `podLabels`.
   * @default - no IP block: the peer is a pod selector
   */
  readonly cidr?: string;

  /**
   * CIDRs inside `cidr` that are not allowed (`ipBlock.except`). Only with `cidr`.
   * @default - none
   */
  readonly exceptCidrs?: string[];

  /**
   * TCP ports of the agent pods this peer may reach. An empty list is refused
   * (leave the field out to mean every port).
   * @default - every port of the agent pods
   */
  readonly ports?: number[];
}

/**
 * Extra egress the agent needs beyond what its declarations imply (a
 * corporate proxy, a database, node-local DNS, ...).
 *
 * Give exactly one of `host`, `cidr`, or `namespaces`/`podLabels`, and at
 * least one of `ports` / `udpPorts`.
 */
export interface AgentEgressPeer {
  /**
   * A host name or IP address, handled as the library handles an LLM
   * endpoint's host: an IP gets its own `/32` (`/128`) rule; an in-cluster
   * Service name (`name`, `name.ns.svc`, `name.ns.svc.<clusterDomain>`) gets a
   * rule to every pod of that namespace; any other name can only be matched
   * as "any public address", so its ports join the wide public rule. A name
   * must be RFC 1123 labels (at most 253 characters); digits and dots alone
   * must be a valid IPv4 address (`10.1.2.300` is refused, not taken as a name).
   * @default - no host
   */
  readonly host?: string;

  /**
   * An IPv4 or IPv6 CIDR (`ipBlock.cidr`). Host bits must be zero. Unlike the
   * wide public rule, nothing is excluded from it: this is how a private
   * range (or the node-local DNS address) is allowed on purpose.
   * @default - no IP block
   */
  readonly cidr?: string;

  /**
   * CIDRs inside `cidr` that stay denied (`ipBlock.except`). Only with `cidr`.
   * @default - none
   */
  readonly exceptCidrs?: string[];

  /**
   * Namespaces of the destination pods (by `kubernetes.io/metadata.name`).
   * @default - the agent's own namespace (when `podLabels` is given)
   */
  readonly namespaces?: string[];

  /**
   * Labels of the destination pods.
   * @default - every pod of the selected namespaces
   */
  readonly podLabels?: { [key: string]: string };

  /**
   * TCP destination ports.
   * @default - no TCP port (then `udpPorts` is required)
   */
  readonly ports?: number[];

  /**
   * UDP destination ports.
   * @default - no UDP port (then `ports` is required)
   */
  readonly udpPorts?: number[];
}

/**
 * The NetworkPolicy of an agent (`AgentPod` prop `networkPolicy`).
 *
 * The policy selects the agent's pods and lists both `Ingress` and `Egress`
 * in `policyTypes`, so everything not allowed below is denied. Egress is
 * derived from the agent's declarations (LLM providers, tool sidecar, Redis
 * memory backend, git source, package installs): nothing is typed twice.
 *
 * A NetworkPolicy matches IP addresses, never DNS names. An endpoint whose
 * host is a public DNS name (`https://api.anthropic.com`) is therefore
 * allowed as "its port on any public address": a rule to `0.0.0.0/0` and
 * `::/0` that excludes private, shared (CGNAT), loopback and link-local
 * ranges, so it never reaches pods, nodes or the cloud metadata service
 * (`169.254.169.254`, `fd00:ec2::254`). Restricting by name needs an
 * egress proxy or a CNI with FQDN policies (Cilium, Calico Enterprise).
 */
export interface AgentNetworkPolicyOptions {
  /**
   * Whether to render the NetworkPolicy at all. When false nothing is
   * rendered and nothing below is checked.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Who may connect to the agent pods, one ingress rule per entry.
   * @default - none: no ingress at all (the agent only makes outbound calls)
   */
  readonly allowIngressFrom?: AgentIngressPeer[];

  /**
   * Egress beyond what the agent's declarations imply.
   * @default - none
   */
  readonly additionalEgress?: AgentEgressPeer[];

  /**
   * Whether to allow DNS (UDP and TCP 53) to the cluster DNS pods. Turn it
   * off when DNS goes elsewhere and give that through `additionalEgress`
   * (e.g. NodeLocal DNSCache at `169.254.20.10/32`).
   * @default true
   */
  readonly allowDns?: boolean;

  /**
   * Namespace of the cluster DNS pods.
   * @default 'kube-system'
   */
  readonly dnsNamespace?: string;

  /**
   * Labels of the cluster DNS pods (CoreDNS keeps kube-dns's label). An empty
   * map selects every pod of `dnsNamespace`.
   * @default { 'k8s-app': 'kube-dns' }
   */
  readonly dnsPodLabels?: { [key: string]: string };

  /**
   * The cluster's DNS domain, used to recognise in-cluster Service names
   * (`name.ns.svc.<clusterDomain>`).
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}
