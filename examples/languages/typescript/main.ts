// The app every language writes (Python, Java and Go beside this folder):
// the agents' namespace, the AgentType CRD and the operator install; four
// agents (a plain image; code from git with an SDK, glue code and a secret
// variable; the tool sidecar with custom and MCP tools; Redis memory and two
// LLM providers with fallback, also declared as an AgentType); then the dev
// and prod overlays, written as folders and as a kustomize tree.
//
// Run: npx ts-node examples/languages/typescript/main.ts <outdir>
// A test runs the four apps and checks their outputs are the same, byte for byte.
import * as path from 'path';
import { App, Chart, JsonPatch, YamlOutputType } from 'cdk8s';
import {
  AgentEnvironment, AgentNamespace, AgentOperator, AgentPod, AgentRuntime, AgentSource, AgentType, AgentTypeCrd,
  CodeSource, EnvironmentPreset, FeaturePreset, GlueCode, LlmProvider, McpServer, MemoryBackend, MemoryProfile,
  Overlay, Patch, ToolSidecar,
} from '../../../src';

const outdir = process.argv[2] ?? 'dist';
const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });

// The platform: namespace, CRD, operator.
const platform = new Chart(app, 'platform');
new AgentNamespace(platform, 'agents-namespace', { name: 'agents' });
const crd = new AgentTypeCrd(platform, 'crd');
new AgentOperator(platform, 'operator', {
  image: 'registry.example.com/agents/agent-operator:0.1.0',
  crd,
  watchNamespaces: ['agents'],
});

const agents = new Chart(app, 'agents', { namespace: 'agents' });
agents.addDependency(platform);

// A plain image.
new AgentPod(agents, 'basic-agent', {
  source: AgentSource.image('nginx:1.27.3', { command: ['nginx', '-g', 'daemon off;'] }),
});

// Code from git, a Python SDK, glue code and a variable from a Secret.
const environment = new AgentEnvironment({
  variables: { LOG_LEVEL: 'debug' },
  sdk: { runtime: AgentRuntime.PYTHON, version: '3.12', packages: ['httpx', 'pydantic'] },
  glueCode: GlueCode.fromInline('glue.py', 'def handler(event):\n    return event\n'),
});
environment.addSecretVariable('API_KEY', { name: 'code-agent-api', key: 'api-key' });
new AgentPod(agents, 'code-agent', {
  source: AgentSource.code({
    source: CodeSource.git({ repository: 'https://github.com/example/agent', path: '/src', revision: 'v1.2.0' }),
    runtime: AgentRuntime.PYTHON,
    version: '3.12',
  }),
  environment,
});

// The tool sidecar (LiteLLM's proxy) with a checked download and MCP servers.
const tools = new ToolSidecar({
  image: ToolSidecar.LITELLM_IMAGE,
  required: ['python3'],
  optional: ['kubectl'],
  custom: [{
    name: 'custom-tool',
    version: '1.0',
    source: 'https://example.com/tools/custom-tool',
    sha256: '5f0c7bcfc47b6a6c1d0b3f2a5e6d8c9b0a1f2e3d4c5b6a79887766554433221f',
  }],
});
tools.addMcpServer(McpServer.remote({
  name: 'search',
  url: 'https://mcp.example.com/mcp',
  headers: { Authorization: { name: 'search-mcp', key: 'authorization' } },
}));
tools.addMcpServer(McpServer.stdio({ name: 'files', command: 'mcp-server-filesystem', args: ['/shared'] }));
new AgentPod(agents, 'tooled-agent', {
  source: AgentSource.image('registry.example.com/agents/base-agent:1.0.0', { command: ['/usr/local/bin/agent'] }),
  toolSidecar: tools,
});

// Redis memory and two LLM providers (main, then fallback), also as an AgentType.
const full = new AgentPod(agents, 'full-agent', {
  source: AgentSource.image('registry.example.com/agents/advanced-agent:1.0.0', { command: ['/usr/local/bin/agent'] }),
  toolSidecar: new ToolSidecar({ image: ToolSidecar.LITELLM_IMAGE, required: ['python3'] }),
  memory: MemoryProfile.fromSize('1Gi', MemoryBackend.redis({ address: 'redis.agents.svc:6379' })),
  llmProviders: [
    LlmProvider.anthropic({ name: 'main-llm', model: 'claude-sonnet-4-5', credentials: { secretName: 'anthropic-credentials' } }),
    LlmProvider.openai({ name: 'backup-llm', model: 'gpt-4o', credentials: { secretName: 'openai-credentials' } }),
  ],
  scaling: { minReplicas: 2, maxReplicas: 5, cpuUtilization: 80 },
});
new AgentType(agents, 'full-agent-type', { metadata: { name: 'full-agent' }, spec: full.toAgentTypeSpec(), crd });

// dev and prod; prod pins every image to a digest (placeholders here).
const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
const overlays = [
  new Overlay({ name: 'dev', components: [EnvironmentPreset.dev(), FeaturePreset.toolsComplete(), FeaturePreset.apisDevelopment()] }),
  new Overlay({
    name: 'prod',
    namePrefix: 'prod-',
    components: [EnvironmentPreset.prod(), FeaturePreset.memoryLarge(), FeaturePreset.apisProduction()],
    images: [
      { name: 'nginx', digest: digest(1) },
      { name: 'python', digest: digest(2) },
      { name: 'busybox', digest: digest(3) },
      { name: 'ghcr.io/berriai/litellm', digest: digest(4) },
      { name: 'registry.example.com/agents/agent-operator', digest: digest(5) },
      { name: 'registry.example.com/agents/base-agent', digest: digest(6) },
      { name: 'registry.example.com/agents/advanced-agent', digest: digest(7) },
    ],
    replicas: [{ name: 'basic-agent', count: 3 }],
    patches: [
      Patch.json6902({ kind: 'HorizontalPodAutoscaler', name: 'full-agent' }, JsonPatch.replace('/spec/maxReplicas', 10)),
      Patch.strategicMerge({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'full-agent', namespace: 'agents' },
        spec: { template: { spec: { terminationGracePeriodSeconds: 90 } } },
      }),
    ],
  }),
];

app.synth();
Overlay.synth(app, overlays, { kustomizeOutdir: path.join(outdir, 'kustomize') });
