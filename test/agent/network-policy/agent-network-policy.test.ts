import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { LlmProvider } from '../../../src/agent/llm-provider';
import {
  AgentEgressSources, AgentNetworkPolicyOptions, PolicyInput, PolicyPeer, PolicyRule, deriveEgress, deriveIngress, networkPolicySpec,
} from '../../../src/agent/network-policy';
import { ToolSidecar } from '../../../src/agent/tool-sidecar';
import { errorOf } from '../../support/util';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { NetworkPolicy: NetworkPolicyModel } = require('kubernetes-models/networking.k8s.io/v1');

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

const SELECTOR = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' };
const LABELS = { ...SELECTOR, 'app.kubernetes.io/component': 'agent' };
const CREDENTIALS = { secretName: 'llm-credentials' };
const TOOL_IMAGE = 'registry.example.com/agents/tool-manager:0.1.0';

/** Everything the wide public rule leaves out, IPv4 then IPv6. */
const PUBLIC_V4_EXCEPT = ['10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'];
const PUBLIC_V6_EXCEPT = [
  '::1/128',
  '64:ff9b::a00:0/104', '64:ff9b::6440:0/106', '64:ff9b::7f00:0/104',
  '64:ff9b::a9fe:0/112', '64:ff9b::ac10:0/108', '64:ff9b::c0a8:0/112',
  'fc00::/7', 'fe80::/10',
];

const DNS_RULE = {
  ports: [{ port: 53, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }],
  to: [{
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  }],
};

const tcp = (...ports: number[]) => ports.map(port => ({ port, protocol: 'TCP' }));

/** The two rules of "these TCP ports on any public address". */
function publicRules(...ports: number[]): any[] {
  return [
    { ports: tcp(...ports), to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PUBLIC_V4_EXCEPT } }] },
    { ports: tcp(...ports), to: [{ ipBlock: { cidr: '::/0', except: PUBLIC_V6_EXCEPT } }] },
  ];
}

/** A rule to `port` on every pod of `namespace` (or of the agent's namespace). */
function podsRule(namespace: string | undefined, port: number, labels?: Record<string, string>): any {
  const podSelector = labels ? { matchLabels: labels } : {};
  const to = namespace
    ? [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } }, podSelector }]
    : [{ podSelector }];
  return { ports: tcp(port), to };
}

function ipRule(cidr: string, ...ports: number[]): any {
  return { ports: tcp(...ports), to: [{ ipBlock: { cidr } }] };
}

/** The rules of agent `web` (errors name `NetworkPolicy 'web'`, or `AgentPod '<where>'`). */
function derive(sources: AgentEgressSources, options: AgentNetworkPolicyOptions = {}, where?: string) {
  const input = PolicyInput.of('web', where);
  return { egressRules: deriveEgress(sources, options, input), ingressRules: deriveIngress(options.allowIngressFrom ?? [], input) };
}

/**
 * Synthesizes the policy of agent `web` in namespace `agents` as AgentPod
 * renders it (the L1 object with `networkPolicySpec`); checks every rendered
 * object with kubernetes-models; returns the manifests and the spec.
 */
function synth(sources: AgentEgressSources = {}, options?: AgentNetworkPolicyOptions, extra: { where?: string } = {}) {
  const chart = Testing.chart();
  const policy = derive(sources, options, extra.where);
  new k8s.KubeNetworkPolicy(chart, 'NetworkPolicy', {
    metadata: { name: 'web', namespace: 'agents', labels: LABELS },
    spec: networkPolicySpec(SELECTOR, policy.egressRules, policy.ingressRules),
  });
  const manifests = Testing.synth(chart);
  for (const m of manifests) {
    expect(() => new NetworkPolicyModel(m).validate()).not.toThrow();
  }
  return { policy, manifests, spec: manifests[0]?.spec };
}

const provider = (endpoint: string, name = 'self-hosted') =>
  LlmProvider.generic({ name, providerType: 'vllm', endpoint, credentials: CREDENTIALS });

// ---------------------------------------------------------------------------
// default deny, DNS
// ---------------------------------------------------------------------------

test('an agent without declarations gets default deny both ways and DNS only', () => {
  const { manifests, policy } = synth();
  expect(policy).toBeDefined();
  expect(manifests).toEqual([{
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web', namespace: 'agents', labels: LABELS },
    spec: {
      podSelector: { matchLabels: SELECTOR },
      policyTypes: ['Egress', 'Ingress'],
      egress: [DNS_RULE],
    },
  }]);
});

