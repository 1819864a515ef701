/**
 * The example app: the AgentType CRD, the operator install and six example
 * agents (basic, container, code, tooled, full, production), each both as an
 * `AgentType` resource and as an `AgentPod` workload.
 *
 * Image names under `registry.example.com` are placeholders for your own
 * images; `nginx:latest` and friends are public images.
 */
import * as path from 'path';
import { App, AppProps, Chart, YamlOutputType } from 'cdk8s';
import { ImagePullPolicy } from 'cdk8s-plus-28';
import {
  AgentEnvironment, AgentNamespace, AgentOperator, AgentPod, AgentRuntime, AgentSource, AgentType, AgentTypeCrd, AgentTypeSpec,
  CodeSource, GlueCode, LlmProvider, MemoryBackend, MemoryProfile, ToolSidecar,
} from '../src';

/** Namespace of the example agents. */
export const AGENTS_NAMESPACE = 'agents';
/** The tool-manager image name, without its tag (the overlays change the tag). */
export const TOOL_MANAGER_IMAGE_NAME = 'registry.example.com/agents/tool-manager';
const TOOL_MANAGER_IMAGE = `${TOOL_MANAGER_IMAGE_NAME}:0.1.0`;
const OPERATOR_IMAGE = 'registry.example.com/agents/agent-operator:0.1.0';

