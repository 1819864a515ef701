/**
 * Generated cases of every construct family and how each is built into an
 * App: plain data (so fast-check can print and shrink it), turned into
 * constructs by `build*`.
 */
import { App, Chart, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import fc from 'fast-check';
import {
  adversarialString, annotationValue, badNumber, cidr, cpuQuantity, dnsLabel, dnsSubdomain, envName, envValue, field, host, httpUrl,
  image, labels, memoryQuantity, name, requestAndLimit, opt, password, plainValue, port, pullPolicy, secretish, secretRef, secretToken, secretUrl,
  smallCount, smallMap,
} from './arbitraries';
import {
  AgentEnvironment, AgentOperator, AgentPod, AgentPodOptions, AgentRuntime, AgentSource, AgentType, AgentTypeCrd, CodeSource, GlueCode,
  LlmProvider, McpServer, McpTransport, MemoryBackend, MemoryProfile, RedisMemory, ToolSidecar,
} from '../../src';
import { AgentNamespace } from '../../src/install/agent-namespace';

const runtime = field(fc.constantFrom('python', 'nodejs'), fc.constantFrom('Python', 'ruby', ''));
const version = field(fc.constantFrom('3.12', '3.11', '20', '22'), fc.constantFrom('latest', '', '3.12 ', 'v20', '1e3'));
const gitRepo = field(fc.constantFrom('https://github.com/org/repo.git', 'git@github.com:org/repo.git', 'ssh://git@gitlab.example.com/a/b.git'),
  fc.oneof(secretUrl, secretToken.map(t => `https://x-access-token:${t}@github.com/org/repo.git`), adversarialString));

const source = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('image' as const),
      image,
      pullPolicy: opt(pullPolicy),
      command: opt(fc.array(field(fc.constantFrom('python', '-m', 'agent', '/app/run'), fc.oneof(adversarialString, secretish)), { maxLength: 3 })),
      args: opt(fc.array(fc.oneof(fc.constantFrom('--verbose', '--port=8080', 'serve'), secretToken.map(t => `--api-key=${t}`), secretish,
        password.map(p => `--password=${p}`)), { maxLength: 3 })),
    }, { requiredKeys: ['kind', 'image'] }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('git' as const),
      repository: gitRepo,
      revision: opt(field(fc.constantFrom('main', 'v1.2.0', 'release/1.x'), adversarialString)),
      path: opt(field(fc.constantFrom('agents/web', 'src'), fc.constantFrom('../etc', '/abs', 'a b'))),
      runtime,
      version,
      entrypoint: opt(field(fc.constantFrom('main.py', 'app/run.py', 'index.js'), fc.constantFrom('../x.py', 'a b.py', ''))),
      image: opt(image),
    }, { requiredKeys: ['kind', 'repository', 'runtime', 'version'] }),
  },
);

const environment = fc.record({
  variables: opt(smallMap(envName, envValue)),
  secretVars: opt(fc.dictionary(envName, secretRef, { maxKeys: 2, noNullPrototype: true })),
  sdk: opt(fc.record({
    runtime,
    version,
    packages: opt(fc.array(field(fc.constantFrom('requests', 'pandas==2.2.2', 'axios@1.7.2'),
      fc.oneof(adversarialString, secretUrl.map(u => `git+${u}`))), { maxLength: 2 })),
  })),
  glue: opt(fc.record({
    fileName: field(fc.constantFrom('glue.py', 'hooks.js'), fc.constantFrom('../x', 'a b', '')),
    content: fc.oneof(fc.constantFrom('print(1)\n', ''), secretToken.map(t => `API_KEY = "${t}"\n`)),
  })),
});

