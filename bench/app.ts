/**
 * The app both benchmarks synthesize: the CRD and the operator, then N full
 * agents (sidecar, SDK, glue code, two LLM providers, Redis), each as an
 * AgentPod and as an AgentType validated against the CRD schema.
 */
import { App, Chart, YamlOutputType } from 'cdk8s';
import {
  AgentEnvironment, AgentOperator, AgentPod, AgentRuntime, AgentSource, AgentType, AgentTypeCrd,
  GlueCode, LlmProvider, MemoryBackend, MemoryProfile, ToolSidecar,
} from '../src';

export function build(agents: number, outdir: string): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const platform = new Chart(app, 'platform');
  const crd = new AgentTypeCrd(platform, 'crd');
  new AgentOperator(platform, 'operator', { image: 'registry.example.com/agent-operator:1.0.0', crd, watchNamespaces: ['agents'] });
  const chart = new Chart(app, 'agents', { namespace: 'agents' });
  for (let i = 0; i < agents; i++) {
    const pod = new AgentPod(chart, `agent-${i}`, {
      source: AgentSource.image(`registry.example.com/agent:${i}`, { command: ['python', '-m', 'agent'] }),
      environment: new AgentEnvironment({
        variables: { LOG_LEVEL: 'info', WORKER_INDEX: String(i) },
        sdk: { runtime: AgentRuntime.PYTHON, version: '3.12', packages: ['httpx', 'pydantic'] },
        glueCode: GlueCode.fromInline('glue.py', `INDEX = ${i}\n`),
      }),
      toolSidecar: new ToolSidecar({ image: 'registry.example.com/tool-manager:0.1.0', required: ['python', 'git'], optional: ['kubectl'] }),
      memory: MemoryProfile.MEDIUM.withBackend(MemoryBackend.redis({ address: 'redis.data.svc:6379' })),
      llmProviders: [
        LlmProvider.anthropic({ name: 'main-llm', model: 'claude-sonnet-4-5', credentials: { secretName: 'anthropic' } }),
        LlmProvider.openai({ name: 'backup-llm', model: 'gpt-4o', credentials: { secretName: 'openai' } }),
      ],
    });
    new AgentType(chart, `type-${i}`, { metadata: { name: `agent-${i}` }, spec: pod.toAgentTypeSpec(), crd });
  }
  return app;
}
