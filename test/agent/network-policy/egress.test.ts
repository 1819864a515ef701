/**
 * The egress derivation as plain data: declarations in, rules out, no Chart.
 * (agent-network-policy.test.ts checks the rendered objects.)
 */
import { LlmProvider } from '../../../src/agent/llm-provider';
import { McpServer } from '../../../src/agent/mcp-server';
import { AgentEgressSources, AgentNetworkPolicyOptions, PolicyInput, PolicyRule, deriveEgress } from '../../../src/agent/network-policy';
import { ToolSidecar } from '../../../src/agent/tool-sidecar';
import { PUBLIC_IP_BLOCKS, formatCidr } from '../../../src/core/cidr';
import { errorOf } from '../../support/util';

const CREDENTIALS = { secretName: 'llm-credentials' };
const TOOL_IMAGE = 'registry.example.com/agents/tool-manager:0.1.0';
const NO_DNS: AgentNetworkPolicyOptions = { allowDns: false };

const derive = (sources: AgentEgressSources, options: AgentNetworkPolicyOptions = NO_DNS, input = PolicyInput.of('web')) =>
  deriveEgress(sources, options, input);
const provider = (endpoint: string, name = 'self-hosted') => LlmProvider.generic({ name, providerType: 'vllm', endpoint, credentials: CREDENTIALS });
const tcp = (...ports: number[]) => ports.map(port => ({ protocol: 'TCP', port }));
const pods = (namespace: string | undefined, ports: any[], labels: Record<string, string> = {}): PolicyRule =>
  ({ peer: { type: 'pods', namespaces: namespace ? [namespace] : [], labels }, ports });
const ip = (cidr: string, ports: any[], except: string[] = []): PolicyRule => ({ peer: { type: 'ipBlock', cidr, except }, ports });
const anyPublic = (ports: any[]): PolicyRule[] => PUBLIC_IP_BLOCKS.map(b => ip(formatCidr(b.cidr), ports, b.except.map(formatCidr)));

describe('DNS', () => {
  test('UDP and TCP 53 to kube-dns, first; overridable; or left out', () => {
    const dns = pods('kube-system', [{ protocol: 'TCP', port: 53 }, { protocol: 'UDP', port: 53 }], { 'k8s-app': 'kube-dns' });
    expect(derive({ llmProviders: [provider('http://10.1.2.3:8000')] }, {})).toEqual([dns, ip('10.1.2.3/32', tcp(8000))]);
    expect(derive({}, { dnsNamespace: 'dns', dnsPodLabels: {} })).toEqual([{ ...dns, peer: { type: 'pods', namespaces: ['dns'], labels: {} } }]);
    expect(derive({}, { allowDns: false })).toEqual([]);
  });
});

