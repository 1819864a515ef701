/**
 * IP addresses and CIDRs (IPv4 and IPv6) for NetworkPolicy `ipBlock`s, on
 * top of ipaddr.js: strict parsing, canonical printing (RFC 5952 for IPv6)
 * so that rules are stable and comparable, containment, and the ranges that
 * "any public address" leaves out. Internal: nothing here is exported from
 * the package.
 */
import * as ipaddr from 'ipaddr.js';
import { fail } from './validation';

/** A parsed IPv4 or IPv6 address. */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** An IPv4 or IPv6 network: its address has no host bits set. */
export interface Cidr {
  readonly address: IpAddress;
  /** Prefix length: 0-32 for IPv4, 0-128 for IPv6. */
  readonly prefix: number;
}

/** A NetworkPolicy `ipBlock`: `cidr` minus the `except` ranges inside it. */
export interface IpBlock {
  readonly cidr: Cidr;
  readonly except: Cidr[];
}

/** A prefix length as Kubernetes writes it: decimal, no sign, no leading zero. */
const PREFIX = /^(0|[1-9]\d{0,2})$/;

/**
 * An IP literal in strict form, or undefined: IPv4 in four-part dotted
 * decimal (no leading zeros, which some parsers read as octal, no hex or
 * short forms), IPv6 without brackets or zone. IPv4-mapped IPv6 stays IPv6.
 */
function parseLiteral(text: string): IpAddress | undefined {
  if (typeof text !== 'string') return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!/^[0-9a-f:.]+$/i.test(text)) return undefined;
  let hex = text;
  if (text.includes('.')) {
    // An embedded IPv4 tail (`64:ff9b::192.0.2.1`) is checked as strictly as
    // IPv4 and rewritten as two hex groups. This also keeps RFC 4291's reading
    // of `::a.b.c.d` (IPv4-compatible, `::` then the 32 bits), which ipaddr.js
    // would turn into the IPv4-mapped `::ffff:a.b.c.d`.
    const colon = text.lastIndexOf(':');
    const tail = text.slice(colon + 1);
    if (colon < 0 || !ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
    const [a, b, c, d] = ipaddr.IPv4.parse(tail).octets;
    hex = `${text.slice(0, colon + 1)}${(a * 256 + b).toString(16)}:${(c * 256 + d).toString(16)}`;
  }
  return ipaddr.IPv6.isValid(hex) ? ipaddr.IPv6.parse(hex) : undefined;
}

/**
 * An IP address (IPv4, or IPv6 without brackets), parsed strictly, or
 * undefined. An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is returned as
 * the IPv4 address it stands for.
 */
export function parseIp(text: string): IpAddress | undefined {
  const address = parseLiteral(text);
  return address && isIpv4Mapped(address) ? address.toIPv4Address() : address;
}

/** True for an address in `::ffff:0:0/96` (IPv4 written as IPv6). */
function isIpv4Mapped(address: IpAddress): address is ipaddr.IPv6 {
  return address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress();
}

function bitsOf(address: IpAddress): number {
  return address.kind() === 'ipv4' ? 32 : 128;
}

/** The address with every bit after `prefix` cleared. */
function networkOf(address: IpAddress, prefix: number): IpAddress {
  const family = address.kind() === 'ipv4' ? ipaddr.IPv4 : ipaddr.IPv6;
  return family.networkAddressFromCIDR(`${formatIp(address)}/${prefix}`);
}

/** The canonical text of an address: dotted decimal, or RFC 5952 (`2001:db8::1`). */
export function formatIp(address: IpAddress): string {
  return address.toString();
}

