import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from '@bufbuild/cel';
import Ajv from 'ajv';
import { App, Chart, JsonPatch, Testing, YamlOutputType } from 'cdk8s';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { AgentType, AgentTypeSpec, MemoryConfigSpec } from '../../src/install/agent-type';
import { AgentTypeCrd } from '../../src/install/agent-type-crd';
import { agentTypeSpecToJson } from '../../src/install/agent-type-json';

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

function synthCrd(props?: ConstructorParameters<typeof AgentTypeCrd>[2], chart: Chart = Testing.chart()): any {
  new AgentTypeCrd(chart, 'crd', props);
  const objs = Testing.synth(chart);
  expect(objs).toHaveLength(1);
  return objs[0];
}

function schemaOf(crd: any): any {
  return crd.spec.versions[0].schema.openAPIV3Schema;
}

/** An ajv validator compiled in the test from a synthesized CRD: the independent check. */
function independentValidator(crd: any) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i);
  ajv.addFormat('int64', { type: 'number', validate: () => true }); // kube-openapi's integer format
  return ajv.compile(schemaOf(crd));
}

/** A chart with the CRD and one AgentType; returns the synthesized objects. */
function synthAgent(spec: AgentTypeSpec | any, name = 'agent'): any[] {
  const chart = Testing.chart();
  const crd = new AgentTypeCrd(chart, 'crd');
  new AgentType(chart, 'bad', { crd, metadata: { name }, spec });
  return Testing.synth(chart);
}