test('DNS can point at other pods, or be left out for additionalEgress to give', () => {
  const custom = synth({}, { dnsNamespace: 'dns', dnsPodLabels: { app: 'coredns' } }).spec;
  expect(custom.egress).toEqual([{
    ports: DNS_RULE.ports,
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } }, podSelector: { matchLabels: { app: 'coredns' } } }],
  }]);

  const nodeLocal = synth({}, {
    allowDns: false,
    additionalEgress: [{ cidr: '169.254.20.10/32', ports: [53], udpPorts: [53] }],
  }).spec;
  expect(nodeLocal.egress).toEqual([{ ports: DNS_RULE.ports, to: [{ ipBlock: { cidr: '169.254.20.10/32' } }] }]);
  expect(nodeLocal.policyTypes).toEqual(['Egress', 'Ingress']);
});

// ---------------------------------------------------------------------------
// LLM providers
// ---------------------------------------------------------------------------

test('public providers share one port on the public rule, which excludes private, CGNAT, loopback and metadata ranges', () => {
  const { spec } = synth({
    llmProviders: [
      LlmProvider.anthropic({ name: 'main-llm', credentials: CREDENTIALS }),
      LlmProvider.openai({ name: 'backup-llm', credentials: CREDENTIALS }),
    ],
  });
  expect(spec.egress).toEqual([DNS_RULE, ...publicRules(443)]);
  const v4Except: string[] = spec.egress[1].to[0].ipBlock.except;
  expect(v4Except).toContain('169.254.0.0/16'); // 169.254.169.254
  expect(v4Except).toContain('100.64.0.0/10'); // 100.100.100.200
  const v6Except: string[] = spec.egress[2].to[0].ipBlock.except;
  expect(v6Except).toContain('fc00::/7'); // fd00:ec2::254
  expect(v6Except).toContain('64:ff9b::a9fe:0/112'); // 169.254.0.0/16 through NAT64
});

test('explicit endpoint ports are added, de-duplicated and sorted', () => {
  const { spec } = synth({
    llmProviders: [
      provider('https://gateway.example.com:8443/v1', 'gateway'),
      LlmProvider.anthropic({ credentials: CREDENTIALS }),
      provider('https://other.example.com:8443', 'other'),
      provider('http://plain.example.com/v1', 'plain'),
    ],
  });
  expect(spec.egress).toEqual([DNS_RULE, ...publicRules(80, 443, 8443)]);
});

test('a self-hosted model at a private IP is allowed by its own /32, with no public rule', () => {
  const { spec } = synth({ llmProviders: [provider('http://10.1.2.3:8000/v1')] });
  expect(spec.egress).toEqual([DNS_RULE, ipRule('10.1.2.3/32', 8000)]);
});

test('an IPv6 endpoint gets a /128 in canonical form', () => {
  const { spec } = synth({ llmProviders: [provider('https://[FD00:0:0::1]:8443')] });
  expect(spec.egress).toEqual([DNS_RULE, ipRule('fd00::1/128', 8443)]);
});

test('in-cluster Service endpoints go to their namespace; two-label URL hosts and loopback do not', () => {
  const { spec } = synth({
    llmProviders: [
      provider('http://vllm.models.svc:8000/v1', 'vllm'),
      provider('http://ollama:11434', 'ollama'),
      provider('https://tgi.models.svc.cluster.local:8443', 'tgi'),
      provider('https://openrouter.ai/api/v1', 'openrouter'),
      provider('http://localhost:4000', 'local-proxy'),
      provider('http://127.0.0.1:4001', 'local-proxy-ip'),
    ],
  });
  expect(spec.egress).toEqual([
    DNS_RULE,
    podsRule(undefined, 11434),
    { ...podsRule('models', 0), ports: tcp(8000, 8443) },
    ...publicRules(443),
  ]);
});

test('rules do not depend on declaration order', () => {
  const a = LlmProvider.anthropic({ credentials: CREDENTIALS });
  const b = provider('http://10.1.2.3:8000', 'b');
  const c = provider('http://vllm.models.svc:8000', 'c');
  const d = provider('http://10.1.2.3:9000', 'd');
  const one = synth({ llmProviders: [a, b, c, d] }).spec;
  const other = synth({ llmProviders: [d, c, b, a] }).spec;
  expect(other).toEqual(one);
  expect(one.egress[2]).toEqual(ipRule('10.1.2.3/32', 8000, 9000));
});