/** The canonical text of a CIDR (`10.0.0.0/8`, `2001:db8::/32`). */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.address)}/${cidr.prefix}`;
}

/** The CIDR of one address: `/32` for IPv4, `/128` for IPv6. */
export function hostCidr(address: IpAddress): Cidr {
  return { address, prefix: bitsOf(address) };
}

/**
 * Checks a CIDR as Kubernetes' strict validation does: `address/prefix`,
 * the address in strict form (see {@link parseIp}), no host bits set, and
 * no IPv4-mapped IPv6 range (the IPv4 form is the one that matches).
 * @returns the CIDR
 * @throws naming `kind`, `path`, `field` and the text
 */
export function checkCidr(kind: string, path: string, field: string, text: string): Cidr {
  const slash = typeof text === 'string' ? text.indexOf('/') : -1;
  const address = slash < 0 ? undefined : parseLiteral(text.slice(0, slash));
  const prefixText = slash < 0 ? '' : text.slice(slash + 1);
  if (!address || !PREFIX.test(prefixText) || Number(prefixText) > bitsOf(address)) {
    return fail(kind, path, field, text ?? '', 'is not an IPv4 or IPv6 CIDR (address/prefix, e.g. \'203.0.113.0/24\' or \'2001:db8::/32\')');
  }
  const prefix = Number(prefixText);
  if (isIpv4Mapped(address)) {
    const v4 = formatCidr({ address: address.toIPv4Address(), prefix: Math.max(0, prefix - 96) });
    return fail(kind, path, field, text, `is an IPv4-mapped IPv6 CIDR; write it in IPv4 form ('${v4}')`);
  }
  const network = networkOf(address, prefix);
  if (formatIp(network) !== formatIp(address)) {
    return fail(kind, path, field, text, `has host bits set; did you mean '${formatCidr({ address: network, prefix })}'?`);
  }
  return { address: network, prefix };
}

/** True when `inner` lies inside `outer` (or is `outer`). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.address.kind() === inner.address.kind()
    && inner.prefix >= outer.prefix
    && inner.address.match(outer.address, outer.prefix);
}

/**
 * Checks an `ipBlock.except` entry: a CIDR (see {@link checkCidr}) strictly
 * inside `outer`, as Kubernetes requires.
 * @throws naming `kind`, `path`, `field` and the text
 */
export function checkCidrInside(kind: string, path: string, field: string, text: string, outer: Cidr): Cidr {
  const inner = checkCidr(kind, path, field, text);
  if (!cidrContains(outer, inner) || inner.prefix === outer.prefix) {
    fail(kind, path, field, text, `is not strictly inside cidr '${formatCidr(outer)}'`);
  }
  return inner;
}

/**
 * A text whose order is numeric order: IPv4 before IPv6, then by address,
 * then by prefix length.
 */
export function cidrSortKey(cidr: Cidr): string {
  const hex = cidr.address.toByteArray().map(b => b.toString(16).padStart(2, '0')).join('');
  return `${cidr.address.kind() === 'ipv4' ? 4 : 6}|${hex}|${String(cidr.prefix).padStart(3, '0')}`;
}

function compareCidrs(a: Cidr, b: Cidr): number {
  const [x, y] = [cidrSortKey(a), cidrSortKey(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---------------------------------------------------------------------------
// Ranges.
// ---------------------------------------------------------------------------

/**
 * What an address is, for an egress rule: a cloud metadata address, one of
 * the non-public ranges below, or public.
 */
export type IpClass = 'metadata' | 'private' | 'carrierGradeNat' | 'loopback' | 'linkLocal' | 'uniqueLocal' | 'nat64' | 'public';

function known(text: string): Cidr {
  return checkCidr('cidr', 'known ranges', 'range', text);
}

/** Exact addresses of cloud metadata services. */
const METADATA_ADDRESSES = ['169.254.169.254', '100.100.100.200', 'fd00:ec2::254', 'fd20:ce::254'].map(a => hostCidr(parseIp(a)!));

/**
 * Ranges that are not public, named as ipaddr.js's `range()` names them
 * (the tests check each against it).
 */
const NON_PUBLIC: ReadonlyArray<{ readonly name: IpClass; readonly cidr: Cidr }> = [
  ['private', '10.0.0.0/8'], // RFC 1918
  ['private', '172.16.0.0/12'], // RFC 1918
  ['private', '192.168.0.0/16'], // RFC 1918
  ['carrierGradeNat', '100.64.0.0/10'], // RFC 6598 shared address space (also Alibaba Cloud's metadata 100.100.100.200)
  ['loopback', '127.0.0.0/8'],
  ['linkLocal', '169.254.0.0/16'], // incl. the cloud metadata address 169.254.169.254
  ['loopback', '::1/128'],
  ['uniqueLocal', 'fc00::/7'], // incl. AWS fd00:ec2::254 and GCP fd20:ce::254 metadata
  ['linkLocal', 'fe80::/10'],
].map(([name, text]) => ({ name: name as IpClass, cidr: known(text) }));

/**
 * The non-public IPv4 ranges behind the well-known NAT64 prefix (RFC 6052
 * `64:ff9b::/96`): on an IPv6-only cluster with NAT64, `64:ff9b::a9fe:a9fe`
 * is 169.254.169.254. Public IPv4 through NAT64 stays public. IPv4-mapped
 * addresses (`::ffff:0:0/96`) are not listed: they never appear on the wire
 * (the kernel sends IPv4, which the IPv4 rule governs), and Kubernetes'
 * strict CIDR validation refuses them.
 */
const NAT64: ReadonlyArray<{ readonly name: IpClass; readonly cidr: Cidr }> = NON_PUBLIC
  .filter(range => range.cidr.address.kind() === 'ipv4')
  .map(range => {
    const address = ipaddr.fromByteArray([0x00, 0x64, 0xff, 0x9b, ...Array(8).fill(0), ...range.cidr.address.toByteArray()]);
    return { name: 'nat64', cidr: { address, prefix: 96 + range.cidr.prefix } };
  });

/** What `address` is; see {@link IpClass}. */
export function classifyIp(address: IpAddress): IpClass {
  const host = hostCidr(address);
  if (METADATA_ADDRESSES.some(m => cidrContains(m, host))) return 'metadata';
  return [...NON_PUBLIC, ...NAT64].find(range => cidrContains(range.cidr, host))?.name ?? 'public';
}

function publicBlock(any: string): IpBlock {
  const cidr = known(any);
  const except = [...NON_PUBLIC, ...NAT64].map(range => range.cidr).filter(range => cidrContains(cidr, range)).sort(compareCidrs);
  return { cidr, except };
}

/**
 * "Any public address" as NetworkPolicy `ipBlock`s: `0.0.0.0/0` and `::/0`,
 * each except every range {@link classifyIp} does not call public, in
 * numeric order. A NetworkPolicy cannot match DNS names, so this is what a
 * public host name becomes; it never reaches pods, nodes or cloud metadata.
 */
export const PUBLIC_IP_BLOCKS: readonly IpBlock[] = [publicBlock('0.0.0.0/0'), publicBlock('::/0')];
