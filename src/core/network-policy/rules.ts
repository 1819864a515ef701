/**
 * The rules of an agent's NetworkPolicy as plain data (what the derivation
 * returns and the construct renders), and the set egress destinations are
 * collected in: merged per peer, in a fixed order.
 */
import { Cidr, IpBlock, cidrSortKey, formatCidr } from '../cidr';

export type Protocol = 'TCP' | 'UDP';

/** One port of a rule (`ports[]` entry). */
export interface PortSpec {
  readonly protocol: Protocol;
  readonly port: number;
}

export const tcp = (port: number): PortSpec => ({ protocol: 'TCP', port });
export const udp = (port: number): PortSpec => ({ protocol: 'UDP', port });

/** One side of a rule (`to[]` / `from[]`). */
export type PolicyPeer =
  /**
   * Pods with `labels` (every pod when empty) in each of `namespaces`, by
   * `kubernetes.io/metadata.name`; in the policy's own namespace when empty.
   */
  | { readonly type: 'pods'; readonly namespaces: string[]; readonly labels: { [key: string]: string } }
  /** An `ipBlock`, in canonical text (`10.0.0.0/8`, `2001:db8::/32`). */
  | { readonly type: 'ipBlock'; readonly cidr: string; readonly except: string[] };

/** One egress or ingress rule. */
export interface PolicyRule {
  readonly peer: PolicyPeer;
  /** The ports; undefined means every port. */
  readonly ports?: PortSpec[];
}

/** The order of egress rules in the policy, whatever the order of the declarations. */
export enum Rank {
  DNS = 0,
  PODS = 1,
  IP = 2,
  PUBLIC = 3,
}

/** A destination while rules are collected: one namespace (or the agent's) for pods, CIDRs unprinted. */
export type EgressPeer =
  | { readonly type: 'pods'; readonly namespace?: string; readonly labels: { [key: string]: string } }
  | { readonly type: 'ip'; readonly block: IpBlock };

/** Egress rules keyed by peer, so two destinations on the same peer share one rule. */
export class EgressRuleSet {
  private readonly rules = new Map<string, { peer: EgressPeer; ports: Map<string, PortSpec> }>();

  public add(rank: Rank, peer: EgressPeer, ports: PortSpec[]): void {
    const key = `${rank}|${peerKey(peer)}`;
    let rule = this.rules.get(key);
    if (!rule) {
      rule = { peer, ports: new Map() };
      this.rules.set(key, rule);
    }
    for (const p of ports) rule.ports.set(`${p.protocol}/${p.port}`, p);
  }

  /** Rules by rank, then peer; ports by number, then protocol. */
  public sorted(): PolicyRule[] {
    return [...this.rules.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, rule]) => ({
        peer: toPolicyPeer(rule.peer),
        ports: [...rule.ports.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)),
      }));
  }
}

function peerKey(peer: EgressPeer): string {
  if (peer.type === 'ip') return `ip|${cidrSortKey(peer.block.cidr)}|${peer.block.except.map(cidrSortKey).join(',')}`;
  const labels = Object.keys(peer.labels).sort().map(k => [k, peer.labels[k]]);
  // The agent's own namespace (no namespaceSelector) first, then by name.
  return `pods|${peer.namespace === undefined ? '0' : `1${peer.namespace}`}|${JSON.stringify(labels)}`;
}

function toPolicyPeer(peer: EgressPeer): PolicyPeer {
  if (peer.type === 'ip') return ipBlockPeer(peer.block.cidr, peer.block.except);
  return { type: 'pods', namespaces: peer.namespace === undefined ? [] : [peer.namespace], labels: { ...peer.labels } };
}

/** An `ipBlock` peer in canonical text. */
export function ipBlockPeer(cidr: Cidr, except: Cidr[]): PolicyPeer {
  return { type: 'ipBlock', cidr: formatCidr(cidr), except: except.map(formatCidr) };
}