test('an endpoint at a cloud metadata address is refused', () => {
  expect(errorOf(() => synth({ llmProviders: [provider('http://169.254.169.254/latest')] })))
    .toBe('NetworkPolicy \'web\': llmProviders[\'self-hosted\'].endpoint \'169.254.169.254\' is a cloud metadata address; an agent must not reach it');
  expect(errorOf(() => synth({ llmProviders: [provider('http://[fd00:ec2::254]/')] }))).toMatch(/is a cloud metadata address/);
});

// ---------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------

test.each([
  ['redis', undefined],
  ['redis.data', 'data'],
  ['redis.data.svc', 'data'],
  ['redis.data.svc.cluster.local', 'data'],
  ['redis-0.redis-headless.data.svc.cluster.local', 'data'],
])('Redis at the Service name %s: its port to the pods of namespace %s', (host, namespace) => {
  const { spec } = synth({ redis: { host, port: 6379 } });
  expect(spec.egress).toEqual([DNS_RULE, podsRule(namespace, 6379)]);
});

test('a Redis deployed by the library is narrowed by its pod labels', () => {
  const { spec } = synth({ redis: { host: 'web-redis', port: 6379, podLabels: { 'app.kubernetes.io/name': 'web-redis' } } });
  expect(spec.egress).toEqual([DNS_RULE, podsRule(undefined, 6379, { 'app.kubernetes.io/name': 'web-redis' })]);
  const elsewhere = synth({ redis: { host: '10.96.0.12', port: 6380, namespace: 'data' } }).spec;
  expect(elsewhere.egress).toEqual([DNS_RULE, podsRule('data', 6380)]);
});

test('Redis by IP gets a /32; Redis by external name joins the public rule', () => {
  expect(synth({ redis: { host: '203.0.113.7', port: 6379 } }).spec.egress).toEqual([DNS_RULE, ipRule('203.0.113.7/32', 6379)]);
  expect(synth({ redis: { host: 'cache.eu.example.com', port: 6380 } }).spec.egress).toEqual([DNS_RULE, ...publicRules(6380)]);
});

// ---------------------------------------------------------------------------
// Tool sidecar, git source, packages
// ---------------------------------------------------------------------------

test('tool sources: registry tools and oci:// go to public 443, an IP source gets its /32', () => {
  const sidecar = new ToolSidecar({
    image: TOOL_IMAGE,
    required: ['git'],
    custom: [
      { name: 'scanner', source: 'https://ghcr.io/example/scanner/1.0/scanner', sha256: 'abababababababababababababababababababababababababababababababab' },
      { name: 'internal', source: 'http://10.0.0.5:8080/internal.tgz', sha256: 'abababababababababababababababababababababababababababababababab' },
      { name: 'mirror', source: 'https://registry.tools.svc:5000/mirror', sha256: 'abababababababababababababababababababababababababababababababab' },
    ],
  });
  const { spec } = synth({ toolSidecar: sidecar });
  expect(spec.egress).toEqual([DNS_RULE, podsRule('tools', 5000), ipRule('10.0.0.5/32', 8080), ...publicRules(443)]);
  expect(synth({ toolSidecar: new ToolSidecar({ image: TOOL_IMAGE }) }).spec.egress).toEqual([DNS_RULE]);
});

test('git over ssh (port 22) and package installs (443) from the init container', () => {
  expect(synth({ gitRepository: 'git@github.com:example/agent.git', installsPackages: true }).spec.egress)
    .toEqual([DNS_RULE, ...publicRules(22, 443)]);
  expect(synth({ gitRepository: 'ssh://git@git.example.com:2222/agent.git' }).spec.egress).toEqual([DNS_RULE, ...publicRules(2222)]);
  expect(synth({ gitRepository: 'https://git.corp.svc/agent.git' }).spec.egress).toEqual([DNS_RULE, podsRule('corp', 443)]);
});

// ---------------------------------------------------------------------------
// User egress and ingress
// ---------------------------------------------------------------------------

