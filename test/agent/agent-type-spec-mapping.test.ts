/**
 * The AgentType spec -> AgentPod mapping (`AgentPod.fromAgentTypeSpec`), the
 * inverse of `AgentPod.toAgentTypeSpec()`, both ways: every example agent
 * rebuilt from its spec renders the same objects, generated specs come back
 * normalized, and what the mapping refuses is refused with the library's
 * message naming the field and the value (never a credential).
 */
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { AGENTS_NAMESPACE } from '../../examples/app';
import { buildGitOpsApp } from '../../examples/gitops';
import {
  AgentEnvironment, AgentPod, AgentPodFromSpecOptions, AgentRuntime, AgentTypeSpec, LlmProvider, RedisMemory, ToolSidecar,
} from '../../src';
import {
  dnsSubdomain, envName, envValue, field, opt, password, plainValue, secretRef, secretToken, secretUrl,
} from '../property/arbitraries';
import { PodCase, buildPod, podCase, podOptionsOf } from '../property/construct-cases';
import { Tally, errorProblem, runConfig, secretsOfCase } from '../property/support';
import { errorOf } from '../support/util';

const TOOL_IMAGE = 'registry.example.com/agents/tool-manager:0.1.0';

/** JSON as written (undefined entries dropped). */
function json<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/** The sidecar container of a pod, as `fromAgentTypeSpec` takes it. */
function sidecarContainer(sidecar: ToolSidecar | undefined): AgentPodFromSpecOptions['toolSidecar'] {
  return sidecar && { image: sidecar.image, name: sidecar.name, port: sidecar.port, imagePullPolicy: sidecar.imagePullPolicy };
}

/** `kind/name` of every API object a construct renders. */
function objectKeys(pod: AgentPod): Set<string> {
  return new Set(pod.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map(o => `${o.kind}/${o.name}`));
}

/** The synthesized objects of the pod's chart that the pod renders, in output order. */
function renderedBy(pod: AgentPod): any[] {
  const keys = objectKeys(pod);
  return Testing.synth(Chart.of(pod)).filter(m => keys.has(`${m.kind}/${m.metadata?.name}`));
}

/** A fresh app with a chart like the examples' `agents` chart. */
function agentsChart(): Chart {
  return new Chart(new App(), 'agents', { namespace: AGENTS_NAMESPACE });
}

// ---------------------------------------------------------------------------
// Every example agent, both ways
// ---------------------------------------------------------------------------

/**
 * What each example agent of the GitOps app (examples/gitops.ts) sets
 * beyond its spec: the options an operator would have to supply. The
 * sidecar container and the agent name are taken from the pod itself.
 */
const EXAMPLE_OPTIONS: { [agent: string]: (chart: Chart) => AgentPodFromSpecOptions } = {
  'basic-agent': () => ({}),
  'container-agent': () => ({}),
  'code-agent': () => ({}),
  'tooled-agent': () => ({}),
  'full-agent': () => ({}),
  'production-agent': () => ({ namespaceName: AGENTS_NAMESPACE }),
};

describe('every example agent, rebuilt from its AgentType spec', () => {
  const examplePods = buildGitOpsApp({ outdir: '/nonexistent-examples-outdir' }).node.findAll().filter((c): c is AgentPod => c instanceof AgentPod);

  test('the table of options covers every example agent', () => {
    expect(examplePods.map(p => p.agentName).sort()).toEqual(Object.keys(EXAMPLE_OPTIONS).sort());
  });

  test.each(Object.keys(EXAMPLE_OPTIONS))('%s renders the same objects and describes itself with the same spec', agentName => {
    const original = examplePods.find(p => p.agentName === agentName)!;
    const spec = original.toAgentTypeSpec();
    const chart = agentsChart();
    const rebuilt = AgentPod.fromAgentTypeSpec(chart, original.node.id, spec, {
      agentName,
      toolSidecar: sidecarContainer(original.toolSidecar),
      ...EXAMPLE_OPTIONS[agentName](chart),
    });

    expect(json(rebuilt.toAgentTypeSpec())).toEqual(json(spec));
    const before = renderedBy(original);
    const after = renderedBy(rebuilt);
    expect([...objectKeys(rebuilt)].sort()).toEqual([...objectKeys(original)].sort());
    expect(after.map(m => `${m.kind}/${m.metadata.name}`)).toEqual(before.map(m => `${m.kind}/${m.metadata.name}`));
    expect(after).toEqual(before);
    // Targeted: the parts that the spec gained for this round trip reach the workload.
    const deployment = after.find(m => m.kind === 'Deployment');
    const agent = deployment.spec.template.spec.containers.find((c: any) => c.name === 'agent');
    const sourceSpec = spec.agent.container;
    if (sourceSpec?.command) expect(agent.command.slice(2)).toEqual(sourceSpec.command);
    expect(deployment.spec.template.metadata.annotations['agents.cdk8s.io/memory-profile']).toBe(original.memory.name);
  });

  test('the secret variable of container-agent comes back as a secretKeyRef, its glue code of code-agent with the content', () => {
    const byName = (n: string) => examplePods.find(p => p.agentName === n)!;
    const container = AgentPod.fromAgentTypeSpec(agentsChart(), 'container-agent', byName('container-agent').toAgentTypeSpec());
    expect(container.environment!.secretVariables).toEqual({ API_KEY: { name: 'container-agent-api', key: 'api-key' } });
    const code = AgentPod.fromAgentTypeSpec(agentsChart(), 'code-agent', byName('code-agent').toAgentTypeSpec());
    expect(code.environment!.glueCode!.fileName).toBe('gluecode.py');
    expect(code.environment!.glueCode!.content).toBe(byName('code-agent').environment!.glueCode!.content);
  });

  test('the production agent\'s spec carries its port, monitoring and security, which the rebuilt pod takes from it alone', () => {
    const production = examplePods.find(p => p.agentName === 'production-agent')!;
    const spec = production.toAgentTypeSpec();
    expect(json(spec.agent.port)).toBe(8080);
    expect(json(spec.monitoring)).toEqual({
      enabled: true, metricsPort: 9464, serviceMonitor: true, metrics: ['memory_usage', 'api_latency'], otlpEndpoint: 'http://otel-collector.monitoring:4317',
    });
    expect(json(spec.security)).toEqual({ networkPolicy: { allowedNamespaces: ['default', 'monitoring'] }, runtimeClassName: 'gvisor' });
    const rebuilt = AgentPod.fromAgentTypeSpec(agentsChart(), 'production-agent', spec, { toolSidecar: { image: TOOL_IMAGE } });
    const pod = Testing.synth(Chart.of(rebuilt)).find(m => m.kind === 'Deployment').spec.template.spec;
    expect(pod.runtimeClassName).toBe('gvisor');
    expect(pod.containers[0].ports.map((p: any) => p.containerPort)).toEqual([8080, 9464]);
  });
});

