/**
 * Synthesis speed and memory: N full agents (sidecar, SDK, glue code, two LLM
 * providers, Redis) each as an AgentPod and as an AgentType validated against
 * the CRD schema, synthesized to YAML files in a temp folder. (The same app
 * through overlays is measured by bench/overlay.bench.ts.)
 *
 * Run: npx projen bench   (numbers, not a test; results also in bench/results/)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import {
  AgentEnvironment, AgentOperator, AgentPod, AgentRuntime, AgentSource, AgentType, AgentTypeCrd,
  GlueCode, LlmProvider, MemoryBackend, MemoryProfile, ToolSidecar,
} from '../src';

function build(agents: number, outdir: string): App {
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
        LlmProvider.anthropic({ name: 'main-llm', credentials: { secretName: 'anthropic' } }),
        LlmProvider.openai({ name: 'backup-llm', credentials: { secretName: 'openai' } }),
      ],
    });
    new AgentType(chart, `type-${i}`, { metadata: { name: `agent-${i}` }, spec: pod.toAgentTypeSpec(), crd });
  }
  return app;
}

function measure(agents: number): { agents: number; objects: number; ms: number; msPerAgent: number; heapMiB: number; rssMiB: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-bench-'));
  const gc: () => void = (global as any).gc ?? (() => undefined);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  const app = build(agents, outdir);
  app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // Heap still held by the synthesized app (the construct tree), after a full GC.
  gc();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const objects = app.charts.reduce((n, c) => n + c.toJson().length, 0);
  fs.rmSync(outdir, { recursive: true, force: true });
  return { agents, objects, ms: Math.round(ms), msPerAgent: Math.round((ms / agents) * 100) / 100, heapMiB: Math.round(heapMiB), rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) };
}

const sizes = (process.env.BENCH_SIZES ?? '1,10,100,500').split(',').map(Number);
measure(5); // warm-up: module loading, ajv and CEL compilation
const results = sizes.map(measure);
console.log('app.synth():');
console.table(results);
fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
fs.writeFileSync(path.join(__dirname, 'results', 'synth.json'), JSON.stringify({ node: process.version, results }, null, 2));