/** Synthesis error message for an AgentType with the given spec at path 'test/bad'. */
function synthError(spec: any): string {
  try {
    synthAgent(spec);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected synthesis to fail');
}

// ---------------------------------------------------------------------------
// The six example AgentTypes of the product design document, copied as written. The only change: the
// container-agent's `API_KEY: "secret-key"` became `LOG_LEVEL: debug`, because
// this project never puts secret values in manifests.
// ---------------------------------------------------------------------------

const DOCUMENTED_EXAMPLES: Record<string, AgentTypeSpec> = {
  'basic-agent': {
    agent: { image: 'nginx:latest', name: 'web-agent' },
  },
  'container-agent': {
    agent: {
      sourceType: 'container',
      container: { image: 'custom-agent:latest', pullPolicy: 'Always' },
      environment: {
        variables: [{ name: 'LOG_LEVEL', value: 'debug' }],
        sdk: { runtime: 'python', version: '3.9', packages: ['requests', 'pandas'] },
      },
    },
  },
  'code-agent': {
    agent: {
      sourceType: 'code',
      code: {
        source: { sourceType: 'git', repository: 'https://github.com/example/agent', path: '/src' },
        runtime: 'python',
        version: '3.9',
      },
      environment: { glueCode: { source: '/shared/gluecode.py' } },
    },
  },
  'tooled-agent': {
    agent: { sourceType: 'container', container: { image: 'base-agent:latest' } },
    tools: {
      required: ['python', 'git'],
      optional: ['kubectl'],
      custom: [{ name: 'custom-tool', version: '1.0', source: 'https://example.com/tools/custom-tool' }],
    },
  },
  'full-agent': {
    agent: { sourceType: 'container', container: { image: 'advanced-agent:latest' } },
    tools: { required: ['python'] },
    memory: { size: '1Gi', backendType: 'redis', config: { persistence: true } as MemoryConfigSpec },
    llm: {
      providers: [
        { name: 'main-llm', providerType: 'anthropic', credentialsSecret: 'anthropic-credentials', config: { model: 'claude-3' } },
        { name: 'backup-llm', providerType: 'openai', credentialsSecret: 'openai-credentials' },
      ],
    },
  },
  'production-agent': {
    agent: { sourceType: 'container', container: { image: 'production-agent:latest' } },
    tools: { required: ['python'] },
    memory: { size: '2Gi', backendType: 'redis' },
    llm: { providers: [{ name: 'production-llm', providerType: 'anthropic', credentialsSecret: 'prod-anthropic-creds' }] },
    monitoring: { enabled: true, metrics: ['memory_usage', 'api_latency'] },
    security: { networkPolicy: { allowedNamespaces: ['default', 'monitoring'] } },
    scaling: {
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [{
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      }],
    },
  },
};

// ---------------------------------------------------------------------------
// AgentTypeCrd
// ---------------------------------------------------------------------------

describe('AgentTypeCrd', () => {
  test('names, group, version, scope', () => {
    const chart = Testing.chart();
    const crd = new AgentTypeCrd(chart, 'crd');
    expect(crd.group).toBe('agents.example.com');
    expect(crd.kind).toBe('AgentType');
    expect(crd.plural).toBe('agenttypes');
    expect(crd.version).toBe('v1');
    expect(crd.apiVersion).toBe('agents.example.com/v1');
    expect(crd.crdName).toBe('agenttypes.agents.example.com');

    const [obj] = Testing.synth(chart);
    expect(obj.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(obj.kind).toBe('CustomResourceDefinition');
    expect(obj.metadata.name).toBe('agenttypes.agents.example.com');
    expect(obj.spec.group).toBe('agents.example.com');
    expect(obj.spec.scope).toBe('Namespaced');
    expect(obj.spec.names).toEqual({
      kind: 'AgentType',
      listKind: 'AgentTypeList',
      plural: 'agenttypes',
      singular: 'agenttype',
      shortNames: ['at'],
      categories: ['agents'],
    });
    expect(obj.spec.versions).toHaveLength(1);
    expect(obj.spec.versions[0]).toMatchObject({ name: 'v1', served: true, storage: true, subresources: { status: {} } });
  });

  test('custom group changes the CRD name and apiVersion', () => {
    const chart = Testing.chart();
    const crd = new AgentTypeCrd(chart, 'crd', { group: 'ai.corp.internal' });
    expect(crd.apiVersion).toBe('ai.corp.internal/v1');
    const [obj] = Testing.synth(chart);
    expect(obj.metadata.name).toBe('agenttypes.ai.corp.internal');
    expect(obj.spec.group).toBe('ai.corp.internal');
  });

  test.each([
    ['agents', 'must contain at least one dot'],
    ['Agents.Example.com', 'RFC 1123 subdomain'],
    ['agents_example.com', 'RFC 1123 subdomain'],
    ['', 'RFC 1123 subdomain'],
  ])('invalid group %p throws with the path, field and value', (group, problem) => {
    const chart = Testing.chart();
    expect(() => new AgentTypeCrd(chart, 'crd', { group })).toThrow(`AgentTypeCrd 'test/crd': group '${group}'`);
    expect(() => new AgentTypeCrd(chart, 'crd2', { group })).toThrow(problem);
  });

  test('printer columns include Status and Age with their jsonPaths', () => {
    const cols = synthCrd().spec.versions[0].additionalPrinterColumns;
    expect(cols).toContainEqual(expect.objectContaining({ name: 'Status', type: 'string', jsonPath: '.status.phase' }));
    expect(cols).toContainEqual(expect.objectContaining({ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }));
    expect(cols.map((c: any) => c.name)).toEqual(['Type', 'Status', 'Age']);
  });

  test('never carries a namespace, even in a namespaced chart', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'ns', { namespace: 'agents' });
    new AgentTypeCrd(chart, 'crd');
    new AgentType(chart, 'a', { metadata: { name: 'a' }, spec: { agent: { image: 'x' } } });
    const [crd, at] = Testing.synth(chart);
    expect(crd.kind).toBe('CustomResourceDefinition');
    expect(crd.metadata.namespace).toBeUndefined();
    expect(at.metadata.namespace).toBe('agents'); // AgentType itself is namespaced
  });

  test('recommended labels, overridable and removable', () => {
    const labels = synthCrd().metadata.labels;
    expect(labels).toMatchObject({
      'app.kubernetes.io/component': 'crd',
      'app.kubernetes.io/part-of': 'cdk8s-agents',
      'app.kubernetes.io/managed-by': 'cdk8s',
    });
    const custom = synthCrd({ labels: { 'team': 'ai', 'app.kubernetes.io/part-of': 'platform' } }).metadata.labels;
    expect(custom.team).toBe('ai');
    expect(custom['app.kubernetes.io/part-of']).toBe('platform');
    expect(synthCrd({ recommendedLabels: false }).metadata.labels).toBeUndefined();
  });

  test('invalid labels throw with the path, the field and the value, before the CRD object exists', () => {
    const chart = Testing.chart();
    expect(() => new AgentTypeCrd(chart, 'crd', { labels: { 'bad key!': 'x' } }))
      .toThrow("AgentTypeCrd 'test/crd': labels key 'bad key!' is not a valid label key");
    expect(() => new AgentTypeCrd(chart, 'crd2', { labels: { team: 'a b' } }))
      .toThrow("AgentTypeCrd 'test/crd2': labels['team'] 'a b' is not a valid label value");
    expect(chart.node.children.map(c => c.node.children)).toEqual([[], []]);
    expect(Testing.synth(chart)).toEqual([]);
  });

  test('the schema in the CRD is exactly AgentTypeCrd.openApiSchema()', () => {
    expect(schemaOf(synthCrd())).toEqual(AgentTypeCrd.openApiSchema());
  });

  test('openApiSchema() returns a fresh copy each call', () => {
    const a = AgentTypeCrd.openApiSchema();
    a.properties.spec.required.push('mutated');
    a.properties.spec.properties.memory.properties.type.enum.push('mongo');
    const b = AgentTypeCrd.openApiSchema();
    expect(b.properties.spec.required).toEqual(['agent']);
    expect(b.properties.spec.properties.memory.properties.type.enum).toEqual(['redis', 'inmemory']);
  });

  test('strict enums and free-form configs', () => {
    const s = schemaOf(synthCrd());
    const spec = s.properties.spec.properties;
    const agent = spec.agent.properties;
    expect(s.properties.status.properties.phase.enum).toEqual(['Pending', 'Running', 'Failed', 'Succeeded']);
    expect(spec.memory.properties.type.enum).toEqual(['redis', 'inmemory']);
    expect(agent.type.enum).toEqual(['container', 'code']);
    expect(agent.container.properties.pullPolicy.enum).toEqual(['Always', 'IfNotPresent', 'Never']);
    expect(agent.code.properties.source.properties.type.enum).toEqual(['git', 'local']);
    expect(agent.code.properties.runtime.enum).toEqual(['python', 'nodejs']);
    expect(agent.environment.properties.sdk.properties.runtime.enum).toEqual(['python', 'nodejs']);

    const preserved = (node: any) => node['x-kubernetes-preserve-unknown-fields'];
    expect(preserved(spec.memory.properties.config)).toBe(true);
    expect(preserved(spec.llm.properties.providers.items.properties.config)).toBe(true);
    expect(preserved(agent.container.properties.securityContext)).toBe(true);
    // security lists only what an agent pod honours: the API server refuses (or prunes) the rest.
    expect(preserved(spec.security.properties.networkPolicy)).toBeUndefined();
    expect(Object.keys(spec.security.properties.networkPolicy.properties).sort()).toEqual(['allowedNamespaces', 'enabled']);
    expect(preserved(spec.security.properties.podSecurityContext)).toBeUndefined();
    expect(Object.keys(spec.security.properties.podSecurityContext.properties).sort()).toEqual(['fsGroup', 'runAsGroup', 'runAsNonRoot', 'runAsUser']);
    expect(preserved(spec.scaling.properties.metrics.items)).toBe(true);
    for (const k of ['toolStatus', 'memoryStatus', 'llmStatus']) {
      expect(preserved(s.properties.status.properties[k])).toBe(true);
    }
    // things that are NOT free-form
    expect(preserved(spec.memory)).toBeUndefined();
    expect(preserved(spec.agent)).toBeUndefined();
  });

  test('required fields, defaults, patterns and ranges', () => {
    const s = schemaOf(synthCrd());
    const spec = s.properties.spec;
    expect(s.required).toEqual(['spec']);
    expect(spec.required).toEqual(['agent']);
    expect(spec.properties.agent.properties.name.default).toBe('agent');
    expect(spec.properties.memory.properties.size.pattern).toBe(
      '^\\+?(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?$');
    expect(spec.properties.llm.properties.providers.items.required).toEqual(['name']);
    expect(spec.properties.tools.properties.custom.items.required).toEqual(['name']);
    expect(spec.properties.agent.properties.environment.properties.variables.items.required).toEqual(['name']);
    expect(spec.properties.scaling.properties.minReplicas).toMatchObject({ type: 'integer', minimum: 1, maximum: 2147483647 });
    expect(spec.properties.scaling.properties.maxReplicas).toMatchObject({ type: 'integer', minimum: 1, maximum: 2147483647 });
    expect(s.properties.status.properties.conditions.items.properties.lastTransitionTime.format).toBe('date-time');
    expect(spec.properties.agent.anyOf).toEqual([
      { required: ['image'] },
      { required: ['container'], properties: { container: { required: ['image'] } } },
      { required: ['code'] },
    ]);
    expect(spec.properties.agent['x-kubernetes-validations']).toContainEqual({
      rule: '!has(self.type) || self.type != \'code\' || has(self.code)',
      message: 'agent.type \'code\' requires agent.code',
    });
  });

  test('the CRD is valid for kubernetes-models', () => {
    const obj = synthCrd();
    expect(() => new CustomResourceDefinition(obj).validate()).not.toThrow();
    const custom = synthCrd({ group: 'ai.corp.internal' });
    expect(() => new CustomResourceDefinition(custom).validate()).not.toThrow();
    // and the validator does bite: a CRD without names is rejected
    expect(() => new CustomResourceDefinition({ ...obj, spec: { ...obj.spec, names: undefined } }).validate()).toThrow(/names/);
  });

  test('the schema is structural', () => {
    const problems: string[] = [];
    const LOGIC = ['anyOf', 'allOf', 'oneOf', 'not'];
    const FORBIDDEN_IN_LOGIC = ['type', 'description', 'default', 'additionalProperties', 'nullable'];
    // a node inside a logical junctor may only constrain fields declared outside it
    const walk = (node: any, where: string, inLogic: boolean, outside: any) => {
      const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
      if (!inLogic && !preserve && !node['x-kubernetes-int-or-string'] && !node.type) {
        problems.push(`${where}: no type`);
      }
      if (inLogic) {
        for (const k of FORBIDDEN_IN_LOGIC) if (k in node) problems.push(`${where}: '${k}' inside a logical junctor`);
      }
      if (preserve && 'additionalProperties' in node) problems.push(`${where}: preserve-unknown-fields with additionalProperties`);
      if (node.properties && node.additionalProperties !== undefined) problems.push(`${where}: properties with additionalProperties`);
      for (const [k, child] of Object.entries<any>(node.properties ?? {})) {
        if (inLogic && !(outside?.properties ?? {})[k]) problems.push(`${where}.${k}: not declared outside the junctor`);
        walk(child, `${where}.${k}`, inLogic, outside?.properties?.[k]);
      }
      if (node.items) walk(node.items, `${where}[]`, inLogic, outside?.items);
      for (const j of LOGIC) {
        const branches = j === 'not' ? (node.not ? [node.not] : []) : (node[j] ?? []);
        branches.forEach((b: any, i: number) => walk(b, `${where}.${j}[${i}]`, true, inLogic ? outside : node));
      }
    };
    const schema = schemaOf(synthCrd());
    walk(schema, '<root>', false, undefined);
    expect(problems).toEqual([]);

    // and the walker itself does catch an untyped node
    const broken = AgentTypeCrd.openApiSchema();
    delete broken.properties.spec.properties.memory.properties.size.type;
    problems.length = 0;
    walk(broken, '<root>', false, undefined);
    expect(problems).toEqual(['<root>.spec.memory.size: no type']);
  });

  test('snapshot of the synthesized CRD', () => {
    const obj = synthCrd();
    // targeted assertions beside the snapshot, so a snapshot update cannot hide a regression
    expect(obj.metadata.name).toBe('agenttypes.agents.example.com');
    expect(obj.metadata.namespace).toBeUndefined();
    expect(obj.spec.names.shortNames).toEqual(['at']);
    expect(obj.spec.versions[0].subresources).toEqual({ status: {} });
    // The operator's status: observedGeneration, and metav1.Condition's observedGeneration.
    const status = schemaOf(obj).properties.status.properties;
    expect(status.observedGeneration).toMatchObject({ type: 'integer', format: 'int64', minimum: 0 });
    expect(status.conditions.items.properties.observedGeneration).toMatchObject({ type: 'integer', format: 'int64', minimum: 0 });
    expect(schemaOf(obj)).toEqual(AgentTypeCrd.openApiSchema());
    expect(obj).toMatchSnapshot();
  });
});

