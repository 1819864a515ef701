/**
 * Synthesis speed and memory: N full agents (sidecar, SDK, glue code, two LLM
 * providers, Redis) each as an AgentPod and as an AgentType validated against
 * the CRD schema, synthesized to YAML files in a temp folder; then the same
 * app through three overlays (dev, staging, prod built from presets, with a
 * generator, images, replicas and a namePrefix) written as dist/<env>/ plus
 * the kustomize tree.
 *
 * Run: npx projen bench   (numbers, not a test; results also in bench/results/)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import {
  AgentEnvironment, AgentOperator, AgentPod, AgentRuntime, AgentSource, AgentType, AgentTypeCrd,
  AgentTypePreset, EnvironmentPreset, FeaturePreset, GlueCode, LlmProvider, MemoryBackend, MemoryProfile, Overlay,
  ToolSidecar,
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
  return {
    agents,
    objects,
    ms: Math.round(ms),
    msPerAgent: Math.round((ms / agents) * 100) / 100,
    heapMiB: Math.round(heapMiB),
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}

function overlays(): Overlay[] {
  return [
    new Overlay({ name: 'dev', components: [EnvironmentPreset.dev(), FeaturePreset.toolsComplete(), FeaturePreset.apisDevelopment()] }),
    new Overlay({
      name: 'staging',
      components: [
        EnvironmentPreset.staging({ testData: { 'scenarios.json': '[]' }, testDataNamespace: 'agents' }),
        AgentTypePreset.pythonDataScience(), FeaturePreset.memoryMedium(),
      ],
    }),
    new Overlay({
      name: 'prod',
      namePrefix: 'prod-',
      components: [EnvironmentPreset.prod(), AgentTypePreset.pythonWebService(), FeaturePreset.memoryLarge(), FeaturePreset.apisProduction()],
      // prod requires digests (EnvironmentPreset.prod): pin every image of the app.
      images: [
        { name: 'registry.example.com/tool-manager', newTag: '0.2.0', digest: `sha256:${'a'.repeat(64)}` },
        ...['registry.example.com/agent', 'registry.example.com/agent-operator', 'python', 'busybox']
          .map((name, i) => ({ name, digest: `sha256:${String(i).repeat(64)}` })),
      ],
      replicas: [{ name: 'agent-0', count: 3 }],
    }),
  ];
}

interface OverlayResult {
  agents: number;
  objectsPerEnv: number;
  ms: number;
  msPerAgentPerEnv: number;
  heapMiB: number;
  rssMiB: number;
}

/** The same app through the three overlays, with the kustomize tree. */
function measureOverlays(agents: number): OverlayResult {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-agents-bench-'));
  const gc: () => void = (global as any).gc ?? (() => undefined);
  const app = build(agents, outdir);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  Overlay.synth(app, overlays(), { kustomizeOutdir: path.join(outdir, 'kustomize') });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  gc();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const objectsPerEnv = fs.readdirSync(path.join(outdir, 'prod'))
    .reduce((n, f) => n + fs.readFileSync(path.join(outdir, 'prod', f), 'utf-8').split(/^---$/m).length, 0);
  fs.rmSync(outdir, { recursive: true, force: true });
  return {
    agents,
    objectsPerEnv,
    ms: Math.round(ms),
    msPerAgentPerEnv: Math.round((ms / agents / 3) * 100) / 100,
    heapMiB: Math.round(heapMiB),
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}

const sizes = (process.env.BENCH_SIZES ?? '1,10,100,500').split(',').map(Number);
measure(5); // warm-up: module loading, ajv and CEL compilation
const results = sizes.map(measure);
console.log('app.synth():');
console.table(results);
measureOverlays(5); // warm-up
const overlayResults = sizes.map(measureOverlays);
console.log('Overlay.synth() with dev, staging and prod (synth of the base included) and the kustomize tree:');
console.table(overlayResults);
fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
fs.writeFileSync(path.join(__dirname, 'results', 'synth.json'), JSON.stringify({ node: process.version, results, overlayResults }, null, 2));