// ---------------------------------------------------------------------------
// Defaults and shorthands
// ---------------------------------------------------------------------------

describe('fromAgentTypeSpec fills the defaults the way toAgentTypeSpec writes them', () => {
  test('a minimal spec: the image shorthand, the small profile, in-memory', () => {
    const pod = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', { agent: { image: 'nginx:1.27' } }, { agentName: 'web-agent' });
    expect(pod.agentName).toBe('web-agent');
    expect(json(pod.toAgentTypeSpec())).toEqual({
      agent: { name: 'agent', sourceType: 'container', container: { image: 'nginx:1.27', pullPolicy: 'IfNotPresent' } },
      memory: { profile: 'small', size: '512Mi', backendType: 'inmemory' },
    });
    expect(pod.toolSidecar).toBeUndefined();
  });

  test('a size without profile is MemoryProfile.fromSize; a profile with its own size is that profile', () => {
    const sized = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', { agent: { image: 'nginx:1.27' }, memory: { size: '2Gi' } });
    expect([sized.memory.name, sized.memory.agent]).toEqual(['size-2gi', { request: '2Gi', limit: '2Gi' }]);
    const medium = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', { agent: { image: 'nginx:1.27' }, memory: { profile: 'medium', size: '1Gi' } });
    expect(medium.memory.name).toBe('medium');
    expect(medium.memory.agent.cpuRequest).toBe('250m');
  });

  test('providers: known types by factory with their endpoint, others generic; Secret key and key variable kept', () => {
    const spec: AgentTypeSpec = {
      agent: { image: 'nginx:1.27' },
      llm: {
        providers: [
          { name: 'main-llm', providerType: 'anthropic', credentialsSecret: 'anthropic-credentials', config: { model: 'claude-3', temperature: '0.2' } },
          {
            name: 'local',
            providerType: 'vllm',
            credentialsSecret: 'vllm-creds',
            credentialsKeyName: 'token.txt',
            apiKeyEnvVar: 'VLLM_API_KEY',
            config: { endpoint: 'http://vllm.models.svc:8000/v1', model: 'llama-3.1-8b' },
          },
        ],
      },
    };
    const pod = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', spec, { toolSidecar: { image: TOOL_IMAGE } });
    const [main, local] = pod.llmProviders;
    expect([main.providerType, main.endpoint, main.apiKeyEnvVar, main.secretKey, main.model, main.config])
      .toEqual(['anthropic', 'https://api.anthropic.com', 'ANTHROPIC_API_KEY', 'api-key', 'claude-3', { temperature: '0.2' }]);
    expect([local.providerType, local.endpoint, local.apiKeyEnvVar, local.secretKey]).toEqual(['vllm', 'http://vllm.models.svc:8000/v1', 'VLLM_API_KEY', 'token.txt']);
    // a spec with providers and no tools gets a sidecar without tools
    expect(pod.toAgentTypeSpec().tools).toEqual({});
    const sidecar = Testing.synth(Chart.of(pod)).find(m => m.kind === 'Deployment').spec.template.spec.containers.find((c: any) => c.name === 'tool-manager');
    expect(sidecar.env.find((e: any) => e.name === 'VLLM_API_KEY').valueFrom).toEqual({ secretKeyRef: { name: 'vllm-creds', key: 'token.txt' } });
  });

  test('without a toolSidecar option, a spec with tools gets the default sidecar: LiteLLM\'s pinned image', () => {
    const pod = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', { agent: { image: 'nginx:1.27' }, tools: { required: ['git'] } });
    expect(pod.toolSidecar?.image).toBe(ToolSidecar.LITELLM_IMAGE);
    expect(pod.toolSidecar?.requiredTools).toEqual(['git']);
  });

  test('scaling: minReplicas defaults to 1 and the CPU target to 80%; a memory target is kept', () => {
    const pod = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', {
      agent: { image: 'nginx:1.27' },
      scaling: { maxReplicas: 4, metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } } }] },
    });
    expect(pod.toAgentTypeSpec().scaling).toEqual({
      minReplicas: 1,
      maxReplicas: 4,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
    });
    const hpa = Testing.synth(Chart.of(pod)).find(m => m.kind === 'HorizontalPodAutoscaler');
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([1, 4]);
  });
});

