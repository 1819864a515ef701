/**
 * The egress an agent needs, derived from its declarations (LLM providers,
 * tool sidecar and its MCP servers, Redis memory, git source, package installs) and the user's
 * options (DNS, extra peers). Plain data in, plain data out: no constructs.
 */
import { classifyHost, hostAndPort, isHost, scpHost } from './destination';
import { PUBLIC_IP_BLOCKS, classifyIp, hostCidr, parseIp } from '../../core/cidr';
import {
  addDnsEgress, AgentEgressPeer, AgentNetworkPolicyOptions, EgressRuleSet, PolicyInput, PolicyRule, PortSpec, Rank, tcp, udp,
} from '../../core/network-policy';
import { LlmProvider } from '../llm-provider';
import { ToolSidecar } from '../tool-sidecar';

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
   * The agent's LLM providers: each endpoint's host and port, or the pods
   * of an in-cluster Service's namespace on its target port; for Bedrock
   * through EKS Pod Identity, the Pod Identity Agent (169.254.170.23 and
   * fd00:ec2::23, TCP 80).
   * @default - none
   */
  readonly llmProviders?: LlmProvider[];

  /**
   * The tool sidecar: custom tool sources (`https://`, `http://`
   * URLs), its remote MCP servers' URLs, and TCP 443 to public addresses
   * when it has required or optional tools, which it installs from package
   * registries over HTTPS. (What a stdio MCP server reaches cannot be known
   * from its command: give it as `additionalEgress`.)
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

/** Schemes of each kind of URL, with their default ports. */
const ENDPOINT_PORTS = { 'https:': 443, 'http:': 80 };
const TOOL_SOURCE_PORTS = { ...ENDPOINT_PORTS, 'oci:': 443 };
const GIT_PORTS = { ...ENDPOINT_PORTS, 'ssh:': 22 };
const HTTPS = [tcp(443)];
/**
 * The EKS Pod Identity Agent, on every node (link-local and unique-local
 * addresses, which "any public address" leaves out), where the AWS SDK gets
 * the credentials of an EKS Pod Identity association.
 */
const EKS_POD_IDENTITY_AGENT = ['169.254.170.23', 'fd00:ec2::23'].map(a => parseIp(a)!);

/**
 * The egress rules of an agent: DNS (unless `options.allowDns` is false),
 * the agent's Redis, LLM providers, tool sources, remote MCP servers, git source and package
 * registries, and `options.additionalEgress`.
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
 * @throws if an option is invalid, or a derived destination is a cloud metadata address
 */
export function deriveEgress(sources: AgentEgressSources, options: AgentNetworkPolicyOptions, input: PolicyInput): PolicyRule[] {
  const clusterDomain = input.domain(input.option('clusterDomain'), options.clusterDomain ?? 'cluster.local');
  const egress = new EgressDerivation(input, clusterDomain);
  addDnsEgress(egress.rules, input, options);
  if (sources.redis) egress.redis(sources.redis);
  for (const provider of sources.llmProviders ?? []) egress.llmProvider(provider);
  if (sources.toolSidecar) egress.toolSidecar(sources.toolSidecar);
  if (sources.gitRepository !== undefined) egress.git(sources.gitRepository);
  if (sources.installsPackages) egress.anyPublic(HTTPS);
  (options.additionalEgress ?? []).forEach((peer, i) => egress.additional(input.option(`additionalEgress[${i}]`), peer));
  return egress.rules.sorted();
}

/** Collects the rules of one derivation; each method adds what one declaration implies. */
class EgressDerivation {
  public readonly rules = new EgressRuleSet();

  public constructor(private readonly input: PolicyInput, private readonly clusterDomain: string) {}

  /** Ports to any public address: what a name a NetworkPolicy cannot match becomes. */
  public anyPublic(ports: PortSpec[]): void {
    for (const block of PUBLIC_IP_BLOCKS) this.rules.add(Rank.PUBLIC, { type: 'ip', block }, ports);
  }

  /**
   * The rule for one destination host; `field` names it in errors. A host the
   * library derived (`derived`) must not be a cloud metadata address; one the
   * user gave in `additionalEgress` may.
   */
  public host(field: string, host: string, ports: PortSpec[], twoLabelIsService: boolean, derived: boolean): void {
    const destination = classifyHost(host, this.clusterDomain, twoLabelIsService);
    switch (destination.kind) {
      case 'local':
        return;
      case 'service':
        this.rules.add(Rank.PODS, { type: 'pods', namespace: destination.namespace, labels: {} }, ports);
        return;
      case 'ip':
        if (derived && classifyIp(destination.address) === 'metadata') {
          this.input.fail(field, host, 'is a cloud metadata address; an agent must not reach it');
        }
        this.rules.add(Rank.IP, { type: 'ip', block: { cidr: hostCidr(destination.address), except: [] } }, ports);
        return;
      case 'public':
        this.anyPublic(ports);
        return;
    }
  }

  /** The rule for a URL's host and port. */
  public url(field: string, text: string, defaultPorts: { [scheme: string]: number }): void {
    const target = hostAndPort(text, defaultPorts);
    if (!target) {
      const schemes = Object.keys(defaultPorts).map(s => `${s}//`).join(', ');
      return this.input.fail(field, text ?? '', `is not a URL with one of the schemes ${schemes}`);
    }
    this.host(field, target.host, [tcp(target.port)], false, true);
  }

