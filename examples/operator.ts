/**
 * The operator example app: the AgentType CRD and the operator (with the
 * agents' namespace), then the six example agents as `AgentType` resources.
 * The operator turns each into the objects the GitOps app synthesizes for
 * the same agent (`AgentPod.fromAgentTypeSpec`), owned by the AgentType.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps, Chart, YamlOutputType } from 'cdk8s';
import { AgentOperator, AgentType, AgentTypeCrd, AgentTypeSpec } from '../src';
import { AGENTS_NAMESPACE, CUSTOM_TOOL, GATEWAY_IMAGE, OPERATOR_IMAGE, agentsNamespace, productionRedis } from './app';

/** The example AgentTypes: name and spec. */
export function exampleAgentTypeSpecs(redisAddress: string): { [name: string]: AgentTypeSpec } {
  const command = ['/usr/local/bin/agent'];
  return {
    'basic-agent': { agent: { container: { image: 'nginx:latest', command: ['nginx', '-g', 'daemon off;'] } } },
    'container-agent': {
      agent: {
        sourceType: 'container',
        container: { image: 'custom-agent:latest', pullPolicy: 'Always', command: ['python', '-m', 'agent'] },
        environment: {
          // The API key is a Secret reference: no secret value is ever written to a manifest.
          variables: [{ name: 'LOG_LEVEL', value: 'debug' }, { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'container-agent-api', key: 'api-key' } } }],
          sdk: { runtime: 'python', version: '3.9', packages: ['requests', 'pandas'] },
        },
      },
    },
    'code-agent': {
      agent: {
        sourceType: 'code',
        code: { source: { sourceType: 'git', repository: 'https://github.com/example/agent', path: '/src' }, runtime: 'python', version: '3.9' },
        environment: { glueCode: { source: '/shared/glue/gluecode.py', content: fs.readFileSync(path.join(__dirname, 'glue', 'gluecode.py'), 'utf-8') } },
      },
    },
    'tooled-agent': {
      agent: { container: { image: 'base-agent:latest', command } },
      tools: {
        required: ['python3'],
        optional: ['kubectl'],
        custom: [CUSTOM_TOOL],
      },
    },
    'full-agent': {
      agent: { sourceType: 'container', container: { image: 'advanced-agent:latest', command } },
      tools: { required: ['python3'] },
      memory: { size: '1Gi', backendType: 'redis', config: { address: 'redis.agents.svc:6379' } },
      llm: {
        providers: [
          { name: 'main-llm', providerType: 'anthropic', credentialsSecret: 'anthropic-credentials', config: { model: 'claude-3' } },
          { name: 'backup-llm', providerType: 'openai', credentialsSecret: 'openai-credentials', config: { model: 'gpt-4o' } },
        ],
      },
    },
    'production-agent': {
      agent: { sourceType: 'container', container: { image: 'production-agent:latest', command }, port: 8080 },
      tools: { required: ['python3'] },
      memory: { size: '2Gi', backendType: 'redis', config: { address: redisAddress, passwordSecret: { name: 'redis-auth', key: 'password' } } },
      llm: { providers: [{ name: 'production-llm', providerType: 'anthropic', credentialsSecret: 'prod-anthropic-creds', config: { model: 'claude-sonnet-4' } }] },
      // Metrics on port 9464 (the default with enabled), scraped through a ServiceMonitor; traces and metrics to the collector.
      monitoring: { enabled: true, metrics: ['memory_usage', 'api_latency'], serviceMonitor: true, otlpEndpoint: 'http://otel-collector.monitoring:4317' },
      // default-deny NetworkPolicy letting these namespaces in on agent.port; a gVisor sandbox.
      security: { networkPolicy: { allowedNamespaces: ['default', 'monitoring'] }, runtimeClassName: 'gvisor' },
      scaling: {
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
    },
  };
}

/** Builds the operator app; `synth()` writes `0000-agent-operator.k8s.yaml` and `0001-agent-types.k8s.yaml`. */
export function buildOperatorApp(props: AppProps = {}): App {
  const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART, ...props });

  // The operator install, with the AgentType CRD (cluster-scoped) and the agents' namespace.
  const operatorChart = new Chart(app, 'agent-operator');
  const crd = new AgentTypeCrd(operatorChart, 'AgentTypeCrd');
  // Declared before the operator: its Role in the watched namespace needs the
  // Namespace first when the file is applied (`kubectl apply -f` keeps the order).
  agentsNamespace(operatorChart);
  new AgentOperator(operatorChart, 'Operator', {
    image: OPERATOR_IMAGE,
    crd,
    watchNamespaces: [AGENTS_NAMESPACE],
    toolSidecarImage: GATEWAY_IMAGE, // the sidecar of the agents with tools or LLM providers
  });

  // Applied after the CRD and namespace: the AgentTypes, and the production agent's Redis.
  const types = new Chart(app, 'agent-types', { namespace: AGENTS_NAMESPACE });
  types.addDependency(operatorChart);
  const redis = productionRedis(types);
  for (const [name, spec] of Object.entries(exampleAgentTypeSpecs(redis.address))) {
    new AgentType(types, name, { metadata: { name }, spec, crd });
  }
  return app;
}
