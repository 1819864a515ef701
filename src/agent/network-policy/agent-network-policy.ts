/**
 * The NetworkPolicy of an agent as a construct: it derives the rules
 * (`egress.ts`, `ingress.ts`) when created, so bad input fails at once, and
 * renders them with cdk8s-plus, whose NetworkPolicy builds its spec lazily.
 */
import {
  INetworkPolicyPeer, Namespaces, NetworkPolicy, NetworkPolicyIpBlock, NetworkPolicyPort, NetworkPolicyTrafficDefault, Pods,
} from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AgentEgressSources, deriveEgress } from './egress';
import { deriveIngress } from './ingress';
import { PolicyInput } from './input';
import { AgentNetworkPolicyOptions } from './options';
import { PolicyPeer, PolicyRule, PortSpec } from './rules';

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

/**
 * The NetworkPolicy of an agent (name = `agentName`): default deny for
 * ingress and egress (`policyTypes` lists both whatever the rules), then the
 * egress of {@link deriveEgress} (DNS to the cluster DNS pods first) and the
 * ingress of {@link deriveIngress} (none unless `options.allowIngressFrom`).
 * `options.enabled` is not looked at: see {@link addAgentNetworkPolicy}.
 *
 * The pod selector is a sibling construct, `<id>Selector`, as cdk8s-plus
 * needs it before the policy exists.
 */
export class AgentNetworkPolicy extends NetworkPolicy {
  /** The egress rules, in the rendered order. */
  public readonly egressRules: PolicyRule[];
  /** The ingress rules, in the rendered order. */
  public readonly ingressRules: PolicyRule[];

  /** @throws if an option is invalid, or a derived destination is a cloud metadata address */
  public constructor(scope: Construct, id: string, props: AgentNetworkPolicyProps) {
    // Derived before anything joins the construct tree: bad input leaves no half-built policy.
    const options = props.options ?? {};
    const input = PolicyInput.of(props.agentName, props.where);
    const egressRules = deriveEgress(props.sources, options, input);
    const ingressRules = deriveIngress(options.allowIngressFrom ?? [], input);
    super(scope, id, {
      metadata: { name: props.agentName, namespace: props.namespace, labels: { ...props.labels } },
      selector: Pods.select(scope, `${id}Selector`, { labels: { ...props.podSelector } }),
      egress: { default: NetworkPolicyTrafficDefault.DENY },
      ingress: { default: NetworkPolicyTrafficDefault.DENY },
    });
    this.egressRules = egressRules;
    this.ingressRules = ingressRules;
    let n = 0;
    for (const rule of egressRules) this.addEgressRule(this.peer(`Peer${++n}`, rule.peer), toPorts(rule.ports ?? []));
    for (const rule of ingressRules) this.addIngressRule(this.peer(`Peer${++n}`, rule.peer), rule.ports && toPorts(rule.ports));
  }

  private peer(id: string, peer: PolicyPeer): INetworkPolicyPeer {
    if (peer.type === 'ipBlock') {
      const except = peer.except.length ? [...peer.except] : undefined;
      // The two factories differ only in the syntax they accept.
      return peer.cidr.includes(':')
        ? NetworkPolicyIpBlock.ipv6(this, id, peer.cidr, except)
        : NetworkPolicyIpBlock.ipv4(this, id, peer.cidr, except);
    }
    return Pods.select(this, id, {
      labels: { ...peer.labels },
      namespaces: peer.namespaces.length ? Namespaces.select(this, `${id}Namespaces`, { names: [...peer.namespaces] }) : undefined,
    });
  }
}

function toPorts(ports: PortSpec[]): NetworkPolicyPort[] {
  return ports.map(p => (p.protocol === 'TCP' ? NetworkPolicyPort.tcp(p.port) : NetworkPolicyPort.udp(p.port)));
}

/**
 * Creates the NetworkPolicy of an agent, an {@link AgentNetworkPolicy}
 * (see {@link deriveEgress} for how destinations become rules).
 *
 * @returns the policy, or undefined when `options.enabled` is false
 * @throws if an option is invalid, or a derived destination is a cloud metadata address
 */
export function addAgentNetworkPolicy(scope: Construct, id: string, props: AgentNetworkPolicyProps): NetworkPolicy | undefined {
  return props.options?.enabled === false ? undefined : new AgentNetworkPolicy(scope, id, props);
}