  /**
   * An LLM provider: its in-cluster Service (the pods of its namespace on the
   * target port), else its endpoint's host and port; and for Bedrock through
   * EKS Pod Identity, the node's Pod Identity Agent.
   */
  public llmProvider(provider: LlmProvider): void {
    const service = provider._egressService();
    if (service) {
      this.rules.add(Rank.PODS, { type: 'pods', namespace: service.namespace, labels: {} }, [tcp(service.port)]);
    } else {
      this.url(`llmProviders['${provider.name}'].endpoint`, provider.endpoint, ENDPOINT_PORTS);
    }
    if (provider._workloadIdentity() === 'eks-pod-identity') {
      for (const address of EKS_POD_IDENTITY_AGENT) this.rules.add(Rank.IP, { type: 'ip', block: { cidr: hostCidr(address), except: [] } }, [tcp(80)]);
    }
  }

  public redis(redis: AgentRedisDestination): void {
    const ports = [tcp(this.input.port('memory.backend.address port', redis.port))];
    this.input.nonEmpty('memory.backend.address host', redis.host);
    this.typedHost('memory.backend.address host', redis.host);
    if (redis.namespace === undefined && redis.podLabels === undefined) {
      this.host('memory.backend.address', redis.host, ports, true, true);
      return;
    }
    const fromHost = classifyHost(redis.host, this.clusterDomain, true);
    const namespace = redis.namespace !== undefined
      ? this.input.namespace('memory.backend namespace', redis.namespace)
      : fromHost.kind === 'service' ? fromHost.namespace : undefined;
    const labels = redis.podLabels === undefined ? {} : this.input.labels('memory.backend podLabels', redis.podLabels);
    this.rules.add(Rank.PODS, { type: 'pods', namespace, labels }, ports);
  }

  public toolSidecar(sidecar: ToolSidecar): void {
    for (const tool of sidecar.customTools) {
      this.url(`toolSidecar.custom['${tool.name}'].source`, tool.source, TOOL_SOURCE_PORTS);
    }
    for (const server of sidecar.mcpServers) {
      if (server.url !== undefined) this.url(`toolSidecar.mcpServers['${server.name}'].url`, server.url, ENDPOINT_PORTS);
    }
    if (sidecar.requiredTools.length + sidecar.optionalTools.length > 0) this.anyPublic(HTTPS);
  }

  public git(repository: string): void {
    const host = scpHost(repository);
    if (host !== undefined) {
      this.host('code.source.repository', this.typedHost('code.source.repository host', host), [tcp(22)], false, true);
    } else {
      this.url('code.source.repository', repository, GIT_PORTS);
    }
  }

  /** One `additionalEgress` entry; `at` is its field name (`networkPolicy.additionalEgress[0]`). */
  public additional(at: string, peer: AgentEgressPeer): void {
    const ports = [
      ...this.input.ports(`${at}.ports`, peer.ports ?? []).map(tcp),
      ...this.input.ports(`${at}.udpPorts`, peer.udpPorts ?? []).map(udp),
    ];
    if (ports.length === 0) this.input.fail(`${at}.ports`, peer.ports ?? [], 'is empty: give at least one TCP port (ports) or UDP port (udpPorts)');
    const selects = peer.namespaces !== undefined || peer.podLabels !== undefined;
    if ([peer.host !== undefined, peer.cidr !== undefined, selects].filter(Boolean).length !== 1) {
      this.input.fail(at, peer, 'must give exactly one of host, cidr, or namespaces/podLabels');
    }
    if (peer.exceptCidrs !== undefined && peer.cidr === undefined) this.input.fail(`${at}.exceptCidrs`, peer.exceptCidrs, 'is only allowed with cidr');
    if (peer.host !== undefined) {
      this.host(`${at}.host`, this.typedHost(`${at}.host`, peer.host), ports, false, false);
    } else if (peer.cidr !== undefined) {
      const cidr = this.input.cidr(`${at}.cidr`, peer.cidr);
      this.rules.add(Rank.IP, { type: 'ip', block: { cidr, except: this.input.except(`${at}.exceptCidrs`, cidr, peer.exceptCidrs) } }, ports);
    } else {
      this.pods(at, peer, ports);
    }
  }

  /**
   * Checks a host typed as such (not read from a URL, which the URL parser
   * checked): a malformed one must fail, not become "any public address".
   */
  private typedHost(field: string, host: string): string {
    if (!isHost(host)) this.input.fail(field, host, 'is not a host name or IP address');
    return host;
  }

  /** The pods of an `additionalEgress` entry: one rule per namespace. */
  private pods(at: string, peer: AgentEgressPeer, ports: PortSpec[]): void {
    const labels = this.input.labels(`${at}.podLabels`, peer.podLabels ?? {});
    const namespaces = peer.namespaces === undefined
      ? [undefined]
      : peer.namespaces.map((ns, j) => this.input.namespace(`${at}.namespaces[${j}]`, ns));
    if (namespaces.length === 0) this.input.fail(`${at}.namespaces`, [], 'is empty: leave it out to mean the agent\'s namespace');
    for (const namespace of namespaces) this.rules.add(Rank.PODS, { type: 'pods', namespace, labels }, ports);
  }
}
