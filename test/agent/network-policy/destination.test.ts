/**
 * What a destination host is for a NetworkPolicy, and how hosts and ports
 * are read from URLs and scp-like git addresses.
 */
import { classifyHost, hostAndPort, isHost, scpHost } from '../../../src/agent/network-policy/destination';

/** classifyHost, printed: 'local', 'service <ns>' ('service' for the agent's own), 'ip <address>' or 'public'. */
function kindOf(host: string, twoLabelIsService = false, clusterDomain = 'cluster.local'): string {
  const d = classifyHost(host, clusterDomain, twoLabelIsService);
  switch (d.kind) {
    case 'service': return d.namespace === undefined ? 'service' : `service ${d.namespace}`;
    case 'ip': return `ip ${d.address.toString()}`;
    default: return d.kind;
  }
}

describe('classifyHost', () => {
  test.each([
    ['localhost', 'local'],
    ['agent.localhost', 'local'],
    ['127.0.0.1', 'local'],
    ['127.8.9.10', 'local'],
    ['[::1]', 'local'],
    ['::1', 'local'],
    ['[::ffff:127.0.0.1]', 'local'],
    ['10.1.2.3', 'ip 10.1.2.3'],
    ['[FD00:0::1]', 'ip fd00::1'],
    ['[::ffff:10.1.2.3]', 'ip 10.1.2.3'],
    // NAT64 of a loopback address leaves the pod: it is filtered, so it is not local.
    ['[64:ff9b::7f00:1]', 'ip 64:ff9b::7f00:1'],
    ['ollama', 'service'],
    ['vllm.models.svc', 'service models'],
    ['VLLM.Models.SVC', 'service models'],
    ['tgi.models.svc.cluster.local', 'service models'],
    ['tgi.models.svc.cluster.local.', 'service models'],
    ['redis-0.redis-headless.data.svc.cluster.local', 'service data'],
    ['tgi.models.svc.other.local', 'public'],
    ['models.svc', 'public'],
    ['ollama.', 'public'],
    ['openrouter.ai', 'public'],
    ['api.anthropic.com', 'public'],
  ])('%s is %s', (host, expected) => {
    expect(kindOf(host)).toBe(expected);
  });

  test('`name.ns` is a Service only where that short form is usual (Redis addresses)', () => {
    expect(kindOf('redis.data', true)).toBe('service data');
    expect(kindOf('redis.data', false)).toBe('public');
    expect(kindOf('redis.data.', true)).toBe('public');
    expect(kindOf('cache.eu.example.com', true)).toBe('public');
  });

  test('the cluster domain decides which long names are in-cluster', () => {
    expect(kindOf('tgi.models.svc.corp.internal', false, 'corp.internal')).toBe('service models');
    expect(kindOf('tgi.models.svc.cluster.local', false, 'corp.internal')).toBe('public');
    expect(kindOf('tgi.models.svc', false, 'corp.internal')).toBe('service models');
  });
});

describe('hostAndPort', () => {
  const web = { 'https:': 443, 'http:': 80 };

  test.each([
    ['https://api.anthropic.com/v1', 'api.anthropic.com', 443],
    ['http://vllm.models.svc:8000/v1', 'vllm.models.svc', 8000],
    ['http://plain.example.com', 'plain.example.com', 80],
    ['https://[FD00::1]:8443', '[fd00::1]', 8443],
    ['HTTPS://API.EXAMPLE.COM', 'api.example.com', 443],
  ])('%s: host %s, port %d', (url, host, port) => {
    expect(hostAndPort(url, web)).toEqual({ host, port });
  });

  test('other schemes, non-URLs and URLs without a host are not read', () => {
    for (const text of ['ftp://example.com/x', 'example.com:443', 'file:///etc/passwd', 'https://', '', 'oci://ghcr.io/x']) {
      expect([text, hostAndPort(text, web)]).toEqual([text, undefined]);
    }
    expect(hostAndPort('oci://ghcr.io/example/scanner:1.0', { ...web, 'oci:': 443 })).toEqual({ host: 'ghcr.io', port: 443 });
  });
});

test('scpHost reads git@host:path, not URLs', () => {
  expect(scpHost('git@github.com:example/agent.git')).toBe('github.com');
  expect(scpHost('deploy@10.0.0.5:repo.git')).toBe('10.0.0.5');
  expect(scpHost('git@[fd00::5]:agent.git')).toBe('[fd00::5]');
  expect(scpHost('ssh://git@git.example.com:2222/agent.git')).toBeUndefined();
  expect(scpHost('https://github.com/example/agent.git')).toBeUndefined();
});

test('isHost accepts host names and IP addresses (IPv6 also in brackets), not IPv4 written wrong', () => {
  for (const host of ['proxy.example.com', 'proxy', 'proxy.example.com.', 'Proxy.Example.COM', '10.1.2.3', '2001:db8::1', '[2001:db8::1]',
    'redis.123', '1password.com', `${'a'.repeat(63)}.com`]) {
    expect([host, isHost(host)]).toEqual([host, true]);
  }
  for (const host of ['bad host', '-proxy', 'proxy-', 'http://proxy', 'proxy:3128', '', '[proxy]',
    '10.1.2.300', '1.2.3', '42', 'a..b', '.proxy', 'proxy.-x', `${'a'.repeat(64)}.com`, `${'a.'.repeat(127)}com`]) {
    expect([host, isHost(host)]).toEqual([host, false]);
  }
});