describe('spec.monitoring and spec.security map onto the AgentPod', () => {
  const synthOf = (pod: AgentPod) => Testing.synth(Chart.of(pod));

  test('monitoring.enabled is a metrics port (9464 unless given), metrics the AGENT_METRICS variable', () => {
    const pod = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', {
      agent: { image: 'nginx:1.27' }, monitoring: { enabled: true, metrics: ['memory_usage', 'api_latency'] },
    });
    const deployment = synthOf(pod).find(m => m.kind === 'Deployment');
    const agent = deployment.spec.template.spec.containers[0];
    expect(agent.ports).toEqual([{ containerPort: 9464, name: 'metrics' }]);
    expect(agent.env).toContainEqual({ name: 'AGENT_METRICS', value: 'memory_usage,api_latency' });
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe('9464');
    expect(json(pod.toAgentTypeSpec().monitoring)).toEqual({ enabled: true, metricsPort: 9464, metrics: ['memory_usage', 'api_latency'] });
  });

  test('monitoring.enabled false or absent is no metrics port; an OTLP endpoint stands alone', () => {
    const off = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', { agent: { image: 'nginx:1.27' }, monitoring: { enabled: false } });
    expect(off.toAgentTypeSpec().monitoring).toBeUndefined();
    expect(synthOf(off).find(m => m.kind === 'Deployment').spec.template.spec.containers[0].ports).toBeUndefined();
    const otlp = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', { agent: { image: 'nginx:1.27' }, monitoring: { otlpEndpoint: 'http://otel.monitoring:4317' } });
    expect(json(otlp.toAgentTypeSpec().monitoring)).toEqual({ otlpEndpoint: 'http://otel.monitoring:4317' });
  });

  test('security: allowedNamespaces on agent.port (every port without one), the pod user, the runtime class; networkPolicy enabled false is none', () => {
    const pod = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', {
      agent: { image: 'nginx:1.27', port: 8080 },
      security: { networkPolicy: { allowedNamespaces: ['frontend'] }, podSecurityContext: { runAsUser: 2000 }, runtimeClassName: 'kata' },
    });
    const objects = synthOf(pod);
    const pod0 = objects.find(m => m.kind === 'Deployment').spec.template.spec;
    expect(pod0.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 2000, runAsGroup: 2000, fsGroup: 2000 });
    expect(pod0.runtimeClassName).toBe('kata');
    expect(objects.find(m => m.kind === 'NetworkPolicy').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'frontend' } }, podSelector: {} }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
    expect(json(pod.toAgentTypeSpec().security)).toEqual({
      networkPolicy: { allowedNamespaces: ['frontend'] },
      podSecurityContext: { runAsNonRoot: true, runAsUser: 2000, runAsGroup: 2000, fsGroup: 2000 },
      runtimeClassName: 'kata',
    });
    const anyPort = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', {
      agent: { image: 'nginx:1.27' }, security: { networkPolicy: { allowedNamespaces: ['frontend'] } },
    });
    expect(synthOf(anyPort).find(m => m.kind === 'NetworkPolicy').spec.ingress)
      .toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'frontend' } }, podSelector: {} }], ports: [] }]);
    expect(json(anyPort.toAgentTypeSpec().security)).toEqual({ networkPolicy: { allowedNamespaces: ['frontend'] } });
    const open = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', { agent: { image: 'nginx:1.27' }, security: { networkPolicy: { enabled: false } } });
    expect(open.networkPolicy).toBeUndefined();
    expect(json(open.toAgentTypeSpec().security)).toEqual({ networkPolicy: { enabled: false } });
  });

  test('what an agent pod cannot honour is refused by the schema, as the API server refuses it, naming the field and the value', () => {
    const build = (spec: any) => errorOf(() => AgentPod.fromAgentTypeSpec(agentsChart(), 'web', spec));
    const image = { image: 'nginx:1.27' };
    expect(build({ agent: image, monitoring: { metricsPort: 9090 } }))
      .toMatch(/^AgentPod 'agents\/web': spec.monitoring '\{"metricsPort":9090\}' fails rule .*need monitoring.enabled: true/);
    expect(build({ agent: image, security: { networkPolicy: { enabled: false, allowedNamespaces: ['frontend'] } } }))
      .toMatch(/^AgentPod 'agents\/web': spec.security.networkPolicy '.*' fails rule .*allowedNamespaces needs the NetworkPolicy/);
    expect(build({ agent: image, security: { podSecurityContext: { runAsUser: 2000, runAsGroup: 3000 } } }))
      .toMatch(/spec.security.podSecurityContext '.*' fails rule .*must equal runAsUser/);
    expect(build({ agent: image, security: { podSecurityContext: { runAsNonRoot: false } } })).toMatch(/runAsNonRoot must be true/);
    expect(build({ agent: image, security: { podSecurityContext: { seLinuxOptions: { level: 's0' } } } }))
      .toMatch(/spec.security.podSecurityContext.seLinuxOptions '.*' is not a field of the AgentType schema/);
    expect(build({ agent: image, security: { networkPolicy: { allowedCidrs: ['10.0.0.0/8'] } } })).toMatch(/spec.security.networkPolicy.allowedCidrs/);
    expect(build({ agent: { ...image, port: 9464 }, monitoring: { enabled: true, metricsPort: 9464 } })).toMatch(/metricsPort must differ from agent.port/);
    expect(build({ agent: image, monitoring: { enabled: true, metrics: ['api latency'] } })).toMatch(/spec.monitoring.metrics\[0\] 'api latency' must match pattern/);
  });
});

// ---------------------------------------------------------------------------
// Refusals: the message names the field and the value, never a credential
// ---------------------------------------------------------------------------

