/**
 * The examples' dev, staging and prod overlays, written exactly as
 * `npx projen synth` writes them (examples/main.ts), checked with tools we
 * did not write: kubernetes-models for every object of every environment,
 * and `kubectl kustomize` on the
 * written kustomize tree (where kubectl is installed; the targeted
 * expectations below run either way).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { GATEWAY_IMAGE } from '../../examples/app';
import { buildGitOpsApp } from '../../examples/gitops';
import { buildEnvironmentOverlays } from '../../examples/overlays';
import { ImagePolicy, Overlay } from '../../src';
import { byId, kustomizeBuild } from '../support/kustomize';
import { restrictedViolations } from '../support/pod-security-standards';
import { container, envOf, findObject, modelClass, podSpec, tmpDir } from '../support/util';

const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const AGENTS = ['basic-agent', 'container-agent', 'code-agent', 'tooled-agent', 'full-agent', 'production-agent'];

let outdir: string;
let tree: string;
const output: Record<string, any[]> = {};
let base: any[];

function load(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf-8')).map(d => d.toJSON()).filter(o => o);
}

beforeAll(() => {
  outdir = tmpDir('cdk8s-agents-overlays-');
  tree = path.join(outdir, 'kustomize');
  const app = buildGitOpsApp({ outdir });
  Overlay.synth(app, buildEnvironmentOverlays(), { kustomizeOutdir: tree });
  for (const env of ENVIRONMENTS) {
    const dir = path.join(outdir, env);
    output[env] = fs.readdirSync(dir).sort().flatMap(f => load(path.join(dir, f)));
  }
  base = Overlay.baseFiles(buildGitOpsApp({ outdir })).flatMap(f => f.objects);
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

const deployment = (env: string, name: string) => findObject(output[env], 'Deployment', name);

test('one folder per environment, with the chart files of the app, and the kustomize tree beside them', () => {
  expect(fs.readdirSync(outdir).sort()).toEqual(['dev', 'kustomize', 'prod', 'staging']);
  expect(fs.readdirSync(path.join(outdir, 'dev')).sort()).toEqual(['0000-agents-namespace.k8s.yaml', '0001-agents.k8s.yaml']);
  expect(fs.readdirSync(path.join(outdir, 'staging')).sort()).toEqual(['0000-agents-namespace.k8s.yaml', '0001-agents.k8s.yaml', 'generated.k8s.yaml']);
  expect(fs.readdirSync(path.join(tree, 'overlays')).sort()).toEqual(ENVIRONMENTS.slice().sort());
  expect(load(path.join(tree, 'base', 'kustomization.yaml'))[0].resources)
    .toEqual(['0000-agents-namespace.k8s.yaml', '0001-agents.k8s.yaml']);
  // Every environment has every object of the base; staging adds its test data, prod the
  // PodDisruptionBudgets of the five agents it raises to 2 replicas.
  const added: Record<string, number> = { dev: 0, staging: 1, prod: 5 };
  // The GitOps app has no operator and no AgentType.
  expect(base.filter(o => o.kind === 'AgentType' || o.metadata.name === 'agent-operator')).toEqual([]);
  for (const env of ENVIRONMENTS) {
    expect(output[env].length).toBe(base.length + added[env]);
  }
});

test.each(ENVIRONMENTS)('%s: kubectl kustomize on the written tree gives the same objects', (env) => {
  const built = kustomizeBuild(tree, `overlays/${env}`);
  if (built) expect(byId(built)).toEqual(byId(output[env]));
  // Either way: the same identities as the base (the example overlays do not rename), and in
  // prod a PodDisruptionBudget for every workload with more than one replica.
  const ids = Object.keys(byId(output[env])).filter(k => !k.includes('agent-test-data-'));
  const budgets = env === 'prod'
    ? AGENTS.filter(a => a !== 'production-agent').map(a => `policy/v1/PodDisruptionBudget/agents/${a}`)
    : [];
  expect(ids.sort()).toEqual([...Object.keys(byId(base)), ...budgets].sort());
});

test('prod: every workload with more than one replica has a PodDisruptionBudget selecting its pods', () => {
  const budgets = output.prod.filter(o => o.kind === 'PodDisruptionBudget');
  const workloads = output.prod.filter(o => o.kind === 'Deployment' && o.spec.replicas !== undefined);
  expect(workloads.length).toBeGreaterThan(0);
  for (const w of workloads) {
    expect(w.spec.replicas).toBeGreaterThanOrEqual(2);
    const budget = budgets.find(b => b.metadata.name === w.metadata.name && b.metadata.namespace === w.metadata.namespace);
    expect(budget.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: w.spec.selector.matchLabels } });
    expect(budget.metadata.labels['agents.cdk8s.io/environment']).toBe('prod');
  }
  // dev keeps one replica and adds none.
  expect(output.dev.filter(o => o.kind === 'PodDisruptionBudget').map(b => b.metadata.name)).toEqual(['production-agent']);
});

test.each(ENVIRONMENTS)('%s: every object is valid for kubernetes-models', (env) => {
  for (const m of output[env]) {
    const Cls = modelClass(m);
    expect(`${m.apiVersion}/${m.kind}: ${Cls ? 'model' : 'NO MODEL'}`).toBe(`${m.apiVersion}/${m.kind}: model`);
    expect(() => new Cls(m).validate()).not.toThrow();
  }
});

test.each(ENVIRONMENTS)('%s: the environment label is on every object and pod template, never in a selector', (env) => {
  for (const m of output[env]) expect(`${m.kind}/${m.metadata.name}: ${m.metadata.labels?.['agents.cdk8s.io/environment']}`).toBe(`${m.kind}/${m.metadata.name}: ${env}`);
  for (const name of AGENTS) {
    const d = deployment(env, name);
    expect(d.spec.template.metadata.labels['agents.cdk8s.io/environment']).toBe(env);
    expect(d.spec.selector).toEqual(findObject(base, 'Deployment', name).spec.selector);
  }
});

test.each(ENVIRONMENTS)('%s: no secret value lands in a manifest', (env) => {
  expect(output[env].filter(m => m.kind === 'Secret')).toEqual([]);
  expect(JSON.stringify(output[env])).not.toMatch(/secret-key|sk-[A-Za-z0-9]/);
  for (const name of ['full-agent', 'production-agent']) {
    const sidecar = container(deployment(env, name), 'tool-manager');
    expect(sidecar.env.find((e: any) => e.name === 'ANTHROPIC_API_KEY').valueFrom.secretKeyRef).toBeDefined();
  }
});

test('dev: one replica, debug, small, in-pod memory, every tool, development APIs, the base gateway image', () => {
  for (const name of AGENTS) {
    const d = deployment('dev', name);
    // The autoscaled production-agent keeps its HPA and has no replicas in any environment.
    expect(d.spec.replicas).toBe(name === 'production-agent' ? undefined : 1);
    expect(envOf(container(d, 'agent'))).toMatchObject({ AGENT_LOG_LEVEL: 'debug', AGENT_MEMORY_BACKEND: 'inmemory' });
    expect(container(d, 'agent').resources.limits.memory).toBe('512Mi');
  }
  const tooled = container(deployment('dev', 'tooled-agent'), 'tool-manager');
  expect(tooled.image).toBe(GATEWAY_IMAGE);
  expect(envOf(tooled)).toMatchObject({ TOOL_MANAGER_TOOL_SET: 'complete', TOOL_MANAGER_DEBUG_TOOLS: 'enabled', LITELLM_LOG: 'INFO' });
  // apisDevelopment: the gateway's settings file replaced (no retry, 120 s), and the pods told so.
  const settings = parseAllDocuments(findObject(output.dev, 'ConfigMap', 'tooled-agent-tools').data['gateway-settings.yaml'])[0].toJS();
  expect(settings.litellm_settings).toMatchObject({ num_retries: 0, request_timeout: 120 });
  expect(deployment('dev', 'tooled-agent').spec.template.metadata.annotations['agents.cdk8s.io/llm-gateway-settings']).toBe('development');
  expect(findObject(output.dev, 'HorizontalPodAutoscaler', 'production-agent').spec.minReplicas).toBe(2);
});

test.each(ENVIRONMENTS)('%s: HPA-managed workloads have no replicas', (env) => {
  const hpas = output[env].filter(m => m.kind === 'HorizontalPodAutoscaler');
  expect(hpas.length).toBeGreaterThan(0);
  for (const hpa of hpas) {
    const target = findObject(output[env], hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
    expect(`${target.kind}/${target.metadata.name} replicas=${target.spec.replicas}`).toBe(`${target.kind}/${target.metadata.name} replicas=undefined`);
  }
});

test.each(ENVIRONMENTS)('%s: every pod meets the Pod Security Standards restricted profile', (env) => {
  const workloads = output[env].filter(m => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'].includes(m.kind));
  expect(workloads.map(w => w.kind).sort()).toEqual(expect.arrayContaining(['Deployment', 'StatefulSet']));
  for (const w of workloads) expect([`${w.kind}/${w.metadata.name}`, restrictedViolations(w)]).toEqual([`${w.kind}/${w.metadata.name}`, []]);
});

test('staging: OpenTelemetry, test data mounted from a hashed ConfigMap, data-science sizing for python agents', () => {
  const data = output.staging.filter(m => m.kind === 'ConfigMap' && m.metadata.name.startsWith('agent-test-data-'));
  expect(data).toHaveLength(1);
  expect(data[0].metadata.namespace).toBe('agents');
  for (const name of AGENTS) {
    const d = deployment('staging', name);
    const env = envOf(container(d, 'agent'));
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector.monitoring:4317');
    expect(env.OTEL_SERVICE_NAME).toEqual({ valueFrom: { fieldRef: { fieldPath: "metadata.labels['app.kubernetes.io/name']" } } });
    expect(podSpec(d).volumes.find((v: any) => v.name === 'agent-test-data').configMap.name).toBe(data[0].metadata.name);
    expect(d.metadata.annotations['agents.cdk8s.io/release-channel']).toBe('staging');
  }
  // python agents (code-agent, by its runtime label) get data-science CPU; others do not.
  expect(container(deployment('staging', 'code-agent'), 'agent').resources.limits.cpu).toBe('4');
  for (const name of ['basic-agent', 'container-agent']) expect(container(deployment('staging', name), 'agent').resources.limits.cpu).toBeUndefined();
});

test('prod: HA, python web-service, large memory, pinned images, replicas and the overlay\'s own patches', () => {
  const production = deployment('prod', 'production-agent');
  expect(production.spec.replicas).toBeUndefined(); // its HPA owns the count, the preset leaves it alone
  expect(deployment('prod', 'full-agent').spec.replicas).toBe(3); // the replicas field wins over the preset's 2
  expect(podSpec(production).terminationGracePeriodSeconds).toBe(90);
  expect(deployment('prod', 'basic-agent').spec.replicas).toBe(2);
  expect(container(deployment('prod', 'basic-agent'), 'agent').image).toMatch(/^registry\.example\.com\/mirror\/nginx:1\.27\.3@sha256:[a-f0-9]{64}$/);
  expect(container(production, 'tool-manager').image).toMatch(/^registry\.example\.com\/mirror\/litellm@sha256:[a-f0-9]{64}$/);
  // EnvironmentPreset.prod() requires digests: every image of prod is pinned, none of dev is.
  const images = (env: string) => ImagePolicy.imagesOf(output[env]).map(u => u.image);
  expect(images('prod').filter(i => !/@sha256:[a-f0-9]{64}$/.test(i))).toEqual([]);
  expect(images('dev').filter(i => i.includes('@sha256:'))).toEqual([]);
  expect(container(deployment('prod', 'code-agent'), 'agent').ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  expect(container(deployment('prod', 'basic-agent'), 'agent').ports).toBeUndefined();
  expect(container(production, 'agent').resources.limits.memory).toBe('2Gi');
  expect(findObject(output.prod, 'HorizontalPodAutoscaler', 'production-agent').spec.maxReplicas).toBe(10);
  expect(findObject(base, 'HorizontalPodAutoscaler', 'production-agent').spec.maxReplicas).toBe(5);
});

test('the kustomization files of the tree', () => {
  const prod = load(path.join(tree, 'overlays', 'prod', 'kustomization.yaml'))[0];
  expect(prod.resources).toEqual(['../../base', 'disruption-budgets.yaml']);
  expect(load(path.join(tree, 'overlays', 'prod', 'disruption-budgets.yaml')).map(b => b.metadata.name))
    .toEqual(['basic-agent', 'container-agent', 'code-agent', 'tooled-agent', 'full-agent']);
  const staging = load(path.join(tree, 'components', 'environment-staging', 'kustomization.yaml'))[0];
  expect(staging.configMapGenerator[0].files).toEqual(['scenarios.json=configmap-agent-test-data_agents/scenarios.json']);
  expect(prod.components).toEqual([
    '../../components/environment-prod', '../../components/python-web-service', '../../components/memory-large',
    '../../components/tools-minimal', '../../components/apis-production',
  ]);
  expect(prod.patches.map((p: any) => p.path)).toEqual(['patches/01-production-agent.yaml', 'patches/02-production-agent.yaml']);
  expect(load(path.join(tree, 'overlays', 'prod', 'patches', '01-production-agent.yaml'))[0])
    .toEqual([{ op: 'replace', path: '/spec/maxReplicas', value: 10 }]);
  const envProd = load(path.join(tree, 'components', 'environment-prod', 'kustomization.yaml'))[0];
  expect(envProd.kind).toBe('Component');
  expect(envProd.labels).toEqual([{ pairs: { 'agents.cdk8s.io/environment': 'prod' }, includeTemplates: true }]);
  // Replicas only on agents without an HPA; the rest on every agent.
  expect(envProd.patches[0].target).toEqual({ kind: 'Deployment', labelSelector: 'app.kubernetes.io/component=agent,!agents.cdk8s.io/autoscaled' });
  expect(envProd.patches[1].target).toEqual({ kind: 'Deployment', labelSelector: 'app.kubernetes.io/component=agent' });
  const kustomizations = Object.fromEntries(['overlays/dev', 'overlays/staging', 'overlays/prod', 'components/environment-staging']
    .map(dir => [dir, fs.readFileSync(path.join(tree, dir, 'kustomization.yaml'), 'utf-8')]));
  expect(kustomizations).toMatchSnapshot();
});