test('additional egress: a host, a CIDR with except, and pods in other namespaces', () => {
  const { spec } = synth({}, {
    additionalEgress: [
      { host: 'proxy.example.com', ports: [3128] },
      { cidr: '10.20.0.0/16', exceptCidrs: ['10.20.5.0/24'], ports: [5432] },
      { namespaces: ['db', 'cache'], podLabels: { tier: 'data' }, ports: [5432, 6379] },
    ],
  });
  const data = (namespace: string) => ({ ...podsRule(namespace, 0, { tier: 'data' }), ports: tcp(5432, 6379) });
  expect(spec.egress).toEqual([
    DNS_RULE,
    data('cache'),
    data('db'),
    { ports: tcp(5432), to: [{ ipBlock: { cidr: '10.20.0.0/16', except: ['10.20.5.0/24'] } }] },
    ...publicRules(3128),
  ]);
});

test('no ingress unless allowed; each allowed peer is one rule, in order', () => {
  expect(synth().spec.ingress).toBeUndefined();
  const { spec } = synth({}, {
    allowIngressFrom: [
      { namespaces: ['gateway', 'monitoring'], podLabels: { app: 'proxy' }, ports: [8080, 443, 8080] },
      { podLabels: { role: 'client' } },
      { namespaces: ['ops'] },
      { cidr: '2001:DB8::/32', exceptCidrs: ['2001:db8:1::/48'], ports: [8080] },
    ],
  });
  const ns = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
  expect(spec.ingress).toEqual([
    {
      ports: tcp(443, 8080),
      from: [
        { namespaceSelector: ns('gateway'), podSelector: { matchLabels: { app: 'proxy' } } },
        { namespaceSelector: ns('monitoring'), podSelector: { matchLabels: { app: 'proxy' } } },
      ],
    },
    { ports: [], from: [{ podSelector: { matchLabels: { role: 'client' } } }] },
    { ports: [], from: [{ namespaceSelector: ns('ops'), podSelector: {} }] },
    { ports: tcp(8080), from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }] },
  ]);
});

// ---------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------

test('bad CIDRs are refused with the field and the value', () => {
  const ingress = (peer: any) => errorOf(() => synth({}, { allowIngressFrom: [peer] }));
  expect(ingress({ cidr: '10.0.0.0' })).toBe('NetworkPolicy \'web\': allowIngressFrom[0].cidr \'10.0.0.0\' is not an IPv4 or IPv6 CIDR (address/prefix, e.g. \'203.0.113.0/24\' or \'2001:db8::/32\')');
  expect(ingress({ cidr: '10.0.0.256/32' })).toMatch(/is not an IPv4 or IPv6 CIDR/);
  expect(ingress({ cidr: '10.0.0.0/33' })).toMatch(/is not an IPv4 or IPv6 CIDR/);
  expect(ingress({ cidr: '2001:db8:::/32' })).toMatch(/is not an IPv4 or IPv6 CIDR/);
  expect(ingress({ cidr: '10.1.2.3/24' })).toBe('NetworkPolicy \'web\': allowIngressFrom[0].cidr \'10.1.2.3/24\' has host bits set; did you mean \'10.1.2.0/24\'?');
  expect(ingress({ cidr: '::ffff:10.0.0.0/104' })).toMatch(/IPv4-mapped IPv6 CIDR; write it in IPv4 form \('10.0.0.0\/8'\)/);
  expect(ingress({ cidr: '10.0.0.0/8', exceptCidrs: ['192.168.0.0/16'] }))
    .toBe('NetworkPolicy \'web\': allowIngressFrom[0].exceptCidrs[0] \'192.168.0.0/16\' is not strictly inside cidr \'10.0.0.0/8\'');
});

