/**
 * AgentPod renders its NetworkPolicy as the L1 object with a spec from
 * `networkPolicySpec`; these tests hold that rendering to the one of
 * `AgentNetworkPolicy` (cdk8s-plus) for the same declarations.
 */
import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { LlmProvider } from '../../src/agent/llm-provider';
import {
  AgentEgressSources, AgentNetworkPolicy, AgentNetworkPolicyOptions, PolicyInput, deriveEgress, deriveIngress,
} from '../../src/agent/network-policy';
import { networkPolicySpec } from '../../src/agent/pod-network-policy';
import { ToolSidecar } from '../../src/agent/tool-sidecar';

const SELECTOR = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' };
const provider = (name: string, endpoint: string) => LlmProvider.generic({ name, type: 'vllm', endpoint, credentials: { secretName: 'llm' } });

/** The spec AgentNetworkPolicy renders, and the one networkPolicySpec renders, for the same declarations. */
function bothSpecs(sources: AgentEgressSources, options: AgentNetworkPolicyOptions): [any, any] {
  const chart = Testing.chart();
  new AgentNetworkPolicy(chart, 'Construct', { agentName: 'construct', namespace: 'agents', podSelector: SELECTOR, labels: {}, options, sources });
  const input = PolicyInput.of('l1');
  const spec = networkPolicySpec(SELECTOR, deriveEgress(sources, options, input), deriveIngress(options.allowIngressFrom ?? [], input));
  new k8s.KubeNetworkPolicy(chart, 'L1', { metadata: { name: 'l1', namespace: 'agents' }, spec });
  const objects = Testing.synth(chart);
  const specOf = (name: string) => objects.find(o => o.kind === 'NetworkPolicy' && o.metadata.name === name).spec;
  return [specOf('construct'), specOf('l1')];
}

const cases: Array<[string, AgentEgressSources, AgentNetworkPolicyOptions]> = [
  ['DNS only', {}, {}],
  ['nothing at all: no DNS, no rules', {}, { allowDns: false }],
  ['public, IP and in-cluster providers', {
    llmProviders: [
      LlmProvider.anthropic({ credentials: { secretName: 'anthropic' } }),
      provider('vllm', 'http://10.1.2.3:8000/v1'),
      provider('v6', 'https://[2001:db8::5]/v1'),
      provider('svc', 'http://llm.models.svc:8080'),
      provider('local', 'http://localhost:9000'),
    ],
  }, {}],
  ['sidecar tools, git over ssh, packages, Redis in the cluster', {
    toolSidecar: new ToolSidecar({ image: 'registry.example.com/tools:1', required: ['git'], custom: [{ name: 'x', source: 'oci://registry.example.com/x' }] }),
    gitRepository: 'git@github.com:example/agent.git',
    installsPackages: true,
    redis: { host: 'redis.data.svc', port: 6379, podLabels: { app: 'redis' }, namespace: 'data' },
  }, {}],
  ['Redis by address only', { redis: { host: 'redis', port: 6379 } }, {}],
  ['additional egress of every kind and custom DNS', {}, {
    dnsNamespace: 'dns',
    dnsPodLabels: {},
    additionalEgress: [
      { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'], ports: [5432] },
      { namespaces: ['a', 'b'], podLabels: { app: 'db' }, ports: [5432], udpPorts: [5353] },
      { podLabels: { app: 'cache' }, ports: [11211] },
      { host: 'proxy.example.com', ports: [3128] },
      { host: '192.0.2.10', udpPorts: [514] },
    ],
  }],
  ['ingress of every kind', {}, {
    allowIngressFrom: [
      { namespaces: ['default', 'monitoring'], ports: [9464, 8080, 8080] },
      { podLabels: { role: 'frontend' } },
      { namespaces: ['edge'], podLabels: { role: 'gateway' }, ports: [8080] },
      { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] },
      { cidr: '2001:db8::/32', ports: [443] },
    ],
  }],
];

describe('networkPolicySpec renders what AgentNetworkPolicy renders', () => {
  test.each(cases)('%s', (_name, sources, options) => {
    const [construct, l1] = bothSpecs(sources, options);
    expect(l1).toEqual(construct);
  });

  test('the comparison can fail: different declarations render differently', () => {
    const [construct] = bothSpecs({}, {});
    const [, l1] = bothSpecs({}, { allowIngressFrom: [{ podLabels: { role: 'x' } }] });
    expect(l1).not.toEqual(construct);
  });
});