const mcpName = field(fc.constantFrom('github', 'search_1', 'files'), adversarialString);
const mcpServer = fc.oneof(
  fc.record({
    kind: fc.constant('remote' as const),
    name: mcpName,
    url: field(fc.constantFrom('https://mcp.example.com/mcp', 'http://tools.mcp.svc:8080/mcp'), fc.oneof(secretUrl, adversarialString)),
    transport: opt(field(fc.constantFrom('streamable-http', 'sse'), fc.constantFrom('stdio', 'ws'))),
    headers: opt(fc.dictionary(field(fc.constantFrom('Authorization', 'X-Api-Key'), adversarialString), secretRef, { maxKeys: 2, noNullPrototype: true })),
  }, { requiredKeys: ['kind', 'name', 'url'] }),
  fc.record({
    kind: fc.constant('stdio' as const),
    name: mcpName,
    command: field(fc.constantFrom('uvx', '/usr/local/bin/mcp-files'), adversarialString),
    args: opt(fc.array(field(fc.constantFrom('--root', '/shared', 'mcp-server-fetch'), fc.oneof(secretToken, adversarialString)), { maxLength: 2 })),
    env: opt(smallMap(envName, envValue, 2)),
    secretEnv: opt(fc.dictionary(envName, secretRef, { maxKeys: 2, noNullPrototype: true })),
  }, { requiredKeys: ['kind', 'name', 'command'] }),
);

const sidecar = fc.record({
  image,
  name: opt(name),
  port: opt(port),
  required: opt(fc.uniqueArray(field(fc.constantFrom('web-search', 'python', 'git'), adversarialString), { maxLength: 2 })),
  optional: opt(fc.uniqueArray(field(fc.constantFrom('browser', 'sql'), adversarialString), { maxLength: 2 })),
  custom: opt(fc.uniqueArray(fc.record({
    name: field(fc.constantFrom('my-tool', 'calc'), adversarialString),
    version: opt(field(fc.constantFrom('1.0.0', '2'), adversarialString)),
    source: field(fc.constantFrom('https://tools.example.com/t', 'http://tools.internal.svc:8080/t'), fc.oneof(secretUrl, adversarialString, fc.constant('oci://registry.example.com/tools/t:1'))),
    sha256: field(fc.stringMatching(/^[a-f0-9]{64}$/), fc.oneof(adversarialString, fc.constant('ABAB'), fc.constant(''))),
  },
  { requiredKeys: ['name', 'source', 'sha256'] }), { maxLength: 2, selector: t => t.name })),
  mcpServers: opt(fc.uniqueArray(mcpServer, { maxLength: 2, selector: m => m.name })),
  pullPolicy: opt(pullPolicy),
}, { requiredKeys: ['image'] });

const containerMemory = fc.tuple(requestAndLimit, opt(cpuQuantity)).map(([m, cpuRequest]) => ({ ...m, cpuRequest }));
const backend = fc.oneof(
  fc.record({ kind: fc.constant('in-memory' as const) }),
  fc.record({
    kind: fc.constant('redis' as const),
    address: field(fc.constantFrom('redis.data.svc:6379', 'redis:6379'), fc.oneof(adversarialString, password.map(p => `redis://:${p}@redis:6379`))),
    passwordSecret: opt(secretRef),
    database: opt(field(fc.integer({ min: 0, max: 15 }), badNumber)),
  }, { requiredKeys: ['kind', 'address'] }),
);
const memory = fc.oneof(
  fc.record({ kind: fc.constant('size' as const), size: memoryQuantity, backend: opt(backend) }),
  fc.record({
    kind: fc.constant('custom' as const),
    name: opt(name),
    agent: containerMemory,
    init: opt(containerMemory),
    sidecar: opt(containerMemory),
    backend: opt(backend),
  }, { requiredKeys: ['kind', 'agent'] }),
);

const llm = fc.record({
  type: fc.constantFrom('anthropic', 'openai', 'generic'),
  name: opt(name),
  genericType: field(fc.constantFrom('ollama', 'vllm'), adversarialString),
  secretName: dnsSubdomain,
  secretKey: opt(field(fc.constantFrom('api-key', 'key'), adversarialString)),
  // Mostly set: the gateway refuses a provider without a model, so a missing one is an occasional case.
  model: opt(field(fc.constantFrom('claude-3', 'gpt-4o'), adversarialString), 20),
  endpoint: opt(httpUrl, 4),
  config: opt(smallMap(field(fc.constantFrom('temperature', 'max_tokens', 'api_key', 'x-api-key', 'organization'), adversarialString),
    fc.oneof(plainValue, secretish, password))),
  apiKeyEnvVar: opt(envName),
}, { requiredKeys: ['type', 'genericType', 'secretName'] });