// ---------------------------------------------------------------------------
// AgentType
// ---------------------------------------------------------------------------

describe('AgentType: the six documented example agents', () => {
  test.each(Object.keys(DOCUMENTED_EXAMPLES))('%s synthesizes and is valid against the synthesized CRD schema', (name) => {
    const chart = Testing.chart();
    const crd = new AgentTypeCrd(chart, 'crd');
    const at = new AgentType(chart, name, { crd, metadata: { name }, spec: DOCUMENTED_EXAMPLES[name] });
    const objs = Testing.synth(chart);

    const crdObj = objs.find(o => o.kind === 'CustomResourceDefinition');
    const agentObj = objs.find(o => o.kind === 'AgentType');
    expect(objs.indexOf(crdObj)).toBeLessThan(objs.indexOf(agentObj)); // CRD first
    expect(agentObj.apiVersion).toBe('agents.example.com/v1');
    expect(agentObj.metadata.name).toBe(name);
    // rendered under the CRD's field names (agent.type, memory.type, ...), read back as the structs
    const spec = DOCUMENTED_EXAMPLES[name];
    expect(agentObj.spec).toEqual(agentTypeSpecToJson(spec, name));
    expect(agentObj.spec.agent.type).toBe(spec.agent.sourceType);
    expect(agentObj.spec.memory?.type).toBe(spec.memory?.backendType);
    expect(JSON.stringify(agentObj.spec)).not.toMatch(/sourceType|backendType|providerType|revision/);
    expect(at.spec).toEqual(spec);

    const validate = independentValidator(crdObj);
    expect(validate(agentObj)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    expect(AgentType.validateManifest(agentObj)).toEqual([]);
  });

  test('no example carries a secret value', () => {
    const text = JSON.stringify(DOCUMENTED_EXAMPLES);
    expect(text).not.toMatch(/secret-key|API_KEY/);
  });
});

describe('AgentType: construction', () => {
  test('group defaults to agents.example.com, or comes from the CRD or the prop', () => {
    const chart = Testing.chart();
    const crd = new AgentTypeCrd(chart, 'crd', { group: 'ai.corp.internal' });
    expect(new AgentType(chart, 'a', { spec: { agent: { image: 'x' } } }).apiVersion).toBe('agents.example.com/v1');
    expect(new AgentType(chart, 'b', { crd, spec: { agent: { image: 'x' } } }).apiVersion).toBe('ai.corp.internal/v1');
    expect(new AgentType(chart, 'c', { group: 'x.y', spec: { agent: { image: 'x' } } }).apiVersion).toBe('x.y/v1');
    const d = new AgentType(chart, 'd', { crd, group: 'ai.corp.internal', spec: { agent: { image: 'x' } } });
    expect(d.kind).toBe('AgentType');
    expect(d.group).toBe('ai.corp.internal');
  });

  test('group different from the CRD group throws', () => {
    const chart = Testing.chart();
    const crd = new AgentTypeCrd(chart, 'crd', { group: 'ai.corp.internal' });
    expect(() => new AgentType(chart, 'a', { crd, group: 'agents.example.com', spec: { agent: { image: 'x' } } }))
      .toThrow('AgentType \'test/a\': group \'agents.example.com\' differs from the group of crd \'test/crd\' (\'ai.corp.internal\')');
  });

  test('invalid group throws', () => {
    expect(() => new AgentType(Testing.chart(), 'a', { group: 'nodot', spec: { agent: { image: 'x' } } }))
      .toThrow('AgentType \'test/a\': group \'nodot\' must contain at least one dot');
  });

  test('metadata.name must be an RFC 1123 subdomain', () => {
    expect(() => new AgentType(Testing.chart(), 'a', { metadata: { name: 'Basic_Agent' }, spec: { agent: { image: 'x' } } }))
      .toThrow('AgentType \'test/a\': metadata.name \'Basic_Agent\' is not a valid RFC 1123 subdomain');
  });

  test('a bad metadata.name or metadata.namespace (its own or the chart\'s) throws before the object exists: nothing is left to synthesize', () => {
    const spec = { agent: { image: 'x' } };
    const chart = Testing.chart();
    expect(() => new AgentType(chart, 'a', { metadata: { name: 'Basic_Agent' }, spec })).toThrow('AgentType \'test/a\': metadata.name');
    expect(() => new AgentType(chart, 'b', { metadata: { namespace: 'Team_A' }, spec }))
      .toThrow('AgentType \'test/b\': metadata.namespace \'Team_A\' is not a valid RFC 1123 label');
    expect(chart.node.children).toEqual([]);
    expect(Testing.synth(chart)).toEqual([]);

    const namespaced = new Chart(Testing.app(), 'c', { namespace: 'Bad_NS' });
    expect(() => new AgentType(namespaced, 'a', { spec })).toThrow('AgentType \'c/a\': metadata.namespace \'Bad_NS\'');
    expect(namespaced.node.children).toEqual([]);
  });

  test('a generated name is valid', () => {
    const chart = Testing.chart();
    new AgentType(chart, 'My Agent', { spec: { agent: { image: 'x' } } });
    const [obj] = Testing.synth(chart);
    expect(obj.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  test('the spec is copied: later mutation of the props does not leak in', () => {
    const chart = Testing.chart();
    const spec = { agent: { image: 'x' }, tools: { required: ['python'] } };
    const at = new AgentType(chart, 'a', { spec });
    spec.tools.required.push('git');
    expect(Testing.synth(chart)[0].spec.tools.required).toEqual(['python']);
    const copy: any = at.spec;
    copy.tools.required.push('curl');
    expect(at.spec.tools?.required).toEqual(['python']);
  });
});

describe('AgentType: an invalid spec is refused when the AgentType is created', () => {
  test('agent without image, container image or code', () => {
    const msg = synthError({ agent: { name: 'x' } });
    expect(msg).toContain('AgentType \'test/bad\': spec.agent \'{"name":"x"}\' needs something to run');
    expect(msg).toContain('spec.agent.image, spec.agent.container.image or spec.agent.code');
    // the per-branch "required" noise of the anyOf is not shown
    expect(msg).not.toContain('spec.agent.code is required');
  });

  test('container without an image is no image', () => {
    expect(synthError({ agent: { sourceType: 'container', container: { pullPolicy: 'Always' } } }))
      .toContain('spec.agent \'{"container":{"pullPolicy":"Always"},"type":"container"}\' needs something to run');
  });

  test('missing spec.agent', () => {
    expect(synthError({ tools: { required: ['python'] } }))
      .toContain('AgentType \'test/bad\': spec.agent is required but missing');
  });

  test('bad memory.type enum', () => {
    expect(synthError({ agent: { image: 'x' }, memory: { backendType: 'mongo' } }))
      .toContain('AgentType \'test/bad\': spec.memory.type \'mongo\' must be one of: redis, inmemory');
  });

  test('bad memory.size quantity', () => {
    const msg = synthError({ agent: { image: 'x' }, memory: { size: '2Gx' } });
    expect(msg).toContain('AgentType \'test/bad\': spec.memory.size \'2Gx\' must match pattern "');
    expect(msg).toContain('a Kubernetes quantity');
  });

  test('bad fields inside llm.providers[0]', () => {
    const msg = synthError({
      agent: { image: 'x' },
      llm: { providers: [{ providerType: 'anthropic', credentialsSecret: 'Anthropic_Creds' }] },
    });
    expect(msg).toContain('AgentType \'test/bad\': spec.llm.providers[0].name is required but missing');
    expect(msg).toContain('AgentType \'test/bad\': spec.llm.providers[0].credentialsSecret \'Anthropic_Creds\' must match pattern');
  });

  test('bad nested enum: agent.container.pullPolicy', () => {
    expect(synthError({ agent: { container: { image: 'x', pullPolicy: 'Sometimes' } } }))
      .toContain('spec.agent.container.pullPolicy \'Sometimes\' must be one of: Always, IfNotPresent, Never');
  });

  test('scaling.minReplicas 0', () => {
    expect(synthError({ agent: { image: 'x' }, scaling: { minReplicas: 0 } }))
      .toContain('AgentType \'test/bad\': spec.scaling.minReplicas \'0\' must be >= 1');
  });

  test('scaling.minReplicas not an integer', () => {
    expect(synthError({ agent: { image: 'x' }, scaling: { minReplicas: 1.5 } }))
      .toContain('spec.scaling.minReplicas \'1.5\' must be integer');
  });

  test('every x-kubernetes-validations rule of the CRD compiles with a CEL library', () => {
    const rules: string[] = [];
    const walk = (node: any): void => {
      if (!node || typeof node !== 'object') return;
      for (const v of node['x-kubernetes-validations'] ?? []) rules.push(v.rule);
      Object.values(node).forEach(walk);
    };
    walk(AgentTypeCrd.openApiSchema());
    expect(rules.length).toBeGreaterThanOrEqual(3);
    for (const rule of rules) expect(() => parse(rule)).not.toThrow();
    expect(() => parse('self.type ==')).toThrow();
  });

  test('CEL rules, evaluated with @bufbuild/cel: type code without code, minReplicas above maxReplicas', () => {
    expect(synthError({ agent: { sourceType: 'code', image: 'x' } }))
      .toContain('spec.agent \'{"image":"x","type":"code"}\' fails rule "!has(self.type) || self.type != \'code\' || has(self.code)": agent.type \'code\' requires agent.code');
    expect(synthError({ agent: { image: 'x' }, scaling: { minReplicas: 5, maxReplicas: 2 } }))
      .toContain('scaling.minReplicas must not be greater than scaling.maxReplicas');
  });

  test('list uniqueness (x-kubernetes-list-type)', () => {
    const msg = synthError({
      agent: { image: 'x' },
      tools: { required: ['python', 'python'] },
      llm: { providers: [{ name: 'main' }, { name: 'main' }] },
    });
    expect(msg).toContain('spec.tools.required[1] duplicates spec.tools.required[0] (\'python\')');
    expect(msg).toContain('spec.llm.providers[1] duplicates spec.llm.providers[0] (name \'main\')');
  });

  test('unknown fields are rejected, free-form fields are not', () => {
    const msg = synthError({ agent: { image: 'x' }, memory: { sise: '1Gi', config: { anything: { goes: 1 } } } });
    expect(msg).toContain('AgentType \'test/bad\': spec.memory.sise \'1Gi\' is not a field of the AgentType schema');
    expect(msg).not.toContain('anything');
  });

  test('all problems are reported together', () => {
    const msg = synthError({ agent: { image: 'x' }, memory: { size: '2Gx', backendType: 'mongo' }, scaling: { minReplicas: 0 } });
    expect(msg).toContain('spec.memory.size');
    expect(msg).toContain('spec.memory.type');
    expect(msg).toContain('spec.scaling.minReplicas');
  });

  test('the invalid specs are rejected by the synthesized CRD schema too', () => {
    const validate = independentValidator(synthCrd());
    const manifest = (spec: any) => ({ apiVersion: 'agents.example.com/v1', kind: 'AgentType', metadata: { name: 'x' }, spec });
    expect(validate(manifest({ agent: { name: 'x' } }))).toBe(false);
    expect(validate(manifest({ agent: { image: 'x' }, memory: { type: 'mongo' } }))).toBe(false);
    expect(validate(manifest({ agent: { image: 'x' }, memory: { size: '2Gx' } }))).toBe(false);
    expect(validate(manifest({ agent: { image: 'x' }, scaling: { minReplicas: 0 } }))).toBe(false);
    expect(validate(manifest({ agent: { image: 'x' }, llm: { providers: [{ type: 'openai' }] } }))).toBe(false);
  });

  test('an invalid AgentType writes nothing', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-type-test-'));
    try {
      const app = new App({ outdir });
      const chart = new Chart(app, 'chart');
      new AgentTypeCrd(chart, 'crd');
      new AgentType(chart, 'ok', { metadata: { name: 'ok' }, spec: { agent: { image: 'x' } } });
      expect(() => new AgentType(chart, 'bad', { metadata: { name: 'bad' }, spec: { agent: { image: 'x' }, memory: { size: '2Gx' } } }))
        .toThrow('AgentType \'chart/bad\': spec.memory.size \'2Gx\'');
      expect(chart.node.tryFindChild('bad')).toBeUndefined();
      app.synth();
      expect(fs.readdirSync(outdir)).toEqual(['chart.k8s.yaml']);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('a valid app writes the CRD before the AgentType', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-type-test-'));
    try {
      const app = new App({ outdir });
      const chart = new Chart(app, 'chart');
      const crd = new AgentTypeCrd(chart, 'crd');
      new AgentType(chart, 'ok', { crd, metadata: { name: 'ok' }, spec: { agent: { image: 'x' } } });
      app.synth();
      const files = fs.readdirSync(outdir);
      expect(files).toEqual(['chart.k8s.yaml']);
      const text = fs.readFileSync(path.join(outdir, files[0]), 'utf-8');
      expect(text.indexOf('kind: CustomResourceDefinition')).toBeLessThan(text.indexOf('kind: AgentType'));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('AgentType.validateManifest', () => {
  const base = { apiVersion: 'agents.example.com/v1', kind: 'AgentType', metadata: { name: 'x', labels: { a: 'b' } } };

  test('accepts apiVersion, kind, metadata and a valid status', () => {
    expect(AgentType.validateManifest({
      ...base,
      spec: { agent: { image: 'x' } },
      status: {
        phase: 'Running',
        message: 'ok',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-02T03:04:05Z', reason: 'Up', message: 'up' }],
        toolStatus: { python: 'installed' },
      },
    })).toEqual([]);
  });

  test('reports status problems', () => {
    const errors = AgentType.validateManifest({
      ...base,
      spec: { agent: { image: 'x' } },
      status: { phase: 'Unknown', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: 'yesterday' }] },
    });
    expect(errors).toEqual([
      'status.phase \'Unknown\' must be one of: Pending, Running, Failed, Succeeded',
      'status.conditions[0].lastTransitionTime \'yesterday\' must be an RFC 3339 date-time, e.g. \'2024-01-02T03:04:05Z\'',
    ]);
  });

  test('a missing spec and a non-object', () => {
    expect(AgentType.validateManifest(base)).toEqual(['spec is required but missing']);
    expect(AgentType.validateManifest('nope')).toEqual(['<root> \'nope\' must be object']);
  });
});

describe('AgentType: validation at synth', () => {
  afterEach(() => jest.restoreAllMocks());

  test('the manifest is validated when created, and not again by the synths of an unchanged AgentType', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'agent-type-')) });
    const first = new Chart(app, 'first');
    new Chart(app, 'second');
    const validate = jest.spyOn(AgentType, 'validateManifest');
    const at = new AgentType(first, 'web', { metadata: { name: 'web' }, spec: { agent: { image: 'nginx:latest' } } });
    expect(validate).toHaveBeenCalledTimes(1);
    // cdk8s validates the whole app once per synth and again for each chart.
    app.synth();
    app.synth();
    expect(validate).toHaveBeenCalledTimes(1);
    at.addJsonPatch(JsonPatch.add('/spec/memory', { type: 'redis' }));
    app.synth();
    app.synth();
    expect(validate).toHaveBeenCalledTimes(2);
  });

  test('a JSON patch added after a synth is validated at the next synth', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'agent-type-')) });
    const chart = new Chart(app, 'agents');
    const at = new AgentType(chart, 'web', { metadata: { name: 'web' }, spec: { agent: { image: 'nginx:latest' } } });
    app.synth();
    at.addJsonPatch(JsonPatch.add('/spec/memory', { type: 'mongo' }));
    expect(() => app.synth()).toThrow(/AgentType 'agents\/web': spec.memory.type 'mongo'/);
  });
});