describe('derived destinations', () => {
  test('rules are merged per peer and ordered pods, IP blocks (numerically), public', () => {
    const rules = derive({
      llmProviders: [
        LlmProvider.anthropic({ credentials: CREDENTIALS }),
        provider('http://10.1.2.3:9000', 'a'),
        provider('http://9.9.9.9:8000', 'b'),
        provider('http://vllm.models.svc:8000', 'c'),
        provider('http://10.1.2.3:8000', 'd'),
        provider('http://ollama:11434', 'e'),
        provider('https://gateway.example.com:8443', 'f'),
      ],
    });
    expect(rules).toEqual([
      pods(undefined, tcp(11434)),
      pods('models', tcp(8000)),
      ip('9.9.9.9/32', tcp(8000)),
      ip('10.1.2.3/32', tcp(8000, 9000)),
      ...anyPublic(tcp(443, 8443)),
    ]);
  });

  test('the result is plain data', () => {
    const rules = derive({ llmProviders: [LlmProvider.openai({ credentials: CREDENTIALS })], redis: { host: 'redis.data', port: 6379 } }, {});
    expect(JSON.parse(JSON.stringify(rules))).toEqual(rules);
  });

  test('loopback endpoints need no rule; IPv6 endpoints get a canonical /128', () => {
    expect(derive({ llmProviders: [provider('http://localhost:4000', 'a'), provider('http://[::1]:4001', 'b')] })).toEqual([]);
    expect(derive({ llmProviders: [provider('https://[2001:DB8:0:0::5]:8443')] })).toEqual([ip('2001:db8::5/128', tcp(8443))]);
  });

  test('a derived cloud metadata address is refused; the user may still allow one on purpose', () => {
    expect(errorOf(() => derive({ redis: { host: '169.254.169.254', port: 6379 } })))
      .toBe('NetworkPolicy \'web\': memory.backend.address \'169.254.169.254\' is a cloud metadata address; an agent must not reach it');
    expect(errorOf(() => derive({ gitRepository: 'git@169.254.169.254:agent.git' })))
      .toBe('NetworkPolicy \'web\': code.source.repository \'169.254.169.254\' is a cloud metadata address; an agent must not reach it');
    expect(errorOf(() => derive({ gitRepository: 'https://[fd00:ec2::254]/agent.git' }))).toMatch(/'\[fd00:ec2::254\]' is a cloud metadata address/);
    expect(errorOf(() => derive({ llmProviders: [provider('http://100.100.100.200/')] }))).toMatch(/'100.100.100.200' is a cloud metadata address/);
    expect(derive({}, { allowDns: false, additionalEgress: [{ host: '169.254.169.254', ports: [80] }] })).toEqual([ip('169.254.169.254/32', tcp(80))]);
  });

  test('Redis: narrowed by its namespace and pod labels when known', () => {
    expect(derive({ redis: { host: 'redis.data.svc', port: 6379 } })).toEqual([pods('data', tcp(6379))]);
    expect(derive({ redis: { host: 'web-redis', port: 6379, podLabels: { app: 'web-redis' } } })).toEqual([pods(undefined, tcp(6379), { app: 'web-redis' })]);
    expect(derive({ redis: { host: 'redis.data', port: 6380, podLabels: { app: 'r' } } })).toEqual([pods('data', tcp(6380), { app: 'r' })]);
    expect(derive({ redis: { host: 'cache.example.com', port: 6379, namespace: 'data' } })).toEqual([pods('data', tcp(6379))]);
    expect(errorOf(() => derive({ redis: { host: 'r', port: 6379, namespace: 'Data' } })))
      .toMatch(/^NetworkPolicy 'web': memory.backend namespace 'Data' is not a valid RFC 1123 label/);
  });

  test('tool sidecar: sources by URL, and public 443 only when it installs registry tools', () => {
    const bare = new ToolSidecar({ image: TOOL_IMAGE, custom: [{ name: 'mirror', source: 'https://registry.tools.svc:5000/mirror', sha256: 'abababababababababababababababababababababababababababababababab' }] });
    expect(derive({ toolSidecar: bare })).toEqual([pods('tools', tcp(5000))]);
    expect(derive({ toolSidecar: new ToolSidecar({ image: TOOL_IMAGE, optional: ['jq'] }) })).toEqual(anyPublic(tcp(443)));
    const metadata = new ToolSidecar({ image: TOOL_IMAGE, custom: [{ name: 'x', source: 'http://169.254.169.254/x.tgz', sha256: 'abababababababababababababababababababababababababababababababab' }] });
    expect(errorOf(() => derive({ toolSidecar: metadata })))
      .toBe('NetworkPolicy \'web\': toolSidecar.custom[\'x\'].source \'169.254.169.254\' is a cloud metadata address; an agent must not reach it');
  });

  test('tool sidecar: remote MCP servers by URL; a stdio server has no URL to derive from', () => {
    const servers = [
      McpServer.remote({ name: 'remote', url: 'https://mcp.example.com:8443/mcp' }),
      McpServer.remote({ name: 'incluster', url: 'http://tools.mcp.svc:8080/mcp' }),
      McpServer.stdio({ name: 'local', command: 'uvx' }),
    ];
    expect(derive({ toolSidecar: new ToolSidecar({ image: TOOL_IMAGE, mcpServers: servers }) })).toEqual([pods('mcp', tcp(8080)), ...anyPublic(tcp(8443))]);
    const metadata = new ToolSidecar({ image: TOOL_IMAGE, mcpServers: [McpServer.remote({ name: 'x', url: 'http://[fd00:ec2::254]/mcp' })] });
    expect(errorOf(() => derive({ toolSidecar: metadata })))
      .toBe('NetworkPolicy \'web\': toolSidecar.mcpServers[\'x\'].url \'[fd00:ec2::254]\' is a cloud metadata address; an agent must not reach it');
  });

  test('git source and package installs', () => {
    expect(derive({ gitRepository: 'deploy@10.0.0.5:agent.git' })).toEqual([ip('10.0.0.5/32', tcp(22))]);
    expect(derive({ gitRepository: 'git@[FD00::5]:agent.git' })).toEqual([ip('fd00::5/128', tcp(22))]);
    expect(errorOf(() => derive({ gitRepository: 'git@[fd00:ec2::254]:agent.git' })))
      .toBe('NetworkPolicy \'web\': code.source.repository \'[fd00:ec2::254]\' is a cloud metadata address; an agent must not reach it');
    expect(derive({ gitRepository: 'ssh://git@git.example.com/agent.git', installsPackages: true })).toEqual(anyPublic(tcp(22, 443)));
    expect(derive({ installsPackages: false })).toEqual([]);
  });
});

