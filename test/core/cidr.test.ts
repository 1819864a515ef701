/**
 * IP addresses and CIDRs for NetworkPolicy ipBlocks: strict parsing,
 * canonical printing, containment, and the ranges "any public address"
 * leaves out.
 */
import * as ipaddr from 'ipaddr.js';
import {
  Cidr, PUBLIC_IP_BLOCKS, checkCidr, checkCidrInside, cidrContains, cidrSortKey, classifyIp, formatCidr, formatIp, hostCidr, parseIp,
} from '../../src/core/cidr';
import { errorOf } from '../support/util';

const cidr = (text: string) => checkCidr('NetworkPolicy', 'web', 'cidr', text);
const cidrError = (text: any) => errorOf(() => checkCidr('NetworkPolicy', 'web', 'allowIngressFrom[0].cidr', text));
const ip = (text: string) => {
  const address = parseIp(text);
  return address && `${formatIp(address)} (${address.kind()})`;
};

describe('parseIp', () => {
  test.each([
    ['10.1.2.3', '10.1.2.3 (ipv4)'],
    ['0.0.0.0', '0.0.0.0 (ipv4)'],
    ['FD00:0:0::1', 'fd00::1 (ipv6)'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1 (ipv6)'],
    ['::', ':: (ipv6)'],
    // RFC 5952: the longest run of zero groups becomes '::', the first on a tie, never a single group.
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4 (ipv6)'],
    ['1:0:1:0:0:1:0:1', '1:0:1::1:0:1 (ipv6)'],
    ['1:2:3:4:5:6:7:0', '1:2:3:4:5:6:7:0 (ipv6)'],
    // Embedded IPv4 is printed as hex groups.
    ['64:ff9b::169.254.169.254', '64:ff9b::a9fe:a9fe (ipv6)'],
    // `::a.b.c.d` is RFC 4291's IPv4-compatible form (`::` then 32 bits), not IPv4-mapped.
    ['::1.2.3.4', '::102:304 (ipv6)'],
    // IPv4-mapped addresses are the IPv4 address they stand for.
    ['::ffff:10.0.0.1', '10.0.0.1 (ipv4)'],
    ['::FFFF:a9fe:a9fe', '169.254.169.254 (ipv4)'],
  ])('%s is %s', (text, expected) => {
    expect(ip(text)).toBe(expected);
  });

  test.each([
    ['010.0.0.1', 'leading zero (octal to some parsers)'],
    ['0x0a.0.0.1', 'hex part'],
    ['10.1.2', 'three-part form'],
    ['167772161', 'single-number form'],
    ['10.0.0.256', 'part over 255'],
    ['10.0.0.1 ', 'trailing space'],
    ['[::1]', 'brackets'],
    ['fe80::1%eth0', 'zone'],
    ['2001:db8:::1', 'three colons'],
    ['1::2::3', 'two ::'],
    ['1:2:3:4:5:6:7:8:9', 'nine groups'],
    ['00000::1', 'five-digit group'],
    ['::ffff:01.2.3.4', 'leading zero in embedded IPv4'],
    ['1:2:3:4:5:6:7:1.2.3.4', 'embedded IPv4 after seven groups'],
    ['api.example.com', 'a name'],
    ['', 'empty'],
  ])('%s is refused (%s)', text => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe('checkCidr', () => {
  test.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['203.0.113.7/32', '203.0.113.7/32'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['::/0', '::/0'],
    ['fd00:0:0:0:0:0:0:1/128', 'fd00::1/128'],
    ['64:ff9b::10.0.0.0/104', '64:ff9b::a00:0/104'],
  ])('%s is %s', (text, canonical) => {
    expect(formatCidr(cidr(text))).toBe(canonical);
  });

  test('a bad CIDR names the construct, the field and the value', () => {
    expect(cidrError('10.0.0.0')).toBe(
      'NetworkPolicy \'web\': allowIngressFrom[0].cidr \'10.0.0.0\' is not an IPv4 or IPv6 CIDR (address/prefix, e.g. \'203.0.113.0/24\' or \'2001:db8::/32\')');
    for (const text of ['10.0.0.256/32', '10.0.0.0/33', '10.0.0.0/08', '10.0.0.0/+8', '010.0.0.0/8', '1.2.3/24', ' 10.0.0.0/8',
      '2001:db8:::/32', '2001:db8::/129', 'fe80::%eth0/64', '[::1]/128', '10.0.0.0/', '/8', 'abc', '']) {
      expect(cidrError(text)).toBe(`NetworkPolicy 'web': allowIngressFrom[0].cidr '${text}' is not an IPv4 or IPv6 CIDR (address/prefix, e.g. '203.0.113.0/24' or '2001:db8::/32')`);
    }
    expect(cidrError(undefined)).toMatch(/^NetworkPolicy 'web': allowIngressFrom\[0\].cidr '' is not an IPv4 or IPv6 CIDR/);
  });

  test('host bits are refused, with the network meant', () => {
    expect(cidrError('10.1.2.3/24')).toBe('NetworkPolicy \'web\': allowIngressFrom[0].cidr \'10.1.2.3/24\' has host bits set; did you mean \'10.1.2.0/24\'?');
    expect(cidrError('2001:db8::1/32')).toBe('NetworkPolicy \'web\': allowIngressFrom[0].cidr \'2001:db8::1/32\' has host bits set; did you mean \'2001:db8::/32\'?');
    expect(cidrError('10.0.0.1/0')).toMatch(/did you mean '0.0.0.0\/0'\?$/);
  });

  test('an IPv4-mapped IPv6 CIDR is refused with its IPv4 form', () => {
    expect(cidrError('::ffff:10.0.0.0/104')).toBe(
      'NetworkPolicy \'web\': allowIngressFrom[0].cidr \'::ffff:10.0.0.0/104\' is an IPv4-mapped IPv6 CIDR; write it in IPv4 form (\'10.0.0.0/8\')');
    expect(cidrError('::ffff:0.0.0.0/90')).toMatch(/write it in IPv4 form \('0.0.0.0\/0'\)$/);
  });
});

describe('containment', () => {
  test('a CIDR contains itself and the ranges inside it, of its own family only', () => {
    expect(cidrContains(cidr('10.0.0.0/8'), cidr('10.20.0.0/16'))).toBe(true);
    expect(cidrContains(cidr('10.0.0.0/8'), cidr('10.0.0.0/8'))).toBe(true);
    expect(cidrContains(cidr('10.20.0.0/16'), cidr('10.0.0.0/8'))).toBe(false);
    expect(cidrContains(cidr('10.0.0.0/8'), cidr('11.0.0.0/8'))).toBe(false);
    expect(cidrContains(cidr('0.0.0.0/0'), cidr('2001:db8::/32'))).toBe(false);
    expect(cidrContains(cidr('::/0'), cidr('10.0.0.0/8'))).toBe(false);
    expect(cidrContains(cidr('2001:db8::/32'), cidr('2001:db8:1::/48'))).toBe(true);
  });

  test('an except entry must lie strictly inside cidr (Kubernetes refuses the policy otherwise)', () => {
    const inside = (text: string, outer: string) => checkCidrInside('AgentPod', 'app/web', 'networkPolicy.allowIngressFrom[0].except[1]', text, cidr(outer));
    expect(formatCidr(inside('10.20.5.0/24', '10.0.0.0/8'))).toBe('10.20.5.0/24');
    expect(formatCidr(inside('2001:DB8:1::/48', '2001:db8::/32'))).toBe('2001:db8:1::/48');
    expect(errorOf(() => inside('192.168.0.0/16', '10.0.0.0/8'))).toBe(
      'AgentPod \'app/web\': networkPolicy.allowIngressFrom[0].except[1] \'192.168.0.0/16\' is not strictly inside cidr \'10.0.0.0/8\'');
    expect(errorOf(() => inside('10.0.0.0/8', '10.0.0.0/8'))).toMatch(/'10.0.0.0\/8' is not strictly inside cidr '10.0.0.0\/8'$/);
    expect(errorOf(() => inside('10.0.0.0/8', '::/0'))).toMatch(/'10.0.0.0\/8' is not strictly inside cidr '::\/0'$/);
    expect(errorOf(() => inside('10.1.2.3/16', '10.0.0.0/8'))).toMatch(/has host bits set; did you mean '10.1.0.0\/16'\?$/);
  });

  test('the sort key orders IPv4 before IPv6, then by address, then by prefix', () => {
    const texts = ['fe80::/10', '192.168.0.0/16', '::1/128', '10.0.0.0/16', '10.0.0.0/8', '9.0.0.0/8', '::/0', '64:ff9b::/96'];
    const sorted = texts.map(cidr).sort((a, b) => cidrSortKey(a).localeCompare(cidrSortKey(b))).map(formatCidr);
    expect(sorted).toEqual(['9.0.0.0/8', '10.0.0.0/8', '10.0.0.0/16', '192.168.0.0/16', '::/0', '::1/128', '64:ff9b::/96', 'fe80::/10']);
  });
});

describe('ranges', () => {
  test('"any public address" is 0.0.0.0/0 and ::/0 minus private, CGNAT, loopback, link-local and unique-local ranges, also behind NAT64', () => {
    expect(PUBLIC_IP_BLOCKS.map(block => ({ cidr: formatCidr(block.cidr), except: block.except.map(formatCidr) }))).toEqual([
      { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] },
      {
        cidr: '::/0',
        except: [
          '::1/128',
          '64:ff9b::a00:0/104', '64:ff9b::6440:0/106', '64:ff9b::7f00:0/104',
          '64:ff9b::a9fe:0/112', '64:ff9b::ac10:0/108', '64:ff9b::c0a8:0/112',
          'fc00::/7', 'fe80::/10',
        ],
      },
    ]);
    for (const block of PUBLIC_IP_BLOCKS) {
      for (const except of block.except) expect(cidrContains(block.cidr, except) && except.prefix > block.cidr.prefix).toBe(true);
    }
  });

  test.each([
    ['169.254.169.254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['fd20:ce::254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['127.0.0.5', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.20.10', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['64:ff9b::a9fe:a9fe', 'nat64'],
    ['64:ff9b::7f00:1', 'nat64'],
    ['64:ff9b::808:808', 'public'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['2606:4700::1111', 'public'],
  ])('%s is %s', (text, expected) => {
    expect(classifyIp(parseIp(text)!)).toBe(expected);
  });

  test('the non-public ranges carry the names ipaddr.js gives them', () => {
    for (const block of PUBLIC_IP_BLOCKS) {
      for (const range of block.except) {
        const bytes = range.address.toByteArray();
        if (bytes.length === 16 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b) continue; // NAT64, named by its IPv4 range
        const first = range.address;
        const last = (bytes.length === 4 ? ipaddr.IPv4 : ipaddr.IPv6).broadcastAddressFromCIDR(formatCidr(range));
        for (const address of [first, last]) expect([formatIp(address), classifyIp(address)]).toEqual([formatIp(address), address.range()]);
      }
    }
  });

  test('an address is public exactly when the public blocks admit it', () => {
    const admits = (address: ipaddr.IPv4 | ipaddr.IPv6) => PUBLIC_IP_BLOCKS.some(block =>
      cidrContains(block.cidr, hostCidr(address)) && !block.except.some((e: Cidr) => cidrContains(e, hostCidr(address))));
    const samples = ['0.0.0.1', '9.255.255.255', '10.0.0.0', '11.0.0.0', '100.63.255.255', '100.64.0.0', '100.127.255.255', '126.255.255.255', '127.0.0.0',
      '169.253.255.255', '169.254.169.254', '172.15.255.255', '172.16.0.0', '192.167.255.255', '192.169.0.0', '255.255.255.255',
      '::', '::1', '::2', '64:ff9b::a00:1', '64:ff9b::b00:1', '64:ff9b::a9fe:a9fe', 'fbff::1', 'fc00::', 'fdff:ffff::1', 'fe00::1', 'fe80::1', 'febf::1', 'fec0::1', '2001:db8::1'];
    for (const text of samples) {
      const address = parseIp(text)!;
      expect([text, admits(address)]).toEqual([text, classifyIp(address) === 'public']);
    }
  });
});