describe('a spec the constructs refuse throws with the field and the value', () => {
  const KEY = 'sk-ant-api03-' + 'A1b2C3d4'.repeat(5);
  const build = (spec: any, options: AgentPodFromSpecOptions = { toolSidecar: { image: TOOL_IMAGE } }) =>
    errorOf(() => AgentPod.fromAgentTypeSpec(agentsChart(), 'web', spec, options));

  test('an unknown memory type is refused by the schema', () => {
    expect(build({ agent: { image: 'nginx:1.27' }, memory: { backendType: 'postgres' } }))
      .toBe('AgentPod \'agents/web\': spec.memory.type \'postgres\' must be one of: redis, inmemory');
  });

  test('a credential-looking literal is refused without being repeated', () => {
    const inVariable = build({ agent: { image: 'nginx:1.27', environment: { variables: [{ name: 'MODEL', value: KEY }] } } });
    expect(inVariable).toContain('spec.agent.environment.variables[0].value holds what looks like a credential');
    const inConfig = build({
      agent: { image: 'nginx:1.27' },
      llm: { providers: [{ name: 'main', providerType: 'anthropic', credentialsSecret: 'creds', config: { api_key: 'pwHunter2Hunter2' } }] },
    });
    expect(inConfig).toContain('spec.llm.providers[0].config.api_key is named like a credential and holds a literal value');
    const inCommand = build({ agent: { container: { image: 'nginx:1.27', args: [`--token=${KEY}`] } } });
    expect(inCommand).toContain('spec.agent.container.args[0] holds what looks like a credential');
    for (const message of [inVariable, inConfig, inCommand]) {
      expect(message).toMatch(/^AgentPod 'agents\/web': /);
      expect(message).not.toContain(KEY);
      expect(message).not.toContain('pwHunter2Hunter2');
    }
  });

  test('a bad value inside a free-form field is refused by the part that reads it', () => {
    expect(build({ agent: { image: 'nginx:1.27' }, memory: { backendType: 'redis', config: { address: 'redis:6379', persistence: true } } }))
      .toBe('MemoryProfile \'spec.memory\': config \'persistence\' holds keys the redis backend does not read (it reads address, database, passwordSecret)');
    expect(build({ agent: { image: 'nginx:1.27' }, memory: { backendType: 'redis', config: { address: 'redis' } } }))
      .toContain('backend.address \'redis\' is not host:port');
    expect(build({ agent: { image: 'nginx:1.27' }, llm: { providers: [{ name: 'main', providerType: 'anthropic', credentialsSecret: 'creds', config: { temperature: 0.2 } }] } }))
      .toBe('LlmProvider \'main\': config.temperature \'number\' is not a string: provider settings are strings');
    expect(build({ agent: { image: 'nginx:1.27' }, scaling: { maxReplicas: 3, metrics: [{ type: 'Pods', pods: { metric: { name: 'qps' } } }] } }))
      .toContain('AgentPod \'agents/web\': spec.scaling.metrics[0] \'{"type":"Pods","pods":{"metric":{"name":"qps"}}}\' is not mapped onto an AgentPod');
  });

  test('what the AgentPod cannot build from a spec is refused with the reason', () => {
    expect(build({ agent: { image: 'nginx:1.27', name: 'web-agent' } }))
      .toBe('AgentPod \'agents/web\': spec.agent.name \'web-agent\' is not supported: the agent container of an AgentPod is named \'agent\'');
    expect(build({ agent: { sourceType: 'code', code: { source: { sourceType: 'local', path: '/src' }, runtime: 'python', version: '3.12' } } }))
      .toContain('AgentSource \'spec.agent\': code.source.type \'local\' cannot be built from a spec');
    expect(build({ agent: { image: 'nginx:1.27' }, llm: { providers: [{ name: 'main', providerType: 'openai', credentialsSecret: 'creds' }] } }))
      .toBe('AgentPod \'agents/web\': llmProviders \'main\' has no model: the LLM gateway needs the model it calls (give `model` to the LlmProvider factory)');
    expect(build({ agent: { image: 'nginx:1.27' }, memory: { profile: 'small', size: '2Gi' } }))
      .toBe('MemoryProfile \'spec.memory\': size \'2Gi\' differs from the agent memory limit \'512Mi\' of profile \'small\'');
    expect(build({ agent: { image: 'nginx:1.27', environment: { glueCode: { source: '/shared/glue/glue.py' } } } }))
      .toContain('glueCode.content \'\' is required');
    expect(build({ agent: { image: 'nginx:1.27' }, tools: { required: ['Not A Tool'] } }))
      .toContain('ToolSidecar \'tool-manager\': required tool \'Not A Tool\' is not a tool name');
    expect(build({ agent: { image: 'Nginx:1' } })).toContain('spec.agent.image \'Nginx:1\' is not an image reference');
    expect(build({ agent: { image: 'nginx:1.27' }, security: { podSecurityContext: { runAsUser: 0 } } }))
      .toBe('AgentPod \'agents/web\': spec.security.podSecurityContext.runAsUser \'0\' must be >= 1');
  });

  test('a Redis of the options is used by address, and must have the password Secret the spec names', () => {
    const chart = agentsChart();
    const redis = new RedisMemory(chart, 'memory', { namespaceName: AGENTS_NAMESPACE, passwordSecret: { name: 'redis-auth', key: 'password' } });
    const spec = (passwordSecret: any) => ({ agent: { image: 'nginx:1.27' }, memory: { backendType: 'redis', config: { address: redis.address, passwordSecret } } });
    const pod = AgentPod.fromAgentTypeSpec(chart, 'web', spec(undefined), { redisMemories: [redis] });
    expect(pod.memory.backend.redisMemory).toBe(redis);
    expect(redis.agents).toEqual([{ podLabels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' } }]);
    expect(build(spec({ name: 'other', key: 'password' }), { redisMemories: [redis] }))
      .toBe('MemoryProfile \'spec.memory\': config.passwordSecret \'other/password\' differs from the password Secret \'redis-auth/password\' '
        + 'of RedisMemory \'agents/memory\' at that address');
  });

  test('an image and a container image that differ, or code beside an image, are refused', () => {
    expect(build({ agent: { image: 'nginx:1.27', container: { image: 'busybox' } } }))
      .toBe('AgentSource \'spec.agent\': image \'nginx:1.27\' differs from container.image \'busybox\'; give one of them');
    expect(build({ agent: { image: 'nginx:1.27', code: { source: { sourceType: 'git', repository: 'https://github.com/org/repo.git' }, runtime: 'python', version: '3.12' } } }))
      .toBe('AgentSource \'spec.agent\': image \'nginx:1.27\' is set together with code: an agent runs an image or code, not both');
  });

  test('a refused spec leaves nothing in the construct tree', () => {
    const chart = agentsChart();
    expect(() => AgentPod.fromAgentTypeSpec(chart, 'web', { agent: { image: 'nginx:1.27' }, memory: { backendType: 'postgres' } })).toThrow();
    expect(chart.node.children).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------
// What the round trip found
// ---------------------------------------------------------------------------

describe('constructs whose spec would not describe them', () => {
  test('an LLM provider config entry named endpoint or model is refused: toSpec() writes those keys from the options', () => {
    const credentials = { secretName: 'creds' };
    expect(errorOf(() => LlmProvider.anthropic({ credentials, model: 'claude-3', config: { model: 'claude-2' } })))
      .toBe('LlmProvider \'anthropic\': config[\'model\'] \'claude-2\' is written by the model option: give it as model');
    expect(errorOf(() => LlmProvider.openai({ credentials, config: { endpoint: 'https://proxy.example.com' } })))
      .toBe('LlmProvider \'openai\': config[\'endpoint\'] \'https://proxy.example.com\' is written by the endpoint option: give it as endpoint');
  });


  test('an SDK package given twice is refused: sdk.packages is a set in the AgentType', () => {
    expect(errorOf(() => new AgentEnvironment({ sdk: { runtime: AgentRuntime.PYTHON, version: '3.12', packages: ['requests', 'requests'] } })))
      .toBe('AgentEnvironment \'sdk\': sdk.packages \'requests\' is declared twice');
  });
});

// ---------------------------------------------------------------------------
// Generated pods: toAgentTypeSpec -> fromAgentTypeSpec -> toAgentTypeSpec
// ---------------------------------------------------------------------------

/** Builds a pod of a generated case, or undefined when the constructs refuse the case (tested in test/property). */
function podOf(c: PodCase): AgentPod | undefined {
  try {
    return buildPod(agentsChart(), c);
  } catch {
    return undefined;
  }
}

/** The options of a generated case that the spec does not carry. */
function optionsOf(c: PodCase, pod: AgentPod): AgentPodFromSpecOptions {
  return {
    agentName: pod.agentName,
    ...podOptionsOf(c),
    toolSidecar: sidecarContainer(pod.toolSidecar),
  };
}

describe('generated AgentPods, rebuilt from their spec', () => {
  test('the spec comes back unchanged, and the objects are the same unless the memory profile is custom', () => {
    let rebuilt = 0;
    let rendered = 0;
    fc.assert(fc.property(podCase, c => {
      const original = podOf(c);
      if (!original) return;
      const spec = json(original.toAgentTypeSpec());
      const pod = AgentPod.fromAgentTypeSpec(agentsChart(), original.node.id, spec, optionsOf(c, original));
      rebuilt++;
      expect(json(pod.toAgentTypeSpec())).toEqual(spec);
      // A custom profile is described by its agent limit only (not invertible): it comes back as fromSize(limit).
      if (c.memory?.kind === 'custom') return;
      expect(renderedBy(pod)).toEqual(renderedBy(original));
      rendered++;
    }), runConfig(20261201, 1500));
    // About a quarter of the generated cases are valid pods (the rest test the constructs' refusals elsewhere): not vacuous.
    expect(rebuilt).toBeGreaterThanOrEqual(300);
    expect(rendered).toBeGreaterThanOrEqual(200);
  });
});

// ---------------------------------------------------------------------------
// Generated specs, from the schema's shape
// ---------------------------------------------------------------------------

const specImage = field(fc.constantFrom('nginx:1.27', 'registry.example.com/agents/web:1.0', 'busybox'), fc.constantFrom('Nginx:1', 'a b:1', ''));
const variable = fc.oneof(
  fc.record({ name: envName, value: opt(envValue) }),
  fc.record({ name: envName, valueFrom: fc.record({ secretKeyRef: secretRef }) }),
);
const environmentSpec = fc.record({
  variables: opt(fc.uniqueArray(variable, { maxLength: 3, selector: v => v.name })),
  sdk: opt(fc.record({
    runtime: field(fc.constantFrom('python', 'nodejs'), fc.constant('ruby')),
    version: fc.constantFrom('3.12', '20'),
    packages: opt(fc.uniqueArray(field(fc.constantFrom('requests', 'axios@1.7.2'), fc.constantFrom('a b', 'x;rm')), { maxLength: 2 })),
  })),
  glueCode: opt(fc.record({
    source: field(fc.constantFrom('/shared/glue/glue.py'), fc.constantFrom('/etc/glue.py', 'https://example.com/glue.py')),
    content: opt(fc.oneof(fc.constant('print(1)\n'), secretToken.map(t => `API_KEY = "${t}"\n`)), 8),
  }, { requiredKeys: ['source'] })),
}, { requiredKeys: [] });
const agentSpec = fc.oneof(
  fc.record({ image: specImage, environment: opt(environmentSpec) }, { requiredKeys: ['image'] }),
  fc.record({
    sourceType: opt(fc.constant('container')),
    container: fc.record({
      image: specImage,
      pullPolicy: opt(fc.constantFrom('Always', 'IfNotPresent', 'Never')),
      command: opt(fc.array(fc.constantFrom('python', '-m', 'agent'), { minLength: 1, maxLength: 3 })),
      args: opt(fc.array(fc.oneof(fc.constantFrom('--verbose', 'serve'), secretToken.map(t => `--token=${t}`)), { maxLength: 2 })),
    }, { requiredKeys: ['image'] }),
    environment: opt(environmentSpec),
  }, { requiredKeys: ['container'] }),
  fc.record({
    sourceType: opt(fc.constant('code')),
    code: fc.record({
      source: fc.record({
        sourceType: field(fc.constant('git'), fc.constant('local')),
        repository: field(fc.constantFrom('https://github.com/org/repo.git'), secretUrl),
        revision: opt(fc.constantFrom('main', 'v1.2.0')),
        path: opt(fc.constantFrom('/', '/src', 'agents/web')),
      }, { requiredKeys: ['sourceType', 'repository'] }),
      runtime: fc.constantFrom('python', 'nodejs'),
      version: field(fc.constantFrom('3.12', '20'), fc.constant('latest')),
      entrypoint: opt(fc.constantFrom('main.py', 'app/run.py')),
      image: opt(specImage),
    }, { requiredKeys: ['source', 'runtime', 'version'] }),
    environment: opt(environmentSpec),
  }, { requiredKeys: ['code'] }),
);
const memorySpec = fc.record({
  profile: opt(field(fc.constantFrom('small', 'medium', 'large'), fc.constant('huge'))),
  size: opt(field(fc.constantFrom('512Mi', '1Gi', '2Gi'), fc.constantFrom('1G', '1.5Gi'))),
  backendType: opt(field(fc.constantFrom('inmemory', 'redis'), fc.constant('postgres'))),
  config: opt(fc.record({
    address: field(fc.constantFrom('redis.data.svc:6379'), fc.constantFrom('redis', 'redis://:pw@redis:6379')),
    database: opt(field(fc.integer({ min: 0, max: 15 }), fc.constant(16))),
    passwordSecret: opt(secretRef),
  }, { requiredKeys: ['address'] })),
}, { requiredKeys: [] });
const providerSpec = fc.record({
  name: fc.constantFrom('main-llm', 'backup-llm', 'local'),
  providerType: field(fc.constantFrom('anthropic', 'openai', 'vllm'), fc.constant('')),
  credentialsSecret: field(dnsSubdomain, secretToken),
  credentialsKeyName: opt(fc.constantFrom('api-key', 'token.txt')),
  apiKeyEnvVar: opt(fc.constantFrom('ANTHROPIC_API_KEY', 'VLLM_API_KEY')),
  // The gateway needs a model: every generated provider has one (a missing model's refusal has its own test).
  config: fc.record({
    endpoint: opt(field(fc.constantFrom('https://api.example.com/v1', 'http://vllm.models.svc:8000/v1'), fc.oneof(secretUrl, fc.constant('ftp://x')))),
    model: fc.constantFrom('claude-3', 'gpt-4o'),
    temperature: opt(fc.constantFrom('0.2', '1')),
    api_key: opt(fc.oneof(password, fc.constant('${API_KEY}')), 8),
  }, { requiredKeys: ['model'] }),
}, { requiredKeys: ['name', 'providerType', 'credentialsSecret', 'config'] });
const mcpName = field(fc.constantFrom('github', 'files', 'search_2'), fc.constantFrom('my-tools', 'Files', ''));
const secretSource = fc.record({ secretKeyRef: secretRef });
const mcpRemoteSpec = fc.record({
  name: mcpName,
  transport: opt(field(fc.constantFrom('streamable-http', 'sse'), fc.constant('stdio'))),
  url: field(fc.constantFrom('https://mcp.example.com/mcp', 'http://tools.mcp.svc:8080/mcp'), fc.oneof(secretUrl, fc.constant('ftp://x'))),
  headers: opt(fc.uniqueArray(fc.record({ name: field(fc.constantFrom('Authorization', 'X-Api-Key'), fc.constantFrom('Host', 'A B')), valueFrom: secretSource }),
    { maxLength: 2, selector: h => h.name })),
}, { requiredKeys: ['name', 'url'] });
const mcpStdioSpec = fc.record({
  name: mcpName,
  transport: opt(field(fc.constant('stdio'), fc.constant('sse'))),
  command: field(fc.constantFrom('uvx', '/usr/local/bin/mcp-files'), fc.constantFrom('npx -y x', '')),
  args: opt(fc.array(field(fc.constantFrom('--root', '/shared', 'mcp-server-fetch'), secretToken), { maxLength: 3 })),
  env: opt(fc.uniqueArray(
    fc.oneof(fc.record({ name: envName, value: field(plainValue, envValue, 10) }), fc.record({ name: envName, valueFrom: secretSource })),
    { maxLength: 2, selector: e => e.name },
  )),
}, { requiredKeys: ['name', 'command'] });
const utilization = (name: string) => fc.integer({ min: 1, max: 100 })
  .map(averageUtilization => ({ type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization } } }));
const specCase = fc.record({
  agent: agentSpec,
  tools: opt(fc.record({
    required: opt(fc.uniqueArray(field(fc.constantFrom('git', 'python'), fc.constant('Bad Tool')), { maxLength: 2 })),
    optional: opt(fc.uniqueArray(fc.constantFrom('kubectl', 'sql'), { maxLength: 2 })),
    custom: opt(fc.uniqueArray(fc.record({
      name: fc.constantFrom('calc', 'my-tool'),
      version: opt(fc.constantFrom('1.0', '2')),
      source: field(fc.constantFrom('https://tools.example.com/t.tgz'), secretUrl),
      sha256: field(fc.constant('ab'.repeat(32)), fc.constant('not-a-digest')),
    }, { requiredKeys: ['name', 'source', 'sha256'] }), { maxLength: 2, selector: t => t.name })),
    mcpServers: opt(fc.uniqueArray(fc.oneof(mcpRemoteSpec, mcpStdioSpec), { maxLength: 2, selector: m => m.name }), 2),
  }, { requiredKeys: [] })),
  memory: opt(memorySpec),
  llm: opt(fc.record({ providers: fc.uniqueArray(providerSpec, { maxLength: 2, selector: p => p.name }) })),
  scaling: opt(fc.record({
    minReplicas: opt(fc.integer({ min: 1, max: 3 })),
    maxReplicas: field(fc.integer({ min: 3, max: 6 }), fc.constant(undefined)),
    metrics: opt(fc.oneof(fc.tuple(utilization('cpu')), fc.tuple(utilization('memory')), fc.tuple(utilization('cpu'), utilization('memory')),
      fc.constant([{ type: 'Pods', pods: { metric: { name: 'qps' } } }]))),
  }, { requiredKeys: ['maxReplicas'] })),
}, { requiredKeys: ['agent'] });

const monitoringSpec = fc.record({
  enabled: opt(fc.boolean()),
  metrics: opt(fc.uniqueArray(field(fc.constantFrom('memory_usage', 'api_latency'), fc.constant('9bad')), { maxLength: 2 })),
  metricsPort: opt(field(fc.constantFrom(9464, 9090), fc.constant(0))),
  metricsPath: opt(field(fc.constant('/stats'), fc.constant('stats'))),
  serviceMonitor: opt(fc.boolean()),
  scrapeInterval: opt(field(fc.constant('1m'), fc.constant('1 minute'))),
  scrapeNamespaces: opt(fc.array(fc.constantFrom('monitoring', 'observability'), { maxLength: 2 })),
  otlpEndpoint: opt(field(fc.constant('http://otel.monitoring:4317'), secretUrl)),
}, { requiredKeys: [] });
const securitySpec = fc.record({
  networkPolicy: opt(fc.record({
    enabled: opt(fc.boolean()),
    allowedNamespaces: opt(fc.uniqueArray(field(fc.constantFrom('default', 'frontend'), fc.constant('Bad NS')), { maxLength: 2 })),
  }, { requiredKeys: [] })),
  podSecurityContext: opt(fc.record({
    runAsNonRoot: opt(field(fc.constant(true), fc.constant(false))),
    runAsUser: opt(field(fc.constant(2000), fc.constant(0))),
    runAsGroup: opt(field(fc.constant(2000), fc.constant(3000))),
    fsGroup: opt(field(fc.constant(2000), fc.constant(3000))),
  }, { requiredKeys: [] })),
  runtimeClassName: opt(field(fc.constantFrom('gvisor', 'kata'), fc.constant('Bad_Class'))),
}, { requiredKeys: [] });
/** A spec with, maybe, an HTTP port, monitoring and security. */
const productionSpecCase = fc.record({
  spec: specCase,
  port: opt(field(fc.constantFrom(8080, 9464), fc.constant(70000))),
  monitoring: opt(monitoringSpec),
  security: opt(securitySpec),
}, { requiredKeys: ['spec'] }).map(({ spec, port, monitoring, security }) => ({
  ...spec,
  agent: port === undefined ? spec.agent : { ...spec.agent, port },
  ...(monitoring ? { monitoring } : {}),
  ...(security ? { security } : {}),
}));

const KNOWN_ENDPOINTS: { [type: string]: [string, string] } = {
  anthropic: ['https://api.anthropic.com', 'ANTHROPIC_API_KEY'],
  openai: ['https://api.openai.com/v1', 'OPENAI_API_KEY'],
};

/** The agent part of a spec with the defaults `fromAgentTypeSpec` fills in. */
function normalAgent(agent: any): any {
  const out: any = { name: 'agent' };
  if (agent.code) {
    const { source, ...code } = agent.code;
    const path = source.path === undefined ? '/' : source.path.startsWith('/') ? source.path : `/${source.path}`;
    out.sourceType = 'code';
    out.code = { ...code, source: { sourceType: 'git', path, repository: source.repository, ...(source.revision ? { revision: source.revision } : {}) } };
  } else {
    const container = agent.container ?? {};
    out.sourceType = 'container';
    out.container = { ...container, image: container.image ?? agent.image, pullPolicy: container.pullPolicy ?? 'IfNotPresent' };
  }
  const env = agent.environment ?? {};
  const variables = env.variables ?? [];
  const environment: any = {};
  const plain = variables.filter((v: any) => !v.valueFrom).map((v: any) => ({ name: v.name, value: v.value ?? '' }));
  if (variables.length > 0) environment.variables = [...plain, ...variables.filter((v: any) => v.valueFrom)];
  if (env.sdk) environment.sdk = { ...env.sdk, packages: env.sdk.packages ?? [] };
  if (env.glueCode) environment.glueCode = env.glueCode;
  if (Object.keys(environment).length > 0) out.environment = environment;
  return out;
}

/** `spec.monitoring` with the defaults filled in: a port with enabled, nothing for enabled false. */
function normalMonitoring(monitoring: any): any {
  const { enabled, otlpEndpoint, metricsPort, ...scrape } = monitoring;
  return {
    ...(enabled ? { enabled: true, metricsPort: metricsPort ?? 9464, ...scrape } : {}),
    ...(otlpEndpoint !== undefined ? { otlpEndpoint } : {}),
  };
}

/** `spec.security` with the defaults filled in: the pod user as user, group and fsGroup; no `enabled: true`. */
function normalSecurity(security: any): any {
  const out: any = {};
  const policy = security.networkPolicy ?? {};
  if (policy.enabled === false) {
    out.networkPolicy = { enabled: false };
  } else if (policy.allowedNamespaces !== undefined && policy.allowedNamespaces.length > 0) {
    out.networkPolicy = { allowedNamespaces: policy.allowedNamespaces };
  }
  if (security.podSecurityContext) {
    const uid = security.podSecurityContext.runAsUser ?? 1000;
    out.podSecurityContext = { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid };
  }
  if (security.runtimeClassName !== undefined) out.runtimeClassName = security.runtimeClassName;
  return out;
}

/** An MCP server entry as `McpServer.toSpec` writes it: the transport filled in, empty lists left out, plain variables first. */
function normalMcpServer(server: any): any {
  const out: any = { name: server.name, transport: server.transport ?? (server.url !== undefined ? 'streamable-http' : 'stdio') };
  if (server.url !== undefined) {
    out.url = server.url;
    if (server.headers?.length) out.headers = server.headers;
    return out;
  }
  out.command = server.command;
  if (server.args?.length) out.args = server.args;
  const env = server.env ?? [];
  if (env.length > 0) out.env = [...env.filter((e: any) => e.valueFrom === undefined), ...env.filter((e: any) => e.valueFrom !== undefined)];
  return out;
}

/** The spec with the defaults `fromAgentTypeSpec` fills in: what `toAgentTypeSpec` of the rebuilt pod must say. */
function normalized(spec: any): any {
  const out: any = { agent: normalAgent(spec.agent) };
  const memory = spec.memory ?? {};
  const profile = memory.profile ?? (memory.size === undefined ? 'small' : undefined);
  const limits: { [p: string]: string } = { small: '512Mi', medium: '1Gi', large: '2Gi' };
  out.memory = { ...(profile ? { profile } : {}), size: profile ? limits[profile] : memory.size, backendType: memory.backendType ?? 'inmemory' };
  if (memory.backendType === 'redis') out.memory.config = { ...memory.config, database: memory.config.database ?? 0 };
  const providers = spec.llm?.providers ?? [];
  if (spec.tools || providers.length > 0) {
    out.tools = Object.fromEntries(Object.entries(spec.tools ?? {}).filter(([, list]) => (list as any[]).length > 0));
    if (out.tools.mcpServers) out.tools.mcpServers = out.tools.mcpServers.map(normalMcpServer);
  }
  if (providers.length > 0) {
    out.llm = {
      providers: providers.map((p: any) => {
        const [endpoint, envVar] = KNOWN_ENDPOINTS[p.providerType] ?? [undefined, `LLM_${p.name.toUpperCase().replace(/-/g, '_')}_API_KEY`];
        const entry: any = { name: p.name, providerType: p.providerType, credentialsSecret: p.credentialsSecret };
        if (p.credentialsKeyName && p.credentialsKeyName !== 'api-key') entry.credentialsKeyName = p.credentialsKeyName;
        if (p.apiKeyEnvVar && p.apiKeyEnvVar !== envVar) entry.apiKeyEnvVar = p.apiKeyEnvVar;
        entry.config = { endpoint, ...p.config };
        return entry;
      }),
    };
  }
  const monitoring = normalMonitoring(spec.monitoring ?? {});
  if (Object.keys(monitoring).length > 0) out.monitoring = monitoring;
  const security = normalSecurity(spec.security ?? {});
  if (Object.keys(security).length > 0) out.security = security;
  if (spec.agent.port !== undefined) out.agent.port = spec.agent.port;
  if (spec.scaling) {
    const metrics = spec.scaling.metrics ?? [];
    const cpu = metrics.find((m: any) => m.resource.name === 'cpu');
    const memoryMetric = metrics.find((m: any) => m.resource.name === 'memory');
    out.scaling = {
      minReplicas: spec.scaling.minReplicas ?? 1,
      maxReplicas: spec.scaling.maxReplicas,
      metrics: [cpu ?? { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        ...(memoryMetric ? [memoryMetric] : [])],
    };
  }
  return out;
}

describe('generated AgentType specs', () => {
  test('are built and come back normalized, or are refused with the field, the value and no credential', () => {
    const tally = new Tally();
    let withProductionSettings = 0;
    let withMcpServers = 0;
    fc.assert(fc.property(productionSpecCase, raw => {
      const spec = json(raw) as AgentTypeSpec;
      const secrets = secretsOfCase(spec);
      let pod: AgentPod;
      try {
        pod = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', spec, { toolSidecar: { image: TOOL_IMAGE } });
      } catch (error) {
        const problem = errorProblem(error, secrets);
        if (problem) throw new Error(problem);
        tally.refused++;
        return;
      }
      tally.synthesized++;
      const again = json(pod.toAgentTypeSpec());
      if (again.monitoring || again.security || again.agent.port) withProductionSettings++;
      if (again.tools?.mcpServers) withMcpServers++;
      expect(again).toEqual(normalized(spec));
      // The normalized spec is a fixed point: built again, it renders the same objects.
      const twice = AgentPod.fromAgentTypeSpec(agentsChart(), 'web', again, { toolSidecar: { image: TOOL_IMAGE } });
      expect(json(twice.toAgentTypeSpec())).toEqual(again);
      expect(renderedBy(twice)).toEqual(renderedBy(pod));
    }), runConfig(4242, 600));
    expect(tally.synthesized).toBeGreaterThan(150);
    expect(withProductionSettings).toBeGreaterThan(50);
    expect(withMcpServers).toBeGreaterThan(15);
    expect(tally.refused).toBeGreaterThan(50);
  });
});