const ingressPeer = fc.record({
  namespaces: opt(fc.array(name, { maxLength: 2 })),
  podLabels: opt(labels),
  cidr: opt(cidr),
  exceptCidrs: opt(fc.array(cidr, { maxLength: 1 })),
  ports: opt(fc.array(port, { maxLength: 2 })),
});
const egressPeer = fc.record({
  host: opt(host),
  cidr: opt(cidr),
  exceptCidrs: opt(fc.array(cidr, { maxLength: 1 })),
  namespaces: opt(fc.array(name, { maxLength: 1 })),
  podLabels: opt(labels),
  ports: opt(fc.array(port, { maxLength: 2 })),
  udpPorts: opt(fc.array(port, { maxLength: 1 })),
});
const networkPolicy = fc.record({
  enabled: opt(fc.boolean()),
  allowIngressFrom: opt(fc.array(ingressPeer, { maxLength: 2 })),
  additionalEgress: opt(fc.array(egressPeer, { maxLength: 2 })),
  allowDns: opt(fc.boolean()),
  dnsNamespace: opt(name),
  dnsPodLabels: opt(labels),
  clusterDomain: opt(field(fc.constantFrom('cluster.local', 'k8s.example'), adversarialString)),
});

const monitoring = fc.record({
  metricsPort: opt(port),
  metricsPath: opt(field(fc.constantFrom('/metrics', '/stats/prometheus'), adversarialString)),
  serviceMonitor: opt(fc.boolean()),
  scrapeInterval: opt(field(fc.constantFrom('30s', '1m'), adversarialString)),
  scrapeNamespaces: opt(fc.array(name, { maxLength: 2 })),
  otlpEndpoint: opt(httpUrl),
});

/** Props of one AgentPod, as data. */
export const podCase = fc.record({
  id: dnsLabel,
  agentName: opt(name),
  namespaceName: opt(name),
  source,
  environment: opt(environment),
  sidecar: opt(sidecar),
  memory: opt(memory),
  llm: opt(fc.array(llm, { maxLength: 2 })),
  replicasOrScaling: fc.nat(9),
  replicas: opt(smallCount(5)),
  scaling: opt(fc.record({
    minReplicas: smallCount(3),
    maxReplicas: smallCount(10),
    cpuUtilization: opt(field(fc.integer({ min: 1, max: 100 }), badNumber)),
    memoryUtilization: opt(field(fc.integer({ min: 1, max: 100 }), badNumber)),
  }, { requiredKeys: ['minReplicas', 'maxReplicas'] })),
  port: opt(port),
  shutdown: opt(fc.record({ gracePeriodSeconds: opt(smallCount(120)), preStopDelaySeconds: opt(smallCount(30)) })),
  monitoring: opt(monitoring),
  networkPolicy: opt(networkPolicy),
  runtimeClassName: opt(name),
  initImage: opt(image),
  runAsUser: opt(field(fc.integer({ min: 1, max: 65535 }), badNumber)),
  labels: opt(labels),
  version: opt(field(fc.constantFrom('1.0.0', 'v2'), adversarialString)),
}, { requiredKeys: ['id', 'source', 'replicasOrScaling'] })
  // Mostly one of replicas and scaling, mostly no LLM provider without a sidecar (both are refused; tested elsewhere).
  .map(({ replicasOrScaling: pick, ...c }) => ({
    ...c,
    replicas: pick === 0 || pick % 2 === 1 ? c.replicas : undefined,
    scaling: pick === 0 || pick % 2 === 0 ? c.scaling : undefined,
    llm: pick === 0 || c.sidecar ? c.llm : undefined,
  }));
export type PodCase = typeof podCase extends fc.Arbitrary<infer T> ? T : never;

function buildSource(s: PodCase['source']): AgentSource {
  if (s.kind === 'image') return AgentSource.image(s.image, { pullPolicy: s.pullPolicy as any, command: s.command, args: s.args });
  return AgentSource.code({
    source: CodeSource.git({ repository: s.repository, revision: s.revision, path: s.path }),
    runtime: s.runtime as AgentRuntime,
    version: s.version,
    entrypoint: s.entrypoint,
    image: s.image,
  });
}