describe('AgentType: ordering after its CRD', () => {
  test('in another chart, the chart depends on the CRD chart (files numbered in apply order), not each AgentType', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-type-'));
    const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    const agents = new Chart(app, 'agents');
    const platform = new Chart(app, 'platform');
    const crd = new AgentTypeCrd(platform, 'crd');
    const at = new AgentType(agents, 'web', { metadata: { name: 'web' }, spec: { agent: { image: 'nginx:latest' } }, crd });
    expect(at.node.dependencies).toEqual([]);
    expect(agents.node.dependencies).toEqual([platform]);
    app.synth();
    expect(fs.readdirSync(outdir).sort()).toEqual(['0000-platform.k8s.yaml', '0001-agents.k8s.yaml']);
  });

  test('in the same chart, the AgentType depends on the CRD object', () => {
    const chart = Testing.chart();
    const at = new AgentType(chart, 'web', { metadata: { name: 'web' }, spec: { agent: { image: 'nginx:latest' } }, crd: new AgentTypeCrd(chart, 'crd') });
    expect(at.node.dependencies.map(d => d.node.path)).toEqual(['test/crd/Resource']);
  });
});

describe('AgentType: no secret leaves synth', () => {
  const OPENAI = 'sk-proj-AbCdEf0123456789_xyzQRSTuvw';

  test('free-form fields and environment variables never carry a credential, and the message does not repeat it', () => {
    const cases: Array<[any, string]> = [
      [{ agent: { image: 'x' }, llm: { providers: [{ name: 'main', providerType: 'openai', credentialsSecret: 'openai', config: { api_key: 'hunter2hunter2' } }] } },
        "AgentType 'test/bad': spec.llm.providers[0].config.api_key is named like a credential and holds a literal value"],
      [{ agent: { image: 'x' }, llm: { providers: [{ name: 'main', providerType: 'openai', credentialsSecret: 'openai', config: { headers: { Authorization: `Bearer ${OPENAI}` } } }] } },
        "AgentType 'test/bad': spec.llm.providers[0].config.headers.Authorization holds what looks like a credential (an OpenAI key)"],
      [{ agent: { image: 'x' }, memory: { backendType: 'redis', config: { url: 'redis://:hunter2hunter2@redis:6379/0' } } },
        "AgentType 'test/bad': spec.memory.config.url holds what looks like a credential (a password in the user-info of a URL)"],
      [{ agent: { image: 'x', environment: { variables: [{ name: 'DB_PASSWORD', value: 'hunter2hunter2' }] } } },
        "AgentType 'test/bad': spec.agent.environment.variables[0].value (of 'DB_PASSWORD') is named like a credential and holds a literal value"],
      [{ agent: { image: 'x', environment: { variables: [{ name: 'HEADER', value: OPENAI }] } } },
        "AgentType 'test/bad': spec.agent.environment.variables[0].value holds what looks like a credential (an OpenAI key)"],
      [{ agent: { image: 'x', code: { source: { sourceType: 'git', repository: 'https://u:hunter2hunter2@github.com/o/r' }, runtime: 'python', version: '3.12' } } },
        "AgentType 'test/bad': spec.agent.code.source.repository holds what looks like a credential"],
    ];
    for (const [spec, expected] of cases) {
      const message = synthError(spec);
      expect(message).toContain(expected);
      expect(message).not.toContain('hunter2');
      expect(message).not.toContain(OPENAI);
    }
  });

  test('metadata annotations are screened; a schema error never repeats a key-shaped value', () => {
    const chart = Testing.chart();
    const annotated = () => new AgentType(chart, 'annotated', { metadata: { annotations: { 'example.com/token': 'hunter2hunter2' } }, spec: { agent: { image: 'x' } } });
    expect(() => annotated()).toThrow("AgentType 'test/annotated': metadata.annotations['example.com/token'] is named like a credential");
    const badEnum = synthError({ agent: { image: 'x' }, memory: { backendType: OPENAI } });
    expect(badEnum).toContain("spec.memory.type '<redacted: an OpenAI key>' must be one of: redis, inmemory");
    expect(badEnum).not.toContain(OPENAI);
    expect(AgentType.validateManifest({ apiVersion: 'agents.example.com/v1', kind: 'AgentType', metadata: {}, spec: { agent: { image: 'x' }, llm: { providers: [{ name: 'm', type: 'openai', credentialsSecret: 'openai', config: { max_tokens: 100, model: 'gpt-4o' } }] } } }))
      .toEqual([]);
  });
});
