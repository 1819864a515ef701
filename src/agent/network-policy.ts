import {
  NetworkPolicy,
  NetworkPolicyIpBlock,
  NetworkPolicyPort,
  NetworkPolicyTrafficDefault,
  Namespaces,
  Pods,
} from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LlmProvider } from './llm-provider';
import { ToolSidecar } from './tool-sidecar';
import {
  Cidr, IpAddress, PUBLIC_IP_BLOCKS, checkCidr as checkCidrText, checkCidrInside, cidrSortKey, classifyIp, formatCidr, hostCidr, parseIp,
} from '../core/cidr';
import {
  checkDns1123Label,
  checkDns1123Subdomain,
  checkLabelKey,
  checkLabelValue,
  checkNonEmpty,
  checkPort,
  fail,
} from '../core/validation';

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
  readonly except?: string[];

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
   * as "any public address", so its ports join the wide public rule.
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
  readonly except?: string[];

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

/** The Redis an agent keeps its memory in (from `MemoryBackend.redis`). */
export interface AgentRedisDestination {
  /**
   * Host of the Redis address: an in-cluster Service name (`name`, `name.ns`,
   * `name.ns.svc`, `name.ns.svc.cluster.local`, or a StatefulSet pod's
   * `pod.name.ns.svc...`), an IP address, or an external DNS name.
   */
  readonly host: string;

  /** Redis TCP port. */
  readonly port: number;

  /**
   * Labels of the Redis pods, when known (e.g. a Redis deployed by this
   * library); narrows the rule from "every pod of the namespace".
   * Implies the Redis runs in the cluster.
   * @default - every pod of the Redis namespace
   */
  readonly podLabels?: { [key: string]: string };

  /**
   * Namespace of the Redis pods. Implies the Redis runs in the cluster,
   * whatever the host looks like.
   * @default - taken from the host name; the agent's namespace for a bare name
   */
  readonly namespace?: string;
}

/** What an agent's egress is derived from; all of it is known to `AgentPod`. */
export interface AgentEgressSources {
  /**
   * The agent's LLM providers: each endpoint's host and port.
   * @default - none
   */
  readonly llmProviders?: LlmProvider[];

  /**
   * The tool sidecar: custom tool sources (`https://`, `http://`, `oci://`
   * URLs), and TCP 443 to public addresses when it has required or optional
   * tools, which it installs from package registries over HTTPS.
   * @default - no sidecar
   */
  readonly toolSidecar?: ToolSidecar;

  /**
   * The Redis memory backend.
   * @default - no Redis
   */
  readonly redis?: AgentRedisDestination;

  /**
   * The git repository the init container clones (`https://`, `http://`,
   * `ssh://` or `git@host:path`; ssh defaults to port 22).
   * @default - no clone
   */
  readonly gitRepository?: string;

  /**
   * Whether the init container installs packages (pip / npm) from public
   * registries: TCP 443 to public addresses.
   * @default false
   */
  readonly installsPackages?: boolean;
}

/** Props of {@link addAgentNetworkPolicy}. */
export interface AgentNetworkPolicyProps {
  /** Name of the NetworkPolicy (the agent name). */
  readonly agentName: string;
  /**
   * Namespace of the policy (the agent's).
   * @default - none: the namespace of `kubectl apply`
   */
  readonly namespace?: string;
  /** Labels selecting the agent pods (`spec.podSelector.matchLabels`). */
  readonly podSelector: { [key: string]: string };
  /** Labels of the NetworkPolicy object. */
  readonly labels: { [key: string]: string };
  /**
   * The user's options.
   * @default - enabled, no ingress, no additional egress
   */
  readonly options?: AgentNetworkPolicyOptions;
  /** What egress is derived from. */
  readonly sources: AgentEgressSources;
  /**
   * Path of the AgentPod, for error messages (`AgentPod '<where>': ...`).
   * @default - errors name `NetworkPolicy '<agentName>'`
   */
  readonly where?: string;
}

// ---------------------------------------------------------------------------
// Destinations derived from host names.
// ---------------------------------------------------------------------------