test('bad peers, ports and names are refused', () => {
  const opts = (options: AgentNetworkPolicyOptions) => errorOf(() => synth({}, options));
  expect(opts({ allowIngressFrom: [{ cidr: '10.0.0.0/8', podLabels: { a: 'b' } }] })).toMatch(/allowIngressFrom\[0\] .* must give either cidr, or namespaces and\/or podLabels/);
  expect(opts({ allowIngressFrom: [{}] })).toMatch(/must give either cidr/);
  expect(opts({ allowIngressFrom: [{ podLabels: { a: 'b' }, ports: [] }] })).toMatch(/allowIngressFrom\[0\].ports '\[\]' is empty: leave it out to allow every port/);
  expect(opts({ allowIngressFrom: [{ namespaces: ['Bad_NS'] }] })).toMatch(/allowIngressFrom\[0\].namespaces\[0\] 'Bad_NS' is not a valid RFC 1123 label/);
  expect(opts({ allowIngressFrom: [{ podLabels: { a: 'b' }, ports: [70000] }] })).toMatch(/allowIngressFrom\[0\].ports\[0\] '70000' is not a port number/);
  expect(opts({ additionalEgress: [{ cidr: '10.0.0.0/8' }] })).toMatch(/additionalEgress\[0\].ports .* is empty: give at least one TCP port/);
  expect(opts({ additionalEgress: [{ host: 'a.example.com', cidr: '10.0.0.0/8', ports: [1] }] })).toMatch(/must give exactly one of host, cidr, or namespaces\/podLabels/);
  expect(opts({ additionalEgress: [{ host: 'bad host', ports: [1] }] })).toMatch(/additionalEgress\[0\].host 'bad host' is not a host name or IP address/);
  expect(opts({ dnsPodLabels: { 'k8s-app': 'not valid!' } })).toMatch(/dnsPodLabels\['k8s-app'\] 'not valid!' is not a valid label value/);
});

test('inside an AgentPod, errors name the pod and the networkPolicy field', () => {
  const message = errorOf(() => synth({}, { allowIngressFrom: [{ cidr: 'nope' }] }, { where: 'app/web' }));
  expect(message).toMatch(/^AgentPod 'app\/web': networkPolicy.allowIngressFrom\[0\].cidr 'nope' is not an IPv4 or IPv6 CIDR/);
  // Fields of the declarations the rules are derived from keep their own names.
  expect(errorOf(() => synth({ gitRepository: 'ftp://example.com/agent.git' }, {}, { where: 'app/web' })))
    .toBe('AgentPod \'app/web\': code.source.repository \'ftp://example.com/agent.git\' is not a URL with one of the schemes https://, http://, ssh://');
});

// ---------------------------------------------------------------------------
// the construct
// ---------------------------------------------------------------------------

/** What a derived rule must look like once rendered (written out here, independently of cdk8s-plus). */
function expectedRule(rule: PolicyRule, side: 'to' | 'from'): any {
  const peers = (peer: PolicyPeer): any[] => {
    if (peer.type === 'ipBlock') return [{ ipBlock: peer.except.length ? { cidr: peer.cidr, except: peer.except } : { cidr: peer.cidr } }];
    const podSelector = Object.keys(peer.labels).length ? { matchLabels: peer.labels } : {};
    if (peer.namespaces.length === 0) return [{ podSelector }];
    return peer.namespaces.map(ns => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, podSelector }));
  };
  return { ports: (rule.ports ?? []).map(p => ({ port: p.port, protocol: p.protocol })), [side]: peers(rule.peer) };
}

test('the spec renders exactly the derived rules, egress then ingress', () => {
  const { policy, manifests: [manifest] } = synth(
    { llmProviders: [LlmProvider.anthropic({ credentials: CREDENTIALS }), provider('http://[fd00::5]:8000')], redis: { host: 'redis.data', port: 6379 } },
    {
      additionalEgress: [{ namespaces: ['db', 'cache'], podLabels: { tier: 'data' }, ports: [5432], udpPorts: [5432] }],
      allowIngressFrom: [{ namespaces: ['a', 'b'], ports: [80] }, { cidr: '10.0.0.0/8', exceptCidrs: ['10.1.0.0/16'] }],
    },
  );
  expect(policy.egressRules.length).toBe(7); // DNS, cache, db, Redis, the /128, public IPv4 and IPv6
  expect(manifest.spec.egress).toEqual(policy.egressRules.map(rule => expectedRule(rule, 'to')));
  expect(manifest.spec.ingress).toEqual(policy.ingressRules.map(rule => expectedRule(rule, 'from')));
  expect(manifest.spec.policyTypes).toEqual(['Egress', 'Ingress']);
});

test('bad input fails in the derivation, before anything is rendered', () => {
  expect(() => derive({}, { allowIngressFrom: [{ cidr: '10.0.0.1/8' }] }))
    .toThrow(/allowIngressFrom\[0\].cidr '10.0.0.1\/8' has host bits set/);
});
