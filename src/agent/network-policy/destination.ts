/**
 * What a destination host is for a NetworkPolicy, which matches IP
 * addresses and pods but never DNS names: loopback (not filtered), an
 * in-cluster Service (its namespace's pods), an IP address, or a public name
 * (only "any public address" can match it). Also how hosts and ports are read
 * from URLs and scp-like git addresses.
 */
import { IpAddress, classifyIp, parseIp } from '../../core/cidr';
import { isDns1123Label } from '../../core/validation';

export type Destination =
  /** Loopback: never filtered by a NetworkPolicy, so no rule. */
  | { readonly kind: 'local' }
  /** An in-cluster Service; `namespace` undefined = the agent's namespace. */
  | { readonly kind: 'service'; readonly namespace?: string }
  | { readonly kind: 'ip'; readonly address: IpAddress }
  /** A DNS name outside the cluster: only "any public address" can match it. */
  | { readonly kind: 'public' };

/** A label of a host name (RFC 1123): letters, digits and inner hyphens, at most 63. */
const HOST_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/i;

/**
 * What a host name or IP address is, for a NetworkPolicy.
 * @param rawHost a name, an IP address, or an IPv6 address in brackets
 * @param clusterDomain the cluster's DNS domain (`cluster.local`)
 * @param twoLabelIsService whether `name.ns` is a Service `name` in namespace
 *   `ns` (true for a Redis address, where that short form is usual; false for
 *   URLs, where `openrouter.ai` is a public name).
 */
export function classifyHost(rawHost: string, clusterDomain: string, twoLabelIsService: boolean): Destination {
  let host = rawHost.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const ip = parseIp(host);
  if (ip) return classifyIp(ip) === 'loopback' ? { kind: 'local' } : { kind: 'ip', address: ip };
  // A trailing dot makes the name absolute: the resolver's search list (which
  // is what turns `redis.data` into a Service name) no longer applies.
  const absolute = host.endsWith('.');
  const labels = (absolute ? host.slice(0, -1) : host).split('.');
  if (labels[labels.length - 1] === 'localhost') return { kind: 'local' };
  const svc = labels.lastIndexOf('svc');
  const endsWithSvc = svc === labels.length - 1 && !absolute;
  const endsWithDomain = svc >= 0 && labels.slice(svc + 1).join('.') === clusterDomain;
  if (svc >= 2 && (endsWithSvc || endsWithDomain) && labels.slice(0, svc).every(l => isDns1123Label(l))) {
    return { kind: 'service', namespace: labels[svc - 1] };
  }
  if (!absolute && labels.length === 1 && isDns1123Label(labels[0])) return { kind: 'service' };
  if (!absolute && twoLabelIsService && labels.length === 2 && labels.every(l => isDns1123Label(l))) {
    return { kind: 'service', namespace: labels[1] };
  }
  return { kind: 'public' };
}

/**
 * True for an IP address (IPv6 also in brackets) or a host name: labels of
 * {@link HOST_LABEL} joined by dots, at most 253 characters, maybe ending
 * with a dot. Digits and dots alone are an IPv4 address written wrong
 * (`10.1.2.300`), not a name: as a name it could only match "any public
 * address", far from the one address meant.
 */
export function isHost(text: string): boolean {
  if (typeof text !== 'string') return false;
  if (parseIp(text.replace(/^\[(.*)\]$/, '$1'))) return true;
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  return !/^[\d.]*$/.test(name) && name.length <= 253 && name.split('.').every(label => HOST_LABEL.test(label));
}

/**
 * The host and port of a URL whose scheme is a key of `defaultPorts`
 * (`'https:'`), the port defaulting to the scheme's; undefined for anything
 * else (not a URL, another scheme, no host).
 */
export function hostAndPort(text: string, defaultPorts: { readonly [scheme: string]: number }): { host: string; port: number } | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const defaultPort: number | undefined = defaultPorts[url.protocol];
  if (defaultPort === undefined || !url.hostname) return undefined;
  return { host: url.hostname, port: url.port ? Number(url.port) : defaultPort };
}

/**
 * The host of an scp-like git address (`git@github.com:org/repo.git`,
 * `git@[fd00::5]:repo.git`, as git writes an IPv6 host), else undefined.
 */
export function scpHost(text: string): string | undefined {
  return /^[^@\s/]+@(\[[^\]\s/]+\]|[^:/\s]+):/.exec(text)?.[1];
}