type Destination =
  /** Loopback: never filtered by a NetworkPolicy, so no rule. */
  | { readonly kind: 'local' }
  /** An in-cluster Service; `namespace` undefined = the agent's namespace. */
  | { readonly kind: 'service'; readonly namespace?: string }
  | { readonly kind: 'ip'; readonly address: IpAddress }
  /** A DNS name outside the cluster: only "any public address" can match it. */
  | { readonly kind: 'public' };

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * What a host name or IP address is, for a NetworkPolicy.
 * @param twoLabelIsService whether `name.ns` is a Service `name` in namespace
 *   `ns` (true for a Redis address, where that short form is usual; false for
 *   URLs, where `openrouter.ai` is a public name).
 */
function classifyHost(rawHost: string, clusterDomain: string, twoLabelIsService: boolean): Destination {
  let host = rawHost.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const ip = parseIp(host);
  if (ip) return classifyIp(ip) === 'loopback' ? { kind: 'local' } : { kind: 'ip', address: ip };
  // A trailing dot makes the name absolute: the resolver's search list (which
  // is what turns `redis.data` into a Service name) no longer applies.
  const absolute = host.endsWith('.');
  const labels = (absolute ? host.slice(0, -1) : host).split('.');
  if (labels[labels.length - 1] === 'localhost') return { kind: 'local' };
  const domain = clusterDomain.split('.');
  const svc = labels.lastIndexOf('svc');
  const endsWithSvc = svc === labels.length - 1 && !absolute;
  const endsWithDomain = svc >= 0 && labels.slice(svc + 1).join('.') === domain.join('.');
  if (svc >= 2 && (endsWithSvc || endsWithDomain) && labels.slice(0, svc).every(l => LABEL.test(l))) {
    return { kind: 'service', namespace: labels[svc - 1] };
  }
  if (!absolute && labels.length === 1 && LABEL.test(labels[0])) return { kind: 'service' };
  if (!absolute && twoLabelIsService && labels.length === 2 && labels.every(l => LABEL.test(l))) {
    return { kind: 'service', namespace: labels[1] };
  }
  return { kind: 'public' };
}

// ---------------------------------------------------------------------------
// Rules.
// ---------------------------------------------------------------------------

type Protocol = 'TCP' | 'UDP';

interface PortSpec { readonly protocol: Protocol; readonly port: number }

type Peer =
  | { readonly type: 'pods'; readonly namespace?: string; readonly labels: { [key: string]: string } }
  | { readonly type: 'ip'; readonly cidr: Cidr; readonly except: Cidr[] };

/** Egress rules keyed by peer, so two destinations on the same peer share one rule. */
class EgressRules {
  private readonly rules = new Map<string, { rank: number; peer: Peer; ports: Map<string, PortSpec> }>();

  public add(rank: number, peer: Peer, ports: PortSpec[]): void {
    const key = `${rank}|${peerKey(peer)}`;
    let rule = this.rules.get(key);
    if (!rule) {
      rule = { rank, peer, ports: new Map() };
      this.rules.set(key, rule);
    }
    for (const p of ports) rule.ports.set(`${p.protocol}/${p.port}`, p);
  }

  /** Rules by rank, then peer; ports by number, then protocol. */
  public sorted(): Array<{ peer: Peer; ports: PortSpec[] }> {
    return [...this.rules.entries()]
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([, r]) => ({
        peer: r.peer,
        ports: [...r.ports.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)),
      }));
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function peerKey(peer: Peer): string {
  if (peer.type === 'ip') return `ip|${cidrSortKey(peer.cidr)}|${peer.except.map(cidrSortKey).join(',')}`;
  const labels = Object.keys(peer.labels).sort().map(k => [k, peer.labels[k]]);
  // The agent's own namespace (no namespaceSelector) first, then by name.
  return `pods|${peer.namespace === undefined ? '0' : `1${peer.namespace}`}|${JSON.stringify(labels)}`;
}

/** Ranks: the order of rules in the rendered policy. */
const RANK_DNS = 0;
const RANK_PODS = 1;
const RANK_IP = 2;
const RANK_PUBLIC = 3;

const tcp = (port: number): PortSpec => ({ protocol: 'TCP', port });