function buildEnvironment(e: NonNullable<PodCase['environment']>): AgentEnvironment {
  const glueCode = e.glue && GlueCode.fromInline(e.glue.fileName, e.glue.content);
  const env = new AgentEnvironment({ variables: e.variables, sdk: e.sdk as any, glueCode });
  for (const [n, ref] of Object.entries(e.secretVars ?? {})) env.addSecretVariable(n, ref);
  return env;
}

function buildBackend(b: any, redis?: RedisMemory): MemoryBackend | undefined {
  if (b === undefined) return redis && MemoryBackend.fromRedis(redis);
  if (b.kind === 'in-memory') return MemoryBackend.inMemory();
  return MemoryBackend.redis({ address: b.address, passwordSecret: b.passwordSecret, database: b.database });
}

function buildMemory(m: PodCase['memory'], redis?: RedisMemory): MemoryProfile | undefined {
  if (m === undefined) return redis && MemoryProfile.fromSize('256Mi', MemoryBackend.fromRedis(redis));
  if (m.kind === 'size') return MemoryProfile.fromSize(m.size, buildBackend(m.backend, redis));
  return MemoryProfile.custom({ name: m.name, agent: m.agent, init: m.init, sidecar: m.sidecar, backend: buildBackend(m.backend, redis) });
}

function buildMcpServer(m: NonNullable<NonNullable<PodCase['sidecar']>['mcpServers']>[number]): McpServer {
  if (m.kind === 'remote') return McpServer.remote({ name: m.name, url: m.url, transport: m.transport as McpTransport | undefined, headers: m.headers });
  return McpServer.stdio({ name: m.name, command: m.command, args: m.args, env: m.env, secretEnv: m.secretEnv });
}

function buildLlm(l: NonNullable<PodCase['llm']>[number]): LlmProvider {
  const credentials = { secretName: l.secretName, secretKey: l.secretKey };
  const options = { name: l.name, credentials, model: l.model, endpoint: l.endpoint, config: l.config };
  if (l.type === 'anthropic') return LlmProvider.anthropic(options);
  if (l.type === 'openai') return LlmProvider.openai(options);
  return LlmProvider.generic({ ...options, providerType: l.genericType, apiKeyEnvVar: l.apiKeyEnvVar });
}

/** One AgentPod from its case (in `chart`; with `redis` as its memory backend when the case names none). */
export function buildPod(chart: Chart, c: PodCase, redis?: RedisMemory): AgentPod {
  const s = c.sidecar;
  return new AgentPod(chart, c.id, {
    source: buildSource(c.source),
    agentName: c.agentName,
    namespaceName: c.namespaceName,
    environment: c.environment && buildEnvironment(c.environment),
    toolSidecar: s && new ToolSidecar({
      image: s.image,
      name: s.name,
      port: s.port,
      required: s.required,
      optional: s.optional,
      custom: s.custom,
      mcpServers: s.mcpServers?.map(buildMcpServer),
      imagePullPolicy: s.pullPolicy as any,
    }),
    memory: buildMemory(c.memory, redis),
    llmProviders: c.llm?.map(buildLlm),
    scaling: c.scaling,
    ...podOptionsOf(c),
  });
}

/** The pod settings of a case that an AgentType spec does not carry (`AgentPodOptions`). */
export function podOptionsOf(c: PodCase): AgentPodOptions {
  return {
    namespaceName: c.namespaceName,
    replicas: c.replicas,
    port: c.port,
    shutdown: c.shutdown,
    monitoring: c.monitoring,
    networkPolicy: c.networkPolicy,
    runtimeClassName: c.runtimeClassName,
    initImage: c.initImage,
    runAsUser: c.runAsUser,
    labels: c.labels,
    version: c.version,
  };
}

