/**
 * The GitOps example app: the six example agents as `AgentPod` workloads,
 * synthesized to plain manifests (and the dev, staging and prod overlays of
 * examples/overlays.ts) that `kubectl apply` or a GitOps tool applies. No
 * operator and no AgentType: the manifests are the agents.
 */
import * as path from 'path';
import { App, AppProps, Chart, YamlOutputType } from 'cdk8s';
import { ImagePullPolicy } from 'cdk8s-plus-28';
import {
  AgentEnvironment, AgentPod, AgentRuntime, AgentSource, CodeSource, GlueCode, LlmProvider, MemoryBackend, MemoryProfile, ToolSidecar,
} from '../src';
import { AGENTS_NAMESPACE, CUSTOM_TOOL, GATEWAY_IMAGE, agentsNamespace, productionRedis } from './app';

/** Builds the GitOps app; `synth()` writes `0000-agents-namespace.k8s.yaml` and `0001-agents.k8s.yaml`. */
export function buildGitOpsApp(props: AppProps = {}): App {
  const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART, ...props });

  const namespaceChart = new Chart(app, 'agents-namespace');
  agentsNamespace(namespaceChart);

  // Applied after the namespace: the files are numbered in that order.
  const agents = new Chart(app, 'agents', { namespace: AGENTS_NAMESPACE });
  agents.addDependency(namespaceChart);

  // basic-agent: a plain image (nginx:latest).
  new AgentPod(agents, 'basic-agent', {
    source: AgentSource.image('nginx:latest', { command: ['nginx', '-g', 'daemon off;'] }),
  });

  // container-agent with environment variables and a python SDK. Its API
  // key is a Secret reference: no secret value is ever written to a manifest.
  const containerEnv = new AgentEnvironment({
    variables: { LOG_LEVEL: 'debug' },
    sdk: { runtime: AgentRuntime.PYTHON, version: '3.9', packages: ['requests', 'pandas'] },
  });
  containerEnv.addSecretVariable('API_KEY', { name: 'container-agent-api', key: 'api-key' });
  new AgentPod(agents, 'container-agent', {
    source: AgentSource.image('custom-agent:latest', { pullPolicy: ImagePullPolicy.ALWAYS, command: ['python', '-m', 'agent'] }),
    environment: containerEnv,
  });

  // code-agent from git, python 3.9, with glue code.
  new AgentPod(agents, 'code-agent', {
    source: AgentSource.code({
      source: CodeSource.git({ repository: 'https://github.com/example/agent', path: '/src' }),
      runtime: AgentRuntime.PYTHON,
      version: '3.9',
    }),
    environment: new AgentEnvironment({ glueCode: GlueCode.fromFile(path.join(__dirname, 'glue', 'gluecode.py')) }),
  });

  // tooled-agent with the tool sidecar (LiteLLM's proxy) and its tools.
  new AgentPod(agents, 'tooled-agent', {
    source: AgentSource.image('base-agent:latest', { command: ['/usr/local/bin/agent'] }),
    toolSidecar: new ToolSidecar({
      image: GATEWAY_IMAGE,
      required: ['python3'],
      optional: ['kubectl'],
      custom: [CUSTOM_TOOL],
    }),
  });

  // full-agent with a Redis memory backend and two LLM providers (main, then fallback).
  new AgentPod(agents, 'full-agent', {
    source: AgentSource.image('advanced-agent:latest', { command: ['/usr/local/bin/agent'] }),
    toolSidecar: new ToolSidecar({ image: GATEWAY_IMAGE, required: ['python3'] }),
    memory: MemoryProfile.fromSize('1Gi', MemoryBackend.redis({ address: 'redis.agents.svc:6379' })),
    llmProviders: [
      LlmProvider.anthropic({ name: 'main-llm', model: 'claude-3', credentials: { secretName: 'anthropic-credentials' } }),
      LlmProvider.openai({ name: 'backup-llm', model: 'gpt-4o', credentials: { secretName: 'openai-credentials' } }),
    ],
  });

  // production-agent, with the production settings: autoscaling (no
  // replicas on the Deployment), PDB and spread, HTTP probes on its port,
  // metrics on port 9464 with a ServiceMonitor and OpenTelemetry, a
  // sandboxed runtime, a default-deny NetworkPolicy letting two namespaces
  // in on its port, and 2Gi of memory in a Redis the app deploys.
  const redis = productionRedis(agents);
  new AgentPod(agents, 'production-agent', {
    source: AgentSource.image('production-agent:latest', { command: ['/usr/local/bin/agent'] }),
    namespaceName: AGENTS_NAMESPACE, // as the operator gives it: the ServiceMonitor then names it in its namespaceSelector
    scaling: { minReplicas: 2, maxReplicas: 5, cpuUtilization: 80 },
    port: 8080,
    toolSidecar: new ToolSidecar({ image: GATEWAY_IMAGE, required: ['python3'] }),
    memory: MemoryProfile.fromSize('2Gi', MemoryBackend.redis({ address: redis.address, passwordSecret: redis.passwordSecret })),
    llmProviders: [
      LlmProvider.anthropic({ name: 'production-llm', model: 'claude-sonnet-4', credentials: { secretName: 'prod-anthropic-creds' } }),
    ],
    monitoring: {
      metricsPort: 9464,
      serviceMonitor: true,
      metrics: ['memory_usage', 'api_latency'],
      otlpEndpoint: 'http://otel-collector.monitoring:4317',
    },
    networkPolicy: { allowIngressFrom: [{ namespaces: ['default', 'monitoring'], ports: [8080] }] },
    runtimeClassName: 'gvisor',
  });

  return app;
}
