/**
 * The AgentType spec between the structs and the CRD's JSON: the one
 * mapping (agent-type-json.ts), both ways, written out by hand here, and what
 * it refuses. The CRD's field names do not change.
 */
import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { AgentPod, AgentType, AgentTypeSpec } from '../../src';
import { agentTypeSpecFromJson, agentTypeSpecToJson, RENAMED_FIELDS } from '../../src/install/agent-type-json';
import { errorOf } from '../support/util';

/** Every renamed property set, as the structs spell it. */
const STRUCTS: AgentTypeSpec = {
  agent: {
    name: 'agent',
    sourceType: 'code',
    code: { source: { sourceType: 'git', repository: 'https://github.com/example/agent', revision: 'v1.2.0', path: '/src' }, runtime: 'python', version: '3.12' },
  },
  memory: { size: '1Gi', backendType: 'redis', config: { address: 'redis.agents.svc:6379', database: 2 } },
  llm: {
    providers: [
      { name: 'main', providerType: 'anthropic', credentialsSecret: 'anthropic', config: { model: 'claude-3' } },
      { name: 'local', providerType: 'vllm', credentialsSecret: 'vllm', config: { endpoint: 'http://vllm:8000/v1', model: 'llama' } },
    ],
  },
  scaling: {
    maxReplicas: 4,
    metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: k8s.Quantity.fromString('100m') } } },
    ],
  },
};

/** The same spec as the AgentType YAML spells it. */
const CRD_JSON = {
  agent: {
    name: 'agent',
    type: 'code',
    code: { source: { type: 'git', repository: 'https://github.com/example/agent', ref: 'v1.2.0', path: '/src' }, runtime: 'python', version: '3.12' },
  },
  memory: { size: '1Gi', type: 'redis', config: { address: 'redis.agents.svc:6379', database: 2 } },
  llm: {
    providers: [
      { name: 'main', type: 'anthropic', credentialsSecret: 'anthropic', config: { model: 'claude-3' } },
      { name: 'local', type: 'vllm', credentialsSecret: 'vllm', config: { endpoint: 'http://vllm:8000/v1', model: 'llama' } },
    ],
  },
  scaling: {
    maxReplicas: 4,
    metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
      { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '100m' } } },
    ],
  },
};

describe('the structs and the CRD JSON of a spec', () => {
  test('structs -> JSON: each renamed property under its CRD field, in its place; quantities as their values', () => {
    const json = agentTypeSpecToJson(STRUCTS, 'test');
    expect(json).toEqual(CRD_JSON);
    // the key order is kept (the rendered YAML is sorted by cdk8s anyway)
    expect(Object.keys(json.agent)).toEqual(['name', 'type', 'code']);
    expect(Object.keys(json.agent.code.source)).toEqual(['type', 'repository', 'ref', 'path']);
  });

  test('JSON -> structs: the inverse, quantities as k8s.Quantity', () => {
    const structs = agentTypeSpecFromJson<AgentTypeSpec>(CRD_JSON, 'test');
    expect(structs).toEqual(STRUCTS);
    const target = structs.scaling!.metrics![1].pods!.target;
    expect(target.averageValue).toBeInstanceOf(k8s.Quantity);
    expect(target.averageValue!.value).toBe('100m');
    expect(agentTypeSpecFromJson<AgentTypeSpec>({ agent: {}, scaling: { metrics: [{ type: 'Object', object: { target: { value: 3 } } }] } }, 'test')
      .scaling!.metrics![0].object!.target.value).toEqual(k8s.Quantity.fromNumber(3));
  });

  test('a round trip either way gives back what went in, as a copy', () => {
    expect(agentTypeSpecFromJson<AgentTypeSpec>(agentTypeSpecToJson(STRUCTS, 'test'), 'test')).toEqual(STRUCTS);
    expect(agentTypeSpecToJson(agentTypeSpecFromJson<AgentTypeSpec>(CRD_JSON, 'test'), 'test')).toEqual(CRD_JSON);
    const copy = agentTypeSpecFromJson<AgentTypeSpec>(CRD_JSON, 'test') as any;
    copy.llm.providers[0].config.model = 'changed';
    expect(CRD_JSON.llm.providers[0].config.model).toBe('claude-3');
  });

  test('only the listed places are renamed: a `type` or `ref` anywhere else is kept as it is', () => {
    const spec: any = {
      agent: { image: 'x', environment: { variables: [{ name: 'type', value: 'ref' }] } },
      tools: { custom: [{ name: 'type', source: 'https://example.com/t', sha256: 'ab'.repeat(32) }] },
      security: { networkPolicy: { enabled: true } },
    };
    expect(agentTypeSpecToJson(spec, 'test')).toEqual(spec);
    expect(agentTypeSpecFromJson<AgentTypeSpec>(spec, 'test')).toEqual(spec);
    expect(RENAMED_FIELDS.map(r => `${['spec', ...r.at].join('.')}.${r.field} <-> ${r.struct}.${r.property}`)).toEqual([
      'spec.agent.type <-> AgentSpec.sourceType',
      'spec.agent.code.source.type <-> AgentCodeSourceSpec.sourceType',
      'spec.agent.code.source.ref <-> AgentCodeSourceSpec.revision',
      'spec.memory.type <-> MemorySpec.backendType',
      'spec.llm.providers.*.type <-> LlmProviderSpec.providerType',
    ]);
  });

  test('undefined properties are left out, as JSON leaves them out', () => {
    expect(agentTypeSpecToJson({ agent: { image: 'x', sourceType: undefined }, memory: { backendType: undefined, size: '1Gi' } }, 'test'))
      .toEqual({ agent: { image: 'x' }, memory: { size: '1Gi' } });
  });

  test('a field under the other spelling is refused, naming the owner, the path and the right name', () => {
    expect(errorOf(() => agentTypeSpecToJson({ agent: { image: 'x', type: 'container' } } as any, "AgentType 'test/web'")))
      .toBe("AgentType 'test/web': spec.agent.type is the AgentType CRD's name of AgentSpec.sourceType: give it as 'sourceType'");
    expect(errorOf(() => agentTypeSpecToJson({ agent: { image: 'x' }, llm: { providers: [{ name: 'a', type: 'openai' }] } } as any, 'X')))
      .toBe("X: spec.llm.providers[0].type is the AgentType CRD's name of LlmProviderSpec.providerType: give it as 'providerType'");
    expect(errorOf(() => agentTypeSpecToJson({ agent: { code: { source: { ref: 'main' } } } } as any, 'X')))
      .toBe("X: spec.agent.code.source.ref is the AgentType CRD's name of AgentCodeSourceSpec.revision: give it as 'revision'");
    expect(errorOf(() => agentTypeSpecFromJson<AgentTypeSpec>({ agent: { image: 'x' }, memory: { backendType: 'redis' } }, "AgentType 'agents/web'")))
      .toBe("AgentType 'agents/web': spec.memory.backendType is not a field of the AgentType CRD (MemorySpec.backendType is the CRD's 'type')");
  });
});