/**
 * Creates the NetworkPolicy of an agent (name = `agentName`): default deny
 * for ingress and egress, then DNS, the agent's Redis, LLM providers, tool
 * sources, git source and package registries, the user's extra egress, and
 * ingress only from `options.allowIngressFrom`.
 *
 * How a destination becomes a rule:
 * - an in-cluster Service name (`name`, `name.ns.svc`,
 *   `name.ns.svc.cluster.local`; for Redis also `name.ns`): its port to every
 *   pod of that namespace (a Service's pods cannot be known from its name;
 *   Redis `podLabels` narrows it). A bare `name` is the agent's namespace.
 * - an IP address: its port to that address alone (`/32`, `/128`), even a
 *   private one (a self-hosted model at `10.1.2.3`).
 * - any other name: its port to every public address (see
 *   {@link AgentNetworkPolicyOptions}); URLs with a two-label host such as
 *   `openrouter.ai` count as public names, write `name.ns.svc` for a Service.
 * - loopback (`localhost`, `127.0.0.1`, `::1`): no rule, NetworkPolicy does
 *   not filter it.
 * Ports: the URL's, else 443 for `https://` and `oci://`, 80 for `http://`,
 * 22 for ssh git URLs. Ports are de-duplicated and sorted, rules are merged
 * per peer and ordered DNS, pods, IP blocks, public, whatever the order of
 * the declarations.
 *
 * @returns the policy, or undefined when `options.enabled` is false
 * @throws if an option is invalid, or a derived destination is a cloud metadata address
 */