/** A RedisMemory, and maybe an AgentPod that uses it. */
export const redisCase = fc.record({
  id: dnsLabel,
  name: opt(name),
  namespaceName: opt(name),
  passwordSecret: secretRef,
  image: opt(image),
  storage: opt(memoryQuantity),
  storageClassName: opt(name),
  memory: opt(containerMemory),
  maxMemoryPercent: opt(field(fc.integer({ min: 10, max: 95 }), badNumber)),
  maxMemoryPolicy: opt(field(fc.constantFrom('noeviction', 'allkeys-lru', 'volatile-lru'), adversarialString)),
  appendOnly: opt(fc.boolean()),
  networkPolicy: opt(fc.boolean()),
  clusterDomain: opt(field(fc.constantFrom('cluster.local'), adversarialString)),
  runAsUser: opt(field(fc.integer({ min: 1, max: 65535 }), badNumber)),
  pod: opt(podCase),
}, { requiredKeys: ['id', 'passwordSecret'] });
export type RedisCase = typeof redisCase extends fc.Arbitrary<infer T> ? T : never;

export function buildRedis(app: App, c: RedisCase): void {
  const chart = new Chart(app, 'agents');
  const { id, pod, maxMemoryPolicy, ...props } = c;
  const redis = new RedisMemory(chart, id, { ...props, maxMemoryPolicy: maxMemoryPolicy as any });
  if (pod) buildPod(chart, { ...pod, id: `${pod.id}-agent`, memory: undefined }, redis);
}

const resources = fc.record({
  cpu: opt(fc.record({ request: opt(fc.constantFrom(50, 100, 1.5, -1, NaN)), limit: opt(fc.constantFrom(500, 1000, 0)) })),
  // cdk8s Size itself refuses negative amounts, before this library sees them.
  memory: opt(fc.record({ request: opt(fc.constantFrom(64, 128, 0)), limit: opt(fc.constantFrom(256, 512, 0.5)) })),
});

/** AgentTypeCrd, AgentOperator and AgentNamespace together. */
export const installCase = fc.record({
  crd: opt(fc.record({
    group: opt(field(fc.constantFrom('agents.example.com', 'ai.acme.io'), adversarialString)),
    labels: opt(labels),
    recommendedLabels: opt(fc.boolean()),
  })),
  operator: opt(fc.record({
    image,
    namespaceName: opt(name),
    createNamespace: opt(fc.boolean()),
    clusterWide: opt(fc.boolean()),
    watchNamespaces: opt(fc.array(name, { maxLength: 2 })),
    installCrd: opt(fc.boolean()),
    useCrd: fc.boolean(),
    group: opt(field(fc.constantFrom('agents.example.com'), adversarialString)),
    replicas: opt(smallCount(3)),
    leaderElectionId: opt(field(fc.constantFrom('agent-operator-leader', 'x.y'), adversarialString)),
    resources: opt(resources),
    metricsPort: opt(port),
    healthPort: opt(port),
    imagePullPolicy: opt(pullPolicy),
    logLevel: opt(field(fc.constantFrom('info', 'debug', 'error'), adversarialString)),
    name: opt(name),
  }, { requiredKeys: ['image', 'useCrd'] })),
  namespace: opt(fc.record({
    name: opt(name),
    podSecurity: opt(field(fc.constantFrom('privileged', 'baseline', 'restricted'), adversarialString)),
    quota: opt(fc.record({
      requestsCpu: opt(cpuQuantity),
      requestsMemory: opt(memoryQuantity),
      limitsCpu: opt(cpuQuantity),
      limitsMemory: opt(memoryQuantity),
      requestsStorage: opt(memoryQuantity),
      pods: opt(smallCount(100)),
      persistentVolumeClaims: opt(smallCount(10)),
    })),
    limits: opt(fc.record({
      defaultRequestCpu: opt(cpuQuantity),
      defaultRequestMemory: opt(memoryQuantity),
      defaultLimitMemory: opt(memoryQuantity),
      maxMemory: opt(memoryQuantity),
      maxCpu: opt(cpuQuantity),
    })),
  })),
});
export type InstallCase = typeof installCase extends fc.Arbitrary<infer T> ? T : never;