/** Builds the example app; `synth()` writes one YAML file per chart. */
export function buildExamplesApp(props: AppProps = {}): App {
  const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART, ...props });

  // The operator install, with the AgentType CRD (cluster-scoped).
  const operatorChart = new Chart(app, 'agent-operator');
  const crd = new AgentTypeCrd(operatorChart, 'AgentTypeCrd');
  new AgentOperator(operatorChart, 'Operator', {
    image: OPERATOR_IMAGE,
    crd,
    watchNamespaces: [AGENTS_NAMESPACE],
  });

  // The agents' namespace: Pod Security Admission `restricted`, a quota and default limits.
  new AgentNamespace(operatorChart, 'AgentsNamespace', {
    name: AGENTS_NAMESPACE,
    quota: { requestsCpu: '16', requestsMemory: '32Gi', limitsMemory: '64Gi', pods: 100, persistentVolumeClaims: 10 },
    limits: { defaultRequestCpu: '100m', defaultRequestMemory: '256Mi', defaultLimitMemory: '512Mi', maxMemory: '8Gi' },
  });

  // Applied after the operator chart (namespace and CRD first): the files are numbered in that order.
  const workloads = new Chart(app, 'agents', { namespace: AGENTS_NAMESPACE });
  workloads.addDependency(operatorChart);
  const resources = new Chart(app, 'agent-types', { namespace: AGENTS_NAMESPACE });
  resources.addDependency(operatorChart);

  /** Declares one agent twice: as a workload, and as an AgentType resource with the same spec. */
  const declare = (pod: AgentPod, extra: Pick<AgentTypeSpec, 'monitoring' | 'security' | 'scaling'> = {}) => {
    new AgentType(resources, pod.agentName, {
      metadata: { name: pod.agentName },
      spec: { ...pod.toAgentTypeSpec(), ...extra },
      crd,
    });
  };

  // basic-agent: a plain image (nginx:latest), agent name web-agent.
  declare(new AgentPod(workloads, 'basic-agent', {
    source: AgentSource.image('nginx:latest', { command: ['nginx', '-g', 'daemon off;'] }),
  }));

  // container-agent with environment variables and a python SDK. Its API
  // key is a Secret reference:
  // no secret value is ever written to a manifest.
  const containerEnv = new AgentEnvironment({
    variables: { LOG_LEVEL: 'debug' },
    sdk: { runtime: AgentRuntime.PYTHON, version: '3.9', packages: ['requests', 'pandas'] },
  });
  containerEnv.addSecretVariable('API_KEY', { name: 'container-agent-api', key: 'api-key' });
  declare(new AgentPod(workloads, 'container-agent', {
    source: AgentSource.image('custom-agent:latest', { pullPolicy: ImagePullPolicy.ALWAYS, command: ['python', '-m', 'agent'] }),
    environment: containerEnv,
    // An image agent says its runtime itself, so python presets apply to it too.
    labels: { [AgentPod.RUNTIME_LABEL]: AgentRuntime.PYTHON },
  }));

  // code-agent from git, python 3.9, with glue code.
  declare(new AgentPod(workloads, 'code-agent', {
    source: AgentSource.code({
      source: CodeSource.git({ repository: 'https://github.com/example/agent', path: '/src' }),
      runtime: AgentRuntime.PYTHON,
      version: '3.9',
    }),
    environment: new AgentEnvironment({ glueCode: GlueCode.fromFile(path.join(__dirname, 'glue', 'gluecode.py')) }),
  }));

  // tooled-agent with the tool-manager sidecar.
  declare(new AgentPod(workloads, 'tooled-agent', {
    source: AgentSource.image('base-agent:latest', { command: ['/usr/local/bin/agent'] }),
    toolSidecar: new ToolSidecar({
      image: TOOL_MANAGER_IMAGE,
      required: ['python', 'git'],
      optional: ['kubectl'],
      custom: [{ name: 'custom-tool', version: '1.0', source: 'https://example.com/tools/custom-tool' }],
    }),
  }));

  // full-agent with a Redis memory backend and two LLM providers (main, then fallback).
  declare(new AgentPod(workloads, 'full-agent', {
    source: AgentSource.image('advanced-agent:latest', { command: ['/usr/local/bin/agent'] }),
    toolSidecar: new ToolSidecar({ image: TOOL_MANAGER_IMAGE, required: ['python'] }),
    memory: MemoryProfile.fromSize('1Gi', MemoryBackend.redis({ address: 'redis.agents.svc:6379' })),
    llmProviders: [
      LlmProvider.anthropic({ name: 'main-llm', model: 'claude-3', credentials: { secretName: 'anthropic-credentials' } }),
      LlmProvider.openai({ name: 'backup-llm', credentials: { secretName: 'openai-credentials' } }),
    ],
  }));

  // production-agent, with the production settings: autoscaling
  // (no replicas on the Deployment), PDB and spread, probes and shutdown
  // hooks, metrics with a ServiceMonitor and OpenTelemetry, a sandboxed
  // runtime, a default-deny NetworkPolicy, and a Redis the app deploys.
  // Its memory: 2Gi, on a Redis the app deploys (PVC of the profile's size).
  const memory = MemoryProfile.fromSize('2Gi').withDeployedRedis(workloads, 'agent-memory', {
    namespace: AGENTS_NAMESPACE,
    passwordSecret: { name: 'redis-auth', key: 'password' },
  });
  declare(new AgentPod(workloads, 'production-agent', {
    source: AgentSource.image('production-agent:latest', { command: ['/usr/local/bin/agent'] }),
    namespace: AGENTS_NAMESPACE,
    scaling: { minReplicas: 2, maxReplicas: 5, cpuUtilization: 80 },
    port: 8080,
    toolSidecar: new ToolSidecar({ image: TOOL_MANAGER_IMAGE, required: ['python'] }),
    memory,
    llmProviders: [
      LlmProvider.anthropic({ name: 'production-llm', model: 'claude-sonnet-4', credentials: { secretName: 'prod-anthropic-creds' } }),
    ],
    monitoring: { metricsPort: 9464, serviceMonitor: true, otlpEndpoint: 'http://otel-collector.monitoring:4317' },
    networkPolicy: { allowIngressFrom: [{ namespaces: ['default', 'monitoring'], ports: [8080] }] },
    runtimeClassName: 'gvisor',
    shutdown: { gracePeriodSeconds: 60, preStopDelaySeconds: 5 },
  }), {
    monitoring: { enabled: true, metrics: ['memory_usage', 'api_latency'] },
    security: { networkPolicy: { allowedNamespaces: ['default', 'monitoring'] } },
    scaling: {
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    },
  });

  return app;
}