describe('where the mapping is used', () => {
  test('an AgentType renders the CRD JSON, and its spec reads back as the structs', () => {
    const chart = Testing.chart();
    const at = new AgentType(chart, 'web', { metadata: { name: 'web' }, spec: STRUCTS });
    expect(Testing.synth(chart)[0].spec).toEqual(CRD_JSON);
    expect(at.spec).toEqual(STRUCTS);
  });

  test('an AgentType given a field by its CRD name is refused, with nothing left in the tree', () => {
    const chart = Testing.chart();
    expect(errorOf(() => new AgentType(chart, 'web', { spec: { agent: { image: 'x' }, memory: { type: 'redis' } } as any })))
      .toBe("AgentType 'test/web': spec.memory.type is the AgentType CRD's name of MemorySpec.backendType: give it as 'backendType'");
    expect(chart.node.children).toHaveLength(0);
  });

  test('AgentPod.fromAgentTypeSpec validates the JSON and reads the structs: the schema names the CRD field', () => {
    const bad = errorOf(() => AgentPod.fromAgentTypeSpec(Testing.chart(), 'web', { agent: { image: 'x:1' }, memory: { backendType: 'mongo' } }));
    expect(bad).toBe("AgentPod 'test/web': spec.memory.type 'mongo' must be one of: redis, inmemory");
    // the operator's path: JSON read from the API server, then the structs
    const json = { ...CRD_JSON, scaling: { maxReplicas: 4, metrics: [CRD_JSON.scaling.metrics[0]] } };
    const pod = AgentPod.fromAgentTypeSpec(Testing.chart(), 'web', agentTypeSpecFromJson<AgentTypeSpec>(json, 'test'), { toolSidecar: { image: 'registry.example.com/gateway:1' } });
    expect([pod.source.sourceType, pod.source.codeSource?.revision, pod.memory.backend.backendType, pod.llmProviders.map(p => p.providerType)])
      .toEqual(['code', 'v1.2.0', 'redis', ['anthropic', 'vllm']]);
    expect(agentTypeSpecToJson(pod.toAgentTypeSpec(), 'test')).toMatchObject({ agent: { type: 'code', code: { source: { type: 'git', ref: 'v1.2.0' } } }, memory: { type: 'redis' } });
  });
});