export function buildInstall(app: App, c: InstallCase): void {
  const chart = new Chart(app, 'install');
  const crd = c.crd && new AgentTypeCrd(chart, 'crd', c.crd);
  if (c.operator) {
    const { useCrd, resources: r, ...props } = c.operator;
    const toCpu = (n?: number) => (n === undefined ? undefined : Cpu.millis(n));
    const toMem = (n?: number) => (n === undefined ? undefined : Size.mebibytes(n));
    const res = r && {
      cpu: r.cpu && { request: toCpu(r.cpu.request), limit: toCpu(r.cpu.limit) },
      memory: r.memory && { request: toMem(r.memory.request), limit: toMem(r.memory.limit) },
    };
    new AgentOperator(chart, 'operator', { ...props, imagePullPolicy: props.imagePullPolicy as any, resources: res, crd: useCrd ? crd : undefined });
  }
  if (c.namespace) new AgentNamespace(chart, 'ns', { ...c.namespace, podSecurity: c.namespace.podSecurity as any });
}

/** An AgentType from a typed spec, or from an AgentPod's `toAgentTypeSpec()`. */
export const agentTypeCase = fc.oneof(
  fc.record({
    kind: fc.constant('typed' as const),
    name: name,
    group: opt(field(fc.constantFrom('agents.example.com'), adversarialString)),
    annotations: opt(smallMap(fc.constantFrom('note', 'api-token', 'example.com/owner'), annotationValue)),
    labels: opt(labels),
    spec: fc.record({
      agent: fc.record({
        image: opt(image, 6),
        name: opt(name),
        sourceType: opt(field(fc.constantFrom('container', 'code'), adversarialString)),
        container: opt(fc.record({ image: opt(image), pullPolicy: opt(pullPolicy) })),
        code: opt(fc.record({
          source: opt(fc.record({ sourceType: opt(fc.constantFrom('git', 'local', 'svn')), repository: opt(gitRepo), revision: opt(fc.constantFrom('main', 'a b')) })),
          runtime: opt(runtime),
          version: opt(version),
        })),
        environment: opt(fc.record({ variables: opt(fc.array(fc.record({ name: envName, value: opt(envValue) }, { requiredKeys: ['name'] }), { maxLength: 3 })) })),
      }),
      tools: opt(fc.record({ required: opt(fc.array(fc.constantFrom('web-search', 'Bad Tool'), { maxLength: 2 })) })),
      memory: opt(fc.record({
        size: opt(memoryQuantity),
        backendType: opt(field(fc.constantFrom('inmemory', 'redis'), fc.constantFrom('in-memory', 'mongo'))),
        config: opt(smallMap(fc.constantFrom('address', 'password', 'db'), fc.oneof(plainValue, password))),
      })),
      llm: opt(fc.record({
        providers: opt(fc.array(fc.record({
          name: name,
          providerType: opt(fc.constantFrom('anthropic', 'openai', 'x')),
          credentialsSecret: opt(dnsSubdomain),
          config: opt(smallMap(fc.constantFrom('model', 'api_key', 'endpoint'), fc.oneof(plainValue, secretish))),
        },
        { requiredKeys: ['name'] }), { maxLength: 2 })),
      })),
      scaling: opt(fc.record({ minReplicas: opt(smallCount(3)), maxReplicas: opt(smallCount(10)) })),
    }, { requiredKeys: ['agent'] }),
  }, { requiredKeys: ['kind', 'name', 'spec'] }),
  fc.record({ kind: fc.constant('pod' as const), name: name, pod: podCase }),
);
export type AgentTypeCase = typeof agentTypeCase extends fc.Arbitrary<infer T> ? T : never;

export function buildAgentType(app: App, c: AgentTypeCase): void {
  const chart = new Chart(app, 'types');
  const crd = new AgentTypeCrd(chart, 'crd', { group: c.kind === 'typed' ? c.group : undefined });
  if (c.kind === 'typed') {
    new AgentType(chart, 'type', { metadata: { name: c.name, annotations: c.annotations, labels: c.labels }, spec: c.spec as any, crd });
    return;
  }
  const pods = new Chart(app, 'pods');
  const pod = buildPod(pods, c.pod);
  new AgentType(chart, 'type', { metadata: { name: c.name }, spec: pod.toAgentTypeSpec(), crd });
}

/** One AgentPod in a chart of its own. */
export function buildPodApp(app: App, c: PodCase): void {
  buildPod(new Chart(app, 'agents'), c);
}