describe('additionalEgress', () => {
  const extra = (...additionalEgress: any[]) => derive({}, { allowDns: false, additionalEgress });

  test('UDP ports, and pods of the agent\'s namespace or of each namespace given', () => {
    expect(extra({ podLabels: { app: 'statsd' }, udpPorts: [8125] })).toEqual([
      pods(undefined, [{ protocol: 'UDP', port: 8125 }], { app: 'statsd' }),
    ]);
    expect(extra({ namespaces: ['db', 'cache'], ports: [5432] })).toEqual([pods('cache', tcp(5432)), pods('db', tcp(5432))]);
  });

  test('a CIDR keeps its except list as given; a different list is a different peer', () => {
    expect(extra(
      { cidr: '10.20.0.0/16', exceptCidrs: ['10.20.5.0/24', '10.20.1.0/24'], ports: [1] },
      { cidr: '10.20.0.0/16', ports: [2] },
      { cidr: '10.20.0.0/16', exceptCidrs: ['10.20.5.0/24', '10.20.1.0/24'], ports: [3] },
    )).toEqual([
      ip('10.20.0.0/16', tcp(2)),
      ip('10.20.0.0/16', tcp(1, 3), ['10.20.5.0/24', '10.20.1.0/24']),
    ]);
  });

  test('inside an AgentPod, errors name the pod and networkPolicy.<field>; declarations keep their names', () => {
    const input = PolicyInput.of('web', 'app/web');
    expect(errorOf(() => derive({}, { additionalEgress: [{ cidr: '10.0.0.0/8', exceptCidrs: ['11.0.0.0/8'], ports: [1] }] }, input)))
      .toBe('AgentPod \'app/web\': networkPolicy.additionalEgress[0].exceptCidrs[0] \'11.0.0.0/8\' is not strictly inside cidr \'10.0.0.0/8\'');
    expect(errorOf(() => derive({}, { clusterDomain: 'Cluster.Local' }, input)))
      .toMatch(/^AgentPod 'app\/web': networkPolicy.clusterDomain 'Cluster.Local' is not a valid RFC 1123 subdomain/);
    expect(errorOf(() => derive({ redis: { host: 'r', port: 0 } }, {}, input)))
      .toBe('AgentPod \'app/web\': memory.backend.address port \'0\' is not a port number (an integer from 1 to 65535)');
  });

  test('a mistyped IP address or malformed name is refused, not widened to any public address', () => {
    for (const host of ['10.1.2.300', '256.1.1.1', '10.1.2', 'proxy..example.com', `${'a'.repeat(64)}.example.com`]) {
      expect(errorOf(() => extra({ host, ports: [3128] }))).toBe(`NetworkPolicy 'web': additionalEgress[0].host '${host}' is not a host name or IP address`);
    }
    expect(errorOf(() => derive({ redis: { host: '10.1.2.300', port: 6379 } })))
      .toBe('NetworkPolicy \'web\': memory.backend.address host \'10.1.2.300\' is not a host name or IP address');
    expect(errorOf(() => derive({ gitRepository: 'git@10.1.2.300:agent.git' })))
      .toBe('NetworkPolicy \'web\': code.source.repository host \'10.1.2.300\' is not a host name or IP address');
    // Names that only look numeric in part are still names.
    expect(derive({ redis: { host: 'redis.123', port: 6379 } })).toEqual([pods('123', tcp(6379))]);
    expect(extra({ host: '10-1-2-3.nip.io', ports: [3128] })).toEqual(anyPublic(tcp(3128)));
  });

  test('bad entries are refused with the field and the value', () => {
    expect(errorOf(() => extra({ podLabels: { a: 'b' }, ports: [1], udpPorts: [0] })))
      .toBe('NetworkPolicy \'web\': additionalEgress[0].udpPorts[0] \'0\' is not a port number (an integer from 1 to 65535)');
    expect(errorOf(() => extra({ host: 'proxy', exceptCidrs: ['10.0.0.0/8'], ports: [1] })))
      .toBe('NetworkPolicy \'web\': additionalEgress[0].exceptCidrs \'["10.0.0.0/8"]\' is only allowed with cidr');
    expect(errorOf(() => extra({ namespaces: [], ports: [1] })))
      .toBe('NetworkPolicy \'web\': additionalEgress[0].namespaces \'[]\' is empty: leave it out to mean the agent\'s namespace');
    expect(errorOf(() => extra({ ports: [1] }))).toBe('NetworkPolicy \'web\': additionalEgress[0] \'{"ports":[1]}\' must give exactly one of host, cidr, or namespaces/podLabels');
  });
});