export function addAgentNetworkPolicy(scope: Construct, id: string, props: AgentNetworkPolicyProps): NetworkPolicy | undefined {
  const options = props.options ?? {};
  if (options.enabled === false) return undefined;

  const kind = props.where === undefined ? 'NetworkPolicy' : 'AgentPod';
  const where = props.where ?? props.agentName;
  const field = (name: string) => (props.where === undefined ? name : `networkPolicy.${name}`);
  const bad = (name: string, value: unknown, problem: string): never => fail(kind, where, field(name), value, problem);

  /** Checks labels; `name` is an option field unless `derived`. */
  const checkLabels = (name: string, labels: { [key: string]: string }, derived = false) => {
    const at = (n: string) => (derived ? n : field(n));
    for (const [key, value] of Object.entries(labels)) {
      checkLabelKey(kind, where, at(`${name} key`), key);
      checkLabelValue(kind, where, at(`${name}['${key}']`), value);
    }
    return { ...labels };
  };
  const checkNamespace = (name: string, value: string) => checkDns1123Label(kind, where, field(name), value);
  const checkPorts = (name: string, ports: number[]) => ports.map((p, i) => checkPort(kind, where, field(`${name}[${i}]`), p));
  const checkCidr = (name: string, text: string): Cidr => checkCidrText(kind, where, field(name), text);
  const checkExcept = (name: string, cidr: Cidr | undefined, except: string[] | undefined): Cidr[] => {
    if (except === undefined) return [];
    if (!cidr) return bad(name, except, 'is only allowed with cidr');
    return except.map((text, i) => checkCidrInside(kind, where, field(`${name}[${i}]`), text, cidr));
  };

  const clusterDomain = checkDns1123Subdomain(kind, where, field('clusterDomain'), options.clusterDomain ?? 'cluster.local');
  const egress = new EgressRules();
  /** Ports to any public address: a name a NetworkPolicy cannot match. */
  const addPublic = (ports: PortSpec[]) => {
    for (const block of PUBLIC_IP_BLOCKS) egress.add(RANK_PUBLIC, { type: 'ip', cidr: block.cidr, except: block.except }, ports);
  };

  /** Adds the rule for one destination host; `source` names the declaration in errors. */
  const addHost = (source: string, host: string, ports: PortSpec[], twoLabelIsService: boolean, derived: boolean) => {
    const destination = classifyHost(host, clusterDomain, twoLabelIsService);
    switch (destination.kind) {
      case 'local':
        return;
      case 'service':
        egress.add(RANK_PODS, { type: 'pods', namespace: destination.namespace, labels: {} }, ports);
        return;
      case 'ip':
        if (derived && classifyIp(destination.address) === 'metadata') {
          fail(kind, where, source, host, 'is a cloud metadata address; an agent must not reach it');
        }
        egress.add(RANK_IP, { type: 'ip', cidr: hostCidr(destination.address), except: [] }, ports);
        return;
      case 'public':
        addPublic(ports);
        return;
    }
  };
  /** Adds the rule for a URL's host and port. */
  const addUrl = (source: string, text: string, defaultPorts: { [protocol: string]: number }) => {
    let url: URL | undefined;
    try {
      url = new URL(text);
    } catch {
      url = undefined;
    }
    const defaultPort = url ? defaultPorts[url.protocol] : undefined;
    if (!url || defaultPort === undefined || !url.hostname) {
      fail(kind, where, source, text ?? '', `is not a URL with one of the schemes ${Object.keys(defaultPorts).map(s => `${s}//`).join(', ')}`);
    }
    addHost(source, url.hostname, [tcp(url.port ? Number(url.port) : defaultPort)], false, true);
  };

  // DNS.
  if (options.allowDns !== false) {
    const dnsNamespace = checkNamespace('dnsNamespace', options.dnsNamespace ?? 'kube-system');
    const dnsLabels = checkLabels('dnsPodLabels', options.dnsPodLabels ?? { 'k8s-app': 'kube-dns' });
    egress.add(RANK_DNS, { type: 'pods', namespace: dnsNamespace, labels: dnsLabels }, [{ protocol: 'UDP', port: 53 }, tcp(53)]);
  }

  // Redis.
  const redis = props.sources.redis;
  if (redis) {
    const redisPort = [tcp(checkPort(kind, where, 'memory.backend.address port', redis.port))];
    checkNonEmpty(kind, where, 'memory.backend.address host', redis.host);
    if (redis.namespace !== undefined || redis.podLabels !== undefined) {
      const fromHost = classifyHost(redis.host, clusterDomain, true);
      const namespace = redis.namespace !== undefined
        ? checkDns1123Label(kind, where, 'memory.backend namespace', redis.namespace)
        : fromHost.kind === 'service' ? fromHost.namespace : undefined;
      const labels = redis.podLabels === undefined ? {} : checkLabels('memory.backend podLabels', redis.podLabels, true);
      egress.add(RANK_PODS, { type: 'pods', namespace, labels }, redisPort);
    } else {
      addHost('memory.backend.address', redis.host, redisPort, true, true);
    }
  }

  // LLM providers.
  for (const provider of props.sources.llmProviders ?? []) {
    addUrl(`llmProviders['${provider.name}'].endpoint`, provider.endpoint, { 'https:': 443, 'http:': 80 });
  }

  // Tool sidecar.
  const sidecar = props.sources.toolSidecar;
  if (sidecar) {
    for (const tool of sidecar.customTools) {
      addUrl(`toolSidecar.custom['${tool.name}'].source`, tool.source, { 'https:': 443, 'http:': 80, 'oci:': 443 });
    }
    if (sidecar.requiredTools.length + sidecar.optionalTools.length > 0) {
      addPublic([tcp(443)]);
    }
  }

  // Git source and package installs of the init container.
  const git = props.sources.gitRepository;
  if (git !== undefined) {
    const scp = /^[^@\s/]+@([^:/\s]+):/.exec(git);
    if (scp) {
      addHost('code.source.repository', scp[1], [tcp(22)], false, true);
    } else {
      addUrl('code.source.repository', git, { 'https:': 443, 'http:': 80, 'ssh:': 22 });
    }
  }
  if (props.sources.installsPackages) {
    addPublic([tcp(443)]);
  }

  // The user's extra egress.
  (options.additionalEgress ?? []).forEach((peer, i) => {
    const name = `additionalEgress[${i}]`;
    const ports: PortSpec[] = [
      ...checkPorts(`${name}.ports`, peer.ports ?? []).map(tcp),
      ...checkPorts(`${name}.udpPorts`, peer.udpPorts ?? []).map((port): PortSpec => ({ protocol: 'UDP', port })),
    ];
    if (ports.length === 0) bad(`${name}.ports`, peer.ports ?? [], 'is empty: give at least one TCP port (ports) or UDP port (udpPorts)');
    const selects = peer.namespaces !== undefined || peer.podLabels !== undefined;
    const given = [peer.host !== undefined, peer.cidr !== undefined, selects].filter(Boolean).length;
    if (given !== 1) {
      bad(name, peer, 'must give exactly one of host, cidr, or namespaces/podLabels');
    }
    if (peer.except !== undefined && peer.cidr === undefined) bad(`${name}.except`, peer.except, 'is only allowed with cidr');
    if (peer.host !== undefined) {
      const host = peer.host;
      if (typeof host !== 'string' || !(parseIp(host.replace(/^\[(.*)\]$/, '$1')) || /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\.?$/i.test(host))) {
        bad(`${name}.host`, host ?? '', 'is not a host name or IP address');
      }
      addHost(field(`${name}.host`), host, ports, false, false);
    } else if (peer.cidr !== undefined) {
      const cidr = checkCidr(`${name}.cidr`, peer.cidr);
      egress.add(RANK_IP, { type: 'ip', cidr, except: checkExcept(`${name}.except`, cidr, peer.except) }, ports);
    } else {
      const labels = checkLabels(`${name}.podLabels`, peer.podLabels ?? {});
      const namespaces = peer.namespaces === undefined ? [undefined] : peer.namespaces.map((ns, j) => checkNamespace(`${name}.namespaces[${j}]`, ns));
      if (namespaces.length === 0) bad(`${name}.namespaces`, [], 'is empty: leave it out to mean the agent\'s namespace');
      for (const namespace of namespaces) egress.add(RANK_PODS, { type: 'pods', namespace, labels }, ports);
    }
  });

  // Ingress, in the order given.
  const ingress = (options.allowIngressFrom ?? []).map((peer, i) => {
    const name = `allowIngressFrom[${i}]`;
    const ports = peer.ports === undefined ? undefined : [...new Set(checkPorts(`${name}.ports`, peer.ports))].sort((a, b) => a - b);
    if (ports && ports.length === 0) bad(`${name}.ports`, [], 'is empty: leave it out to allow every port');
    const selects = peer.namespaces !== undefined || peer.podLabels !== undefined;
    if (selects === (peer.cidr !== undefined)) {
      bad(name, peer, 'must give either cidr, or namespaces and/or podLabels (a peer is an IP block or a pod selector, not both)');
    }
    if (peer.cidr !== undefined) {
      const cidr = checkCidr(`${name}.cidr`, peer.cidr);
      return { peer: { type: 'ip', cidr, except: checkExcept(`${name}.except`, cidr, peer.except) } as Peer, namespaces: [], ports };
    }
    if (peer.except !== undefined) bad(`${name}.except`, peer.except, 'is only allowed with cidr');
    const namespaces = (peer.namespaces ?? []).map((ns, j) => checkNamespace(`${name}.namespaces[${j}]`, ns));
    if (peer.namespaces !== undefined && namespaces.length === 0) bad(`${name}.namespaces`, [], 'is empty: leave it out to mean the agent\'s namespace');
    const labels = checkLabels(`${name}.podLabels`, peer.podLabels ?? {});
    return { peer: { type: 'pods', labels } as Peer, namespaces, ports };
  });

  // Render. policyTypes lists Egress then Ingress whatever the rules: with
  // DENY defaults cdk8s-plus adds both even when a direction has no rule.
  const policy = new NetworkPolicy(scope, id, {
    metadata: { name: props.agentName, namespace: props.namespace, labels: { ...props.labels } },
    selector: Pods.select(scope, `${id}Selector`, { labels: { ...props.podSelector } }),
    egress: { default: NetworkPolicyTrafficDefault.DENY },
    ingress: { default: NetworkPolicyTrafficDefault.DENY },
  });
  const toPorts = (ports: PortSpec[]) => ports.map(p => (p.protocol === 'TCP' ? NetworkPolicyPort.tcp(p.port) : NetworkPolicyPort.udp(p.port)));
  let n = 0;
  const render = (peer: Peer, namespaces: Array<string | undefined>) => {
    n++;
    if (peer.type === 'ip') {
      const cidr = formatCidr(peer.cidr);
      const except = peer.except.length ? peer.except.map(formatCidr) : undefined;
      return peer.cidr.address.kind() === 'ipv4'
        ? NetworkPolicyIpBlock.ipv4(policy, `Peer${n}`, cidr, except)
        : NetworkPolicyIpBlock.ipv6(policy, `Peer${n}`, cidr, except);
    }
    const names = namespaces.filter((ns): ns is string => ns !== undefined);
    return Pods.select(policy, `Peer${n}`, {
      labels: { ...peer.labels },
      namespaces: names.length ? Namespaces.select(policy, `Peer${n}Namespaces`, { names }) : undefined,
    });
  };
  for (const rule of egress.sorted()) {
    const namespaces = rule.peer.type === 'pods' ? [rule.peer.namespace] : [];
    policy.addEgressRule(render(rule.peer, namespaces), toPorts(rule.ports));
  }
  for (const rule of ingress) {
    policy.addIngressRule(render(rule.peer, rule.namespaces), rule.ports ? toPorts(rule.ports.map(tcp)) : undefined);
  }
  return policy;
}
