/**
 * The public overlay API: props checks, kustomize's order of operations,
 * components, presets on real AgentPods, output files, the kustomize tree
 * (compared with `kubectl kustomize` where kubectl is installed) and
 * nothing-half-written on failure.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import {
  AgentPod, AgentRuntime, AgentSource, AgentType, AgentTypeCrd, AgentTypePreset, CodeSource, EnvironmentPreset, FeaturePreset,
  GeneratorBehavior, MemoryProfile, Overlay, OverlayComponent, Patch, ToolSidecar,
} from '../../src';
import { StoredFiles } from '../../src/overlay/overlay-file';
import { StagedFiles } from '../../src/overlay/staged-files';
import { byId, kustomizeBuild } from '../support/kustomize';
import { container, envOf, errorOf, findObject, podSpec, tmpDir } from '../support/util';

const SIDECAR_IMAGE = 'registry.example.com/agents/tool-manager:0.1.0';

/** Three agents: python code agent with a sidecar, nodejs code agent, image agent. */
function agentsChart(app: App = Testing.app()): Chart {
  const chart = new Chart(app, 'agents', { namespace: 'agents' });
  new AgentPod(chart, 'py', {
    source: AgentSource.code({ source: CodeSource.git({ repository: 'https://github.com/example/py' }), runtime: AgentRuntime.PYTHON, version: '3.12' }),
    toolSidecar: new ToolSidecar({ image: SIDECAR_IMAGE, required: ['git'] }),
  });
  new AgentPod(chart, 'node', {
    source: AgentSource.code({ source: CodeSource.git({ repository: 'https://github.com/example/node' }), runtime: AgentRuntime.NODEJS, version: '20' }),
  });
  new AgentPod(chart, 'img', { source: AgentSource.image('registry.example.com/agents/img:1.0') });
  return chart;
}

function deployment(objects: any[], name: string): any {
  return findObject(objects, 'Deployment', name);
}

/** Files of a directory (recursively) as relative path → content. */
function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf-8');
    }
  };
  walk(dir);
  return out;
}

function loadDir(dir: string): any[] {
  return fs.readdirSync(dir).filter(f => f.endsWith('.k8s.yaml')).sort()
    .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf-8')).map(d => d.toJSON()).filter(o => o));
}

describe('Overlay props', () => {
  test.each([
    [{ name: 'Prod' }, "Overlay 'Prod': name 'Prod' is not a valid RFC 1123 label"],
    [{ name: 'prod', namespaceName: 'Agents' }, "Overlay 'prod': namespaceName 'Agents' is not a valid RFC 1123 label"],
    [{ name: 'prod', namePrefix: 'Prod_' }, "Overlay 'prod': namePrefix 'Prod_' may only hold"],
    [{ name: 'prod', commonLabels: { 'bad key!': 'x' } }, "Overlay 'prod': commonLabels key 'bad key!' is not a valid label key"],
    [{ name: 'prod', commonLabels: { env: 'has space' } }, "Overlay 'prod': commonLabels['env'] 'has space' is not a valid label value"],
    [{ name: 'prod', images: [{ name: 'nginx', digest: 'sha256:abc' }] }, "Overlay 'prod': images['nginx'].digest 'sha256:abc' is not a digest"],
    [{ name: 'prod', images: [{ name: 'nginx' }] }, "Overlay 'prod': images['nginx'] 'nginx' changes nothing"],
    [{ name: 'prod', replicas: [{ name: 'web', count: -1 }] }, "Overlay 'prod': replicas['web'].count '-1' must be an integer >= 0"],
    [{ name: 'prod', configMapGenerator: [{ name: 'cfg' }] }, "Overlay 'prod': configMapGenerator['cfg'] 'cfg' has no data"],
    [{ name: 'prod', configMapGenerator: [{ name: 'cfg', literals: { 'a b': 'x' } }] }, "Overlay 'prod': configMapGenerator 'cfg': key 'a b' is not a valid ConfigMap/Secret key"],
    [{ name: 'prod', configMapGenerator: [{ name: 'cfg', literals: { true: 'x' } }] }, "Overlay 'prod': configMapGenerator 'cfg': key 'true' would be read by YAML as a number, boolean"],
  ])('refuses %j', (props, message) => {
    expect(errorOf(() => new Overlay(props as any))).toContain(message);
  });

  test('a secret generator never takes a credential, and the error does not echo it', () => {
    const key = 'sk-ant-api03-0123456789abcdef';
    const byValue = errorOf(() => new Overlay({ name: 'prod', secretGenerator: [{ name: 's', literals: { user: key } }] }));
    expect(byValue).toContain("Overlay 'prod': secretGenerator 's': the value of key 'user' looks like a credential (not shown)");
    expect(byValue).not.toContain(key);
    const byKey = errorOf(() => new Overlay({ name: 'prod', secretGenerator: [{ name: 's', literals: { 'db-password': 'hunter2' } }] }));
    expect(byKey).toContain("Overlay 'prod': secretGenerator 's': key 'db-password' looks like a credential");
    expect(byKey).not.toContain('hunter2');
    // Non-sensitive Secret data is allowed once the user consents to plain text in the manifests.
    expect(() => new Overlay({ name: 'prod', secretGenerator: [{ name: 's', literals: { username: 'agent' }, plainTextValuesInManifest: true }] })).not.toThrow();
  });

  test('a secretGenerator value is refused without plainTextValuesInManifest, and the flag is not a kustomize field', () => {
    const message = errorOf(() => new Overlay({ name: 'prod', secretGenerator: [{ name: 'db', literals: { admin: 'changeme' } }] }));
    expect(message).toContain("Overlay 'prod': secretGenerator 'db': would write the values of 'admin' in plain text");
    expect(message).not.toContain('changeme');
    const overlay = new Overlay({ name: 'prod' });
    expect(() => overlay.addSecretGenerator({ name: 'db', literals: { admin: 'changeme' } })).toThrow(/plainTextValuesInManifest/);
    expect(overlay.secretGenerators).toEqual([]);
    const key = 'sk-ant-api03-0123456789abcdef';
    const withFlag = errorOf(() => overlay.addSecretGenerator({ name: 'db', literals: { admin: key }, plainTextValuesInManifest: true }));
    expect(withFlag).toContain('looks like a credential (not shown)');
    expect(withFlag).not.toContain(key);
    overlay.addSecretGenerator({ name: 'db', literals: { admin: 'changeme' }, plainTextValuesInManifest: true });
    const dir = tmpDir('overlay-secret-optin-');
    const app = Testing.app();
    agentsChart(app);
    Overlay.synth(app, [overlay], { outdir: dir, kustomizeOutdir: path.join(dir, 'kustomize') });
    const kustomization = fs.readFileSync(path.join(dir, 'kustomize', 'overlays', 'prod', 'kustomization.yaml'), 'utf-8');
    expect(kustomization).toContain('admin=changeme');
    expect(kustomization).not.toContain('plainTextValuesInManifest');
  });

  test('patches: a JSON patch needs operations, a strategic-merge patch needs a target or a name', () => {
    expect(errorOf(() => Patch.json6902({ kind: 'Deployment' }))).toContain("Patch 'json6902': ops '[]' must contain at least one operation");
    expect(errorOf(() => Patch.strategicMerge({ spec: {} }))).toContain("Patch 'strategicMerge': patch '<no kind>/<no name>' has no target");
    expect(errorOf(() => Patch.strategicMerge([] as any))).toContain('must be an object');
  });

  test('components cannot be added twice', () => {
    const c = new OverlayComponent({ name: 'c', commonAnnotations: { a: 'b' } });
    const overlay = new Overlay({ name: 'prod', components: [c] });
    expect(errorOf(() => overlay.addComponent(c))).toContain("Overlay 'prod': components 'c' is already added");
  });

  test('getters return copies', () => {
    const overlay = new Overlay({ name: 'prod', commonLabels: { env: 'prod' }, images: [{ name: 'nginx', newTag: '1' }] });
    overlay.commonLabels.env = 'changed';
    overlay.images[0] = { name: 'x', newTag: '2' };
    expect(overlay.commonLabels).toEqual({ env: 'prod' });
    expect(overlay.images).toEqual([{ name: 'nginx', newTag: '1' }]);
  });
});

describe('Overlay.apply', () => {
  test('leaves its input untouched', () => {
    const manifests = Testing.synth(agentsChart());
    const before = JSON.stringify(manifests);
    new Overlay({ name: 'prod', namePrefix: 'prod-', commonLabels: { env: 'prod' } }).apply(manifests);
    expect(JSON.stringify(manifests)).toBe(before);
  });

  test('patches run before namePrefix (they name objects as the base does), references follow the rename', () => {
    const manifests = Testing.synth(agentsChart());
    const out = new Overlay({
      name: 'prod',
      namePrefix: 'prod-',
      patches: [Patch.strategicMerge({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'img', namespace: 'agents' }, spec: { replicas: 4 } })],
    }).apply(manifests);
    const img = deployment(out, 'prod-img');
    expect(img.spec.replicas).toBe(4);
    expect(podSpec(img).serviceAccountName).toBe('prod-img');
    expect(podSpec(img).volumes.find((v: any) => v.name === 'agent-init').configMap.name).toBe('prod-img-init');
    expect(findObject(out, 'ServiceAccount', 'prod-img')).toBeDefined();
  });

  test('components apply in order: the later one wins', () => {
    const manifests = Testing.synth(agentsChart());
    const out = new Overlay({ name: 'x', components: [FeaturePreset.memorySmall(), FeaturePreset.memoryLarge()] }).apply(manifests);
    const agent = container(deployment(out, 'img'), 'agent');
    expect(agent.resources).toEqual({ requests: { memory: '1Gi', cpu: '500m' }, limits: { memory: '2Gi' } });
    expect(deployment(out, 'img').spec.template.metadata.annotations['agents.cdk8s.io/memory-profile']).toBe('large');
  });

  test('a generated ConfigMap gets the content hash and every reference follows it', () => {
    const manifests = Testing.synth(agentsChart());
    const out = new Overlay({
      name: 'staging',
      components: [EnvironmentPreset.staging({ testData: { 'a.json': '{}' }, testDataNamespace: 'agents' })],
    }).apply(manifests);
    const generated = out.filter(o => o.kind === 'ConfigMap' && o.metadata.name.startsWith('agent-test-data-'));
    expect(generated).toHaveLength(1);
    expect(generated[0].metadata.name).toMatch(/^agent-test-data-[a-z0-9]{10}$/);
    expect(generated[0].metadata.namespace).toBe('agents');
    expect(generated[0].data).toEqual({ 'a.json': '{}' });
    for (const name of ['py', 'node', 'img']) {
      const pod = podSpec(deployment(out, name));
      expect(pod.volumes.find((v: any) => v.name === 'agent-test-data').configMap.name).toBe(generated[0].metadata.name);
      expect(container(deployment(out, name), 'agent').volumeMounts).toContainEqual({ name: 'agent-test-data', mountPath: '/var/run/agent/test-data', readOnly: true });
    }
  });

  test('a patch without a namespace names the object in `default`, as in kustomize', () => {
    const manifests = Testing.synth(agentsChart());
    const overlay = new Overlay({ name: 'prod', patches: [Patch.strategicMerge({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'img' }, spec: { replicas: 2 } })] });
    expect(errorOf(() => overlay.apply(manifests))).toContain("Overlay 'prod': patches[0] (Deployment.apps 'img') matches no object");
  });

  test('a patch that names a missing object fails with the overlay and the patch', () => {
    const manifests = Testing.synth(agentsChart());
    const overlay = new Overlay({ name: 'prod', patches: [Patch.strategicMerge({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ghost' }, spec: { replicas: 2 } })] });
    const message = errorOf(() => overlay.apply(manifests));
    expect(message).toContain("Overlay 'prod'");
    expect(message).toContain('ghost');
  });

  test('a name made too long by namePrefix is refused', () => {
    const manifests = Testing.synth(agentsChart());
    const message = errorOf(() => new Overlay({ name: 'prod', namePrefix: 'x'.repeat(250) + '-' }).apply(manifests));
    expect(message).toMatch(/^Overlay 'prod': \d+ problems in the output:\n  \w+ 'agents\/x+-[a-z-]+': metadata.name 'x+-[a-z-]+' is not a valid RFC 1123 subdomain/);
  });

  test('an AgentType broken by a patch is refused with the schema error', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'types', { namespace: 'agents' });
    new AgentType(chart, 't', { metadata: { name: 't' }, spec: { agent: { name: 't', sourceType: 'container', image: 'nginx:1' } } });
    const overlay = new Overlay({ name: 'prod', patches: [Patch.json6902({ kind: 'AgentType', name: 't' }, JsonPatch.replace('/spec/agent/type', 'banana'))] });
    const message = errorOf(() => overlay.apply(Testing.synth(chart)));
    expect(message).toContain("Overlay 'prod': AgentType 'agents/t': breaks the AgentType schema after the overlay: ");
  });

  test('replicas on a workload its HorizontalPodAutoscaler manages are refused', () => {
    const chart = new Chart(Testing.app(), 'agents', { namespace: 'agents' });
    new AgentPod(chart, 'other', { source: AgentSource.image('registry.example.com/agents/other:1.0') });
    new AgentPod(chart, 'scaled', { source: AgentSource.image('registry.example.com/agents/scaled:1.0'), scaling: { minReplicas: 2, maxReplicas: 4 } });
    const manifests = Testing.synth(chart);
    const hpas = manifests.filter(m => m.kind === 'HorizontalPodAutoscaler');
    expect(hpas).toHaveLength(1);
    const hpa = hpas[0];
    const target = hpa.spec.scaleTargetRef.name;
    const other = manifests.find(m => m.kind === 'Deployment' && m.metadata.name !== target).metadata.name;
    expect(() => new Overlay({ name: 'prod', replicas: [{ name: other, count: 3 }] }).apply(manifests)).not.toThrow();
    expect(errorOf(() => new Overlay({ name: 'prod', replicas: [{ name: target, count: 3 }] }).apply(manifests)))
      .toBe(`Overlay 'prod': Deployment 'agents/${target}': spec.replicas '3' is set, but HorizontalPodAutoscaler '${hpa.metadata.name}' `
        + 'manages its replicas: remove the replicas entry or patch');
  });

  test('baseFiles of an app without charts is empty, after the app\'s validations', () => {
    const app = Testing.app();
    expect(Overlay.baseFiles(app)).toEqual([]);
    app.node.addValidation({ validate: () => ['broken'] });
    expect(errorOf(() => Overlay.baseFiles(app))).toContain('broken');
  });

  /** A chart with the CRD of `group` and one valid AgentType of it. */
  function customGroupApp(group: string): { app: App; chart: Chart } {
    const app = Testing.app();
    const chart = new Chart(app, 'types', { namespace: 'agents' });
    const crd = new AgentTypeCrd(chart, 'crd', { group });
    new AgentType(chart, 't', { crd, metadata: { name: 't' }, spec: { agent: { name: 't', sourceType: 'container', image: 'nginx:1' } } });
    return { app, chart };
  }

  // A patch without a namespace names an object in `default` (kustomize), so it names the namespace.
  const mongoPatch = (apiVersion: string) => Patch.strategicMerge({
    apiVersion, kind: 'AgentType', metadata: { name: 't', namespace: 'agents' }, spec: { memory: { type: 'mongo' } },
  });

  test('an AgentType of the group of any AgentTypeCrd in the input is checked against the schema', () => {
    const { chart } = customGroupApp('ai.mycorp.io');
    const message = errorOf(() => new Overlay({ name: 'prod', patches: [mongoPatch('ai.mycorp.io/v1')] }).apply(Testing.synth(chart)));
    expect(message).toBe("Overlay 'prod': AgentType 'agents/t': breaks the AgentType schema after the overlay: "
      + "spec.memory.type 'mongo' must be one of: redis, inmemory");
  });

  test('Overlay.synth checks the AgentTypes of the app\'s AgentTypeCrd groups and writes nothing', () => {
    const { app } = customGroupApp('ai.mycorp.io');
    const out = tmpDir('overlay-custom-group-');
    const overlay = new Overlay({ name: 'prod', patches: [mongoPatch('ai.mycorp.io/v1')] });
    expect(errorOf(() => Overlay.synth(app, [overlay], { outdir: out })))
      .toMatch(/^Overlay 'prod': AgentType 'agents\/t': breaks the AgentType schema after the overlay: spec\.memory\.type 'mongo' must be one of: redis, inmemory/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('AgentTypes of a CRD with a schema of its own are not this library\'s and are left as they are', () => {
    const chart = new Chart(Testing.app(), 'other', { namespace: 'agents' });
    new ApiObject(chart, 'crd', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'agenttypes.other.example.org' },
      spec: {
        group: 'other.example.org',
        names: { kind: 'AgentType', plural: 'agenttypes' },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    });
    new ApiObject(chart, 't', { apiVersion: 'other.example.org/v1', kind: 'AgentType', metadata: { name: 't' }, spec: { anything: 1 } });
    const out = new Overlay({ name: 'prod', patches: [mongoPatch('other.example.org/v1')] }).apply(Testing.synth(chart));
    expect(findObject(out, 'AgentType', 't').spec).toEqual({ anything: 1, memory: { type: 'mongo' } });
  });
});

describe('presets on AgentPods', () => {
  const manifests = Testing.synth(agentsChart());

  test('dev: one replica, debug env, small resources, in-pod memory; sidecar debug tools only where there is a sidecar', () => {
    const out = new Overlay({ name: 'dev', components: [EnvironmentPreset.dev()] }).apply(manifests);
    for (const name of ['py', 'node', 'img']) {
      const d = deployment(out, name);
      expect(d.spec.replicas).toBe(1);
      expect(d.metadata.labels['agents.cdk8s.io/environment']).toBe('dev');
      expect(d.spec.template.metadata.labels['agents.cdk8s.io/environment']).toBe('dev');
      expect(d.spec.selector.matchLabels['agents.cdk8s.io/environment']).toBeUndefined();
      const env = envOf(container(d, 'agent'));
      expect(env).toMatchObject({ AGENT_LOG_LEVEL: 'debug', AGENT_DEBUG: 'true', AGENT_MEMORY_BACKEND: 'inmemory' });
      expect(container(d, 'agent').resources).toEqual({ requests: { memory: '256Mi', cpu: '100m' }, limits: { memory: '512Mi' } });
    }
    expect(envOf(container(deployment(out, 'py'), 'tool-manager'))).toMatchObject({ TOOL_MANAGER_DEBUG_TOOLS: 'enabled' });
    // No container is added to agents without a sidecar.
    expect(podSpec(deployment(out, 'node')).containers.map((c: any) => c.name)).toEqual(['agent']);
    expect(podSpec(deployment(out, 'img')).containers.map((c: any) => c.name)).toEqual(['agent']);
    // Every object carries the environment label, not only Deployments.
    expect(out.every(o => o.metadata.labels?.['agents.cdk8s.io/environment'] === 'dev')).toBe(true);
  });

  test('prod: replicas, spread over nodes and zones, rolling update without loss, image pull Always', () => {
    const out = new Overlay({ name: 'prod', components: [EnvironmentPreset.prod({ replicas: 3, requireImageDigests: false })] }).apply(manifests);
    const d = deployment(out, 'py');
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const spread = podSpec(d).topologySpreadConstraints;
    expect(spread.map((s: any) => s.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    // Each rollout of each agent on its own; a key in matchLabelKeys is not in
    // the labelSelector too (the API server refuses that).
    expect(spread[0].matchLabelKeys).toEqual(['pod-template-hash']);
    expect(spread[0].labelSelector).toEqual({ matchExpressions: [{ key: 'app.kubernetes.io/instance', operator: 'Exists' }] });
    expect(podSpec(d).enableServiceLinks).toBe(false);
    expect(container(d, 'agent').imagePullPolicy).toBe('Always');
    expect(container(d, 'tool-manager').imagePullPolicy).not.toBe('Always');
  });

  test('agent types apply by runtime: python presets to python agents, nodejs presets to nodejs agents', () => {
    const out = new Overlay({ name: 'x', components: [AgentTypePreset.pythonWebService(), AgentTypePreset.nodejsWorker()] }).apply(manifests);
    const py = container(deployment(out, 'py'), 'agent');
    expect(py.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(envOf(py)).toMatchObject({ AGENT_HTTP_PORT: '8080', PYTHONUNBUFFERED: '1', WEB_CONCURRENCY: '2' });
    expect(py.resources.requests.cpu).toBe('250m');
    expect(py.resources.requests.memory).toBe('256Mi'); // merged, not replaced
    const node = deployment(out, 'node');
    expect(node.spec.strategy).toEqual({ type: 'Recreate' });
    expect(podSpec(node).terminationGracePeriodSeconds).toBe(300);
    expect(envOf(container(node, 'agent'))).toMatchObject({ NODE_ENV: 'production', AGENT_WORKER_CONCURRENCY: '4' });
    // The image agent has no runtime label: untouched.
    expect(deployment(out, 'img')).toEqual(deployment(manifests, 'img'));
  });

  test('data-science and batch-processor python presets', () => {
    const ds = new Overlay({ name: 'x', components: [AgentTypePreset.pythonDataScience()] }).apply(manifests);
    const agent = container(deployment(ds, 'py'), 'agent');
    expect(agent.resources).toEqual({ requests: { memory: '256Mi', cpu: '1' }, limits: { memory: '512Mi', cpu: '4' } });
    expect(envOf(agent)).toMatchObject({ OMP_NUM_THREADS: '4', MPLCONFIGDIR: '/tmp/matplotlib' });
    const batch = new Overlay({ name: 'x', components: [AgentTypePreset.pythonBatchProcessor()] }).apply(manifests);
    expect(deployment(batch, 'py').spec.strategy).toEqual({ type: 'Recreate' });
    expect(podSpec(deployment(batch, 'py')).terminationGracePeriodSeconds).toBe(600);
    expect(deployment(batch, 'node')).toEqual(deployment(manifests, 'node'));
  });

  test('custom templates: own runtime, env, cpu, port and patches; checked props', () => {
    const custom = AgentTypePreset.custom({
      name: 'node-crawler',
      runtime: AgentRuntime.NODEJS,
      env: { CRAWL_DEPTH: '3' },
      cpuLimit: '2',
      httpPort: 9090,
      patches: [Patch.strategicMerge({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'node', namespace: 'agents' }, automountServiceAccountToken: false })],
    });
    const out = new Overlay({ name: 'x', components: [custom] }).apply(manifests);
    const agent = container(deployment(out, 'node'), 'agent');
    expect(envOf(agent)).toMatchObject({ CRAWL_DEPTH: '3', AGENT_HTTP_PORT: '9090' });
    expect(agent.resources.limits).toEqual({ memory: '512Mi', cpu: '2' });
    expect(deployment(out, 'py')).toEqual(deployment(manifests, 'py'));
    expect(errorOf(() => AgentTypePreset.custom({ name: 'x', cpuRequest: 'lots' }))).toContain("AgentTypePreset 'x': cpuRequest 'lots' is not a Kubernetes quantity");
    expect(errorOf(() => AgentTypePreset.custom({ name: 'x', httpPort: 70000 }))).toContain("AgentTypePreset 'x': httpPort '70000' is not a port number");
  });

  test('feature presets: memory from MemoryProfile values, tool sets and API settings on the sidecar only', () => {
    const out = new Overlay({
      name: 'x',
      components: [FeaturePreset.memoryMedium(), FeaturePreset.toolsComplete(), FeaturePreset.apisProduction()],
    }).apply(manifests);
    const py = deployment(out, 'py');
    const medium = MemoryProfile.MEDIUM;
    expect(container(py, 'agent').resources).toEqual({ requests: { memory: medium.agent.request, cpu: medium.agent.cpuRequest }, limits: { memory: medium.agent.limit } });
    expect(container(py, 'agent-init').resources.limits.memory).toBe(medium.init.limit);
    expect(container(py, 'tool-manager').resources.limits.memory).toBe(medium.sidecar.limit);
    expect(envOf(container(py, 'tool-manager'))).toMatchObject({ TOOL_MANAGER_TOOL_SET: 'complete', LITELLM_LOG: 'ERROR' });
    const tools = out.find((o: any) => o.kind === 'ConfigMap' && o.metadata.name === 'py-tools');
    expect(tools.data['gateway-settings.yaml']).toContain('num_retries: 3\n  request_timeout: 60\n');
    expect(envOf(container(py, 'agent')).TOOL_MANAGER_TOOL_SET).toBeUndefined();
    expect(podSpec(deployment(out, 'img')).containers).toHaveLength(1);
  });

  test('prod requires digest-pinned images, names each unpinned one, and counts pins made by `images`', () => {
    const message = errorOf(() => new Overlay({ name: 'prod', components: [EnvironmentPreset.prod()] }).apply(manifests));
    expect(message).toContain("Overlay 'prod': images break the image policy:");
    expect(message).toContain("Deployment 'agents/img': container 'agent' image 'registry.example.com/agents/img:1.0' is not pinned to a digest (add @sha256:...)");
    expect(message).toContain("Deployment 'agents/py': container 'tool-manager' image 'registry.example.com/agents/tool-manager:0.1.0' is not pinned");
    const digest = (c: string) => 'sha256:' + c.repeat(64);
    const pinned = new Overlay({
      name: 'prod',
      components: [EnvironmentPreset.prod()],
      images: [
        { name: 'registry.example.com/agents/img', digest: digest('a') },
        { name: 'registry.example.com/agents/tool-manager', digest: digest('b') },
        { name: 'python', digest: digest('c') },
        { name: 'node', digest: digest('d') },
        { name: 'busybox', digest: digest('e') },
      ],
    }).apply(manifests);
    expect(container(deployment(pinned, 'img'), 'agent').image).toBe(`registry.example.com/agents/img@${digest('a')}`);
  });

  test('a user target narrows a preset', () => {
    const out = new Overlay({ name: 'x', components: [FeaturePreset.memoryLarge({ target: { name: 'img' } })] }).apply(manifests);
    expect(container(deployment(out, 'img'), 'agent').resources.limits.memory).toBe('2Gi');
    expect(container(deployment(out, 'py'), 'agent').resources.limits.memory).toBe('512Mi');
  });
});

describe('Overlay.synth', () => {
  function build(): App {
    const app = Testing.app();
    agentsChart(app);
    return app;
  }

  function overlays(): Overlay[] {
    return [
      new Overlay({ name: 'dev', components: [EnvironmentPreset.dev(), FeaturePreset.toolsComplete()] }),
      new Overlay({
        name: 'prod',
        namespaceName: 'agents-prod',
        namePrefix: 'prod-',
        commonLabels: { team: 'platform' },
        components: [EnvironmentPreset.prod({ requireImageDigests: false }), AgentTypePreset.pythonWebService(), FeaturePreset.memoryLarge()],
        images: [{ name: 'registry.example.com/agents/img', newTag: '2.0' }],
        replicas: [{ name: 'node', count: 5 }],
        configMapGenerator: [{ name: 'agent-flags', literals: { FEATURE_X: 'on' }, files: { 'notes.txt': 'line 1\nline 2\n' } }],
        patches: [Patch.json6902({ kind: 'Deployment', name: 'img' }, JsonPatch.add('/spec/template/spec/priorityClassName', 'agents-high'))],
      }),
    ];
  }

  test('one folder per environment, and a kustomize tree that builds to the same objects', () => {
    const out = tmpDir('overlay-synth-');
    const tree = path.join(out, 'kustomize');
    Overlay.synth(build(), overlays(), { outdir: out, kustomizeOutdir: tree });

    expect(fs.readdirSync(path.join(out, 'dev')).sort()).toEqual(['0000-agents.k8s.yaml']);
    expect(fs.readdirSync(path.join(out, 'prod')).sort()).toEqual(['0000-agents.k8s.yaml', 'generated.k8s.yaml']);
    const files = readTree(tree);
    expect(Object.keys(files).sort()).toEqual(expect.arrayContaining([
      'base/kustomization.yaml', 'base/0000-agents.k8s.yaml',
      'components/environment-dev/kustomization.yaml', 'components/environment-prod/kustomization.yaml',
      'components/python-web-service/kustomization.yaml', 'components/memory-large/kustomization.yaml',
      'components/tools-complete/kustomization.yaml',
      'overlays/dev/kustomization.yaml', 'overlays/prod/kustomization.yaml',
      'overlays/prod/configmap-agent-flags/notes.txt',
    ]));
    const prodK = parseAllDocuments(files['overlays/prod/kustomization.yaml'])[0].toJSON();
    expect(prodK).toMatchObject({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['../../base', 'disruption-budgets.yaml'],
      components: ['../../components/environment-prod', '../../components/python-web-service', '../../components/memory-large'],
      namespace: 'agents-prod',
      namePrefix: 'prod-',
      commonLabels: { team: 'platform' },
      images: [{ name: 'registry.example.com/agents/img', newTag: '2.0' }],
      replicas: [{ name: 'node', count: 5 }],
      configMapGenerator: [{ name: 'agent-flags', literals: ['FEATURE_X=on'], files: ['notes.txt=configmap-agent-flags/notes.txt'] }],
    });
    expect(parseAllDocuments(files['components/memory-large/kustomization.yaml'])[0].toJSON()).toMatchObject({
      apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component',
    });

    // What the overlay output must hold, kubectl or not.
    const prod = loadDir(path.join(out, 'prod'));
    const flags = prod.find(o => o.kind === 'ConfigMap' && o.metadata.name.startsWith('prod-agent-flags-'));
    expect(flags.metadata.namespace).toBe('agents-prod');
    expect(flags.data).toEqual({ 'FEATURE_X': 'on', 'notes.txt': 'line 1\nline 2\n' });
    const node = deployment(prod, 'prod-node');
    expect(node.spec.replicas).toBe(5);
    // prod raises the agents' replicas: each gets the PodDisruptionBudget the construct gives >1 replica.
    expect(prod.find(o => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'prod-node').spec)
      .toEqual({ maxUnavailable: 1, selector: { matchLabels: node.spec.selector.matchLabels } });
    expect(node.spec.selector.matchLabels.team).toBe('platform');
    expect(node.metadata.namespace).toBe('agents-prod');
    expect(container(deployment(prod, 'prod-img'), 'agent').image).toBe('registry.example.com/agents/img:2.0');
    expect(podSpec(deployment(prod, 'prod-img')).priorityClassName).toBe('agents-high');
    expect(container(deployment(prod, 'prod-py'), 'agent').ports[0].containerPort).toBe(8080);

    for (const env of ['dev', 'prod']) {
      const kubectl = kustomizeBuild(tree, `overlays/${env}`);
      if (kubectl) expect(byId(kubectl)).toEqual(byId(loadDir(path.join(out, env))));
    }
  });

  test('kustomization.yaml writes kustomize\'s field order, whatever order the fields of a struct arrive in', () => {
    // jsii's Go runtime sends a struct as a map, so its fields arrive sorted by
    // name (digest before name, count before name); the tree must not change with it.
    const out = tmpDir('overlay-field-order-');
    const tree = path.join(out, 'kustomize');
    const overlay = new Overlay({
      name: 'prod',
      images: [{ digest: `sha256:${'1'.repeat(64)}`, newTag: '2.0', newName: 'registry.example.com/agents/img2', name: 'registry.example.com/agents/img' }],
      replicas: [{ count: 2, name: 'node' }],
      patches: [Patch.json6902({ name: 'img', kind: 'Deployment', group: 'apps' }, JsonPatch.add('/spec/paused', true))],
      generatorOptions: { immutable: true, disableNameSuffixHash: true, labels: { team: 'platform' } },
      configMapGenerator: [{ name: 'flags', literals: { X: 'on' }, options: { immutable: true, annotations: { a: 'b' } } }],
    });
    Overlay.synth(build(), [overlay], { outdir: out, kustomizeOutdir: tree });
    const k = parseAllDocuments(fs.readFileSync(path.join(tree, 'overlays', 'prod', 'kustomization.yaml'), 'utf-8'))[0].toJSON();
    expect(Object.keys(k.images[0])).toEqual(['name', 'newName', 'newTag', 'digest']);
    expect(Object.keys(k.replicas[0])).toEqual(['name', 'count']);
    expect(Object.entries(k.patches[0].target)).toEqual([['group', 'apps'], ['kind', 'Deployment'], ['name', 'img']]);
    expect(Object.keys(k.generatorOptions)).toEqual(['labels', 'disableNameSuffixHash', 'immutable']);
    expect(Object.keys(k.configMapGenerator[0].options)).toEqual(['annotations', 'immutable']);
    // The values are the ones given.
    expect(k.images[0]).toEqual({ name: 'registry.example.com/agents/img', newName: 'registry.example.com/agents/img2', newTag: '2.0', digest: `sha256:${'1'.repeat(64)}` });
    expect(k.replicas[0]).toEqual({ name: 'node', count: 2 });
    expect(k.generatorOptions).toEqual({ labels: { team: 'platform' }, disableNameSuffixHash: true, immutable: true });
    const kubectl = kustomizeBuild(tree, 'overlays/prod');
    if (kubectl) expect(byId(kubectl)).toEqual(byId(loadDir(path.join(out, 'prod'))));
  });

  test('the files are the same whatever order the keys are given in (jsii hands Java and Go structs and maps over in their own order)', () => {
    // Java's jsii structs arrive in their own field order (ReplicaOverride as count, name), and a
    // Java Map.of or a Go map has no order: the same app must write the same bytes.
    const reversed = <T>(value: T): T => (Array.isArray(value) ? value.map(reversed)
      : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]))
        : value) as T;
    const write = (order: <T>(value: T) => T): Record<string, string> => {
      const out = tmpDir('overlay-key-order-');
      const overlay = new Overlay({
        name: 'prod',
        ...order({
          commonLabels: { team: 'platform', env: 'prod' },
          commonAnnotations: { 'owner.example.com/team': 'platform', 'docs.example.com/url': 'https://docs.example.com' },
          labels: [{ pairs: { tier: 'agents', app: 'agents' }, includeTemplates: true }],
          images: [{ name: 'registry.example.com/agents/img', newName: 'registry.example.com/mirror/img', newTag: '2.0' }],
          replicas: [{ name: 'node', count: 5 }],
          configMapGenerator: [{ name: 'agent-flags', literals: { B: '2', A: '1' }, options: { labels: { z: '1', a: '2' }, disableNameSuffixHash: true } }],
          generatorOptions: { labels: { zone: 'west', app: 'agents' }, immutable: true },
        }),
        patches: [
          Patch.strategicMerge(order({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'img', namespace: 'agents' },
            spec: { template: { spec: { terminationGracePeriodSeconds: 90, priorityClassName: 'agents-high' } } },
          })),
          Patch.json6902(order({ kind: 'Deployment', name: 'node', namespaceName: 'agents' }), JsonPatch.replace('/spec/replicas', 6)),
        ],
      });
      Overlay.synth(build(), [overlay], { outdir: out, kustomizeOutdir: path.join(out, 'kustomize') });
      return readTree(out);
    };
    const asWritten = write(value => value);
    expect(write(reversed)).toEqual(asWritten);
    const kustomization = asWritten['kustomize/overlays/prod/kustomization.yaml'];
    // Structs in kustomize's field order, maps sorted.
    expect(kustomization).toContain('commonLabels:\n  env: prod\n  team: platform\n');
    expect(kustomization).toContain('images:\n  - name: registry.example.com/agents/img\n    newName: registry.example.com/mirror/img\n    newTag: "2.0"\n');
    expect(kustomization).toContain('replicas:\n  - name: node\n    count: 5\n');
    expect(kustomization).toContain('target:\n      kind: Deployment\n      name: node\n      namespace: agents\n');
    expect(kustomization).toContain('literals:\n      - A=1\n      - B=2\n');
    expect(kustomization).toContain('generatorOptions:\n  labels:\n    app: agents\n    zone: west\n  immutable: true\n');
    expect(asWritten['kustomize/overlays/prod/patches/01-img.yaml']).toBe([
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: img', '  namespace: agents',
      'spec:', '  template:', '    spec:', '      priorityClassName: agents-high', '      terminationGracePeriodSeconds: 90', '',
    ].join('\n'));
  });

  test('a failing overlay writes nothing, not even the overlays before it', () => {
    const out = tmpDir('overlay-fail-');
    const bad = new Overlay({ name: 'zz', replicas: [{ name: 'ghost', count: 1 }], patches: [Patch.strategicMerge({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ghost' } })] });
    expect(() => Overlay.synth(build(), [...overlays(), bad], { outdir: out, kustomizeOutdir: path.join(out, 'kustomize') })).toThrow(/Overlay 'zz'/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('two overlays with one name, or two different components with one name, are refused', () => {
    const out = tmpDir('overlay-dup-');
    expect(errorOf(() => Overlay.synth(build(), [new Overlay({ name: 'a' }), new Overlay({ name: 'a' })], { outdir: out })))
      .toContain("Overlay 'a': name 'a' is used by two overlays");
    const one = new Overlay({ name: 'a', components: [FeaturePreset.memorySmall({ name: 'mem' })] });
    const two = new Overlay({ name: 'b', components: [FeaturePreset.memoryLarge({ name: 'mem' })] });
    expect(errorOf(() => Overlay.synth(build(), [one, two], { outdir: out, kustomizeOutdir: path.join(out, 'k') })))
      .toContain("OverlayComponent 'mem': name 'mem' is used by Overlay 'b' for a component that differs");
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('stale manifests of an earlier synth are removed', () => {
    const out = tmpDir('overlay-stale-');
    fs.mkdirSync(path.join(out, 'dev'));
    fs.writeFileSync(path.join(out, 'dev', '0009-old.k8s.yaml'), 'kind: ConfigMap\n');
    fs.writeFileSync(path.join(out, 'dev', 'README.md'), 'mine');
    Overlay.synth(build(), [new Overlay({ name: 'dev' })], { outdir: out });
    expect(fs.readdirSync(path.join(out, 'dev')).sort()).toEqual(['0000-agents.k8s.yaml', 'README.md']);
  });

  test('each folder and the tree\'s base hold what applyToFiles and baseFiles give (the base is kept as text between overlays)', () => {
    const out = tmpDir('overlay-same-');
    const app = build();
    Overlay.synth(app, overlays(), { outdir: out, kustomizeOutdir: path.join(out, 'kustomize') });
    const base = Overlay.baseFiles(app);
    const docs = (file: string) => parseAllDocuments(fs.readFileSync(file, 'utf-8')).map(d => d.toJSON());
    expect(docs(path.join(out, 'kustomize', 'base', base[0].fileName))).toEqual(base[0].objects);
    for (const overlay of overlays()) {
      const expected = overlay.applyToFiles(base);
      expect(fs.readdirSync(path.join(out, overlay.name)).sort()).toEqual(expected.map(f => f.fileName).sort());
      for (const file of expected) expect(docs(path.join(out, overlay.name, file.fileName))).toEqual(file.objects);
    }
  });

  test('stored files load new objects each time, equal to the stored ones', () => {
    const files = [{ fileName: 'a.k8s.yaml', objects: [{ kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } }] }];
    const staged = new StagedFiles();
    try {
      const stored = new StoredFiles(files, staged, 'base');
      const first = stored.load();
      expect(first).toEqual(files);
      first[0].objects[0].data.k = 'changed';
      expect(stored.load()).toEqual(files);
      expect(stored.fileNames).toEqual(['a.k8s.yaml']);
    } finally {
      staged.discard();
    }
  });

  test('stored files read back objects that span read chunks, line breaks and non-ASCII text', () => {
    // About 3 MiB of JSON lines: objects cross the 1 MiB read chunks, and a
    // multi-byte character may be cut by a chunk's end.
    const objects = Array.from({ length: 3000 }, (_, i) => ({
      kind: 'ConfigMap',
      metadata: { name: `cm-${i}` },
      data: { script: `#!/bin/sh\necho 'größe ✓ ${i}'\n`.repeat(i % 7 + 1), pad: 'é'.repeat(i % 1000) },
    }));
    const staged = new StagedFiles();
    try {
      const stored = new StoredFiles([{ fileName: 'a.k8s.yaml', objects }, { fileName: 'empty.k8s.yaml', objects: [] }], staged, 'base');
      expect(stored.load()).toEqual([{ fileName: 'a.k8s.yaml', objects }, { fileName: 'empty.k8s.yaml', objects: [] }]);
    } finally {
      staged.discard();
    }
  });

  test('baseFiles names chart files as cdk8s synth does, in dependency order', () => {
    const app = Testing.app();
    const later = new Chart(app, 'later');
    const first = new Chart(app, 'first');
    later.addDependency(first);
    new ApiObject(first, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    new ApiObject(later, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    expect(Overlay.baseFiles(app).map(f => f.fileName)).toEqual(['0000-first.k8s.yaml', '0001-later.k8s.yaml']);
  });

  test('generator behavior merge changes a base ConfigMap in place (no hash on base objects)', () => {
    const manifests = Testing.synth(agentsChart());
    const out = new Overlay({ name: 'x', configMapGenerator: [{ name: 'py-tools', namespaceName: 'agents', behavior: GeneratorBehavior.MERGE, literals: { extra: '1' } }] }).apply(manifests);
    const cm = findObject(out, 'ConfigMap', 'py-tools');
    expect(cm.data.extra).toBe('1');
    expect(Object.keys(cm.data)).toEqual(expect.arrayContaining(['tools.json', 'extra']));
  });
});

// ---------------------------------------------------------------------------
// No secret leaves synth (overlays and presets)
// ---------------------------------------------------------------------------

describe('no secret leaves synth', () => {
  const OPENAI = 'sk-proj-AbCdEf0123456789_xyzQRSTuvw';

  test('AgentTypePreset.custom refuses a credential env var as AgentEnvironment does', () => {
    const byName = errorOf(() => AgentTypePreset.custom({ name: 'go-crawler', env: { OPENAI_API_KEY: 'hunter2hunter2' } }));
    expect(byName).toContain("AgentTypePreset 'go-crawler': env['OPENAI_API_KEY'] is named like a credential and holds a literal value");
    expect(byName).not.toContain('hunter2');
    const byValue = errorOf(() => AgentTypePreset.custom({ name: 'go-crawler', env: { LLM_HEADER: `Bearer ${OPENAI}` } }));
    expect(byValue).toContain("env['LLM_HEADER'] holds what looks like a credential (an OpenAI key)");
    expect(byValue).not.toContain(OPENAI);
    expect(() => AgentTypePreset.custom({ name: 'go-crawler', env: { MAX_TOKENS: '1000', GOMAXPROCS: '2' } })).not.toThrow();
  });

  test('the staging preset refuses an otlpEndpoint with a key', () => {
    const message = errorOf(() => EnvironmentPreset.staging({ otlpEndpoint: 'https://otlp.example.com:4318/v1/traces?api_key=abc123' }));
    expect(message).toContain("EnvironmentPreset 'environment-staging': otlpEndpoint holds what looks like a credential");
    expect(message).not.toContain('abc123');
    expect(() => EnvironmentPreset.staging({ otlpEndpoint: 'https://user:hunter2hunter2@otlp.example.com' })).toThrow(/user-info/);
  });

  test('commonAnnotations, commonLabels and generator options are screened', () => {
    const annotations = errorOf(() => new Overlay({ name: 'prod', commonAnnotations: { 'example.com/llm-key': OPENAI } }));
    expect(annotations).toContain("Overlay 'prod': commonAnnotations['example.com/llm-key'] holds what looks like a credential (an OpenAI key)");
    expect(annotations).not.toContain(OPENAI);
    const named = errorOf(() => new OverlayComponent({ name: 'c', commonAnnotations: { 'example.com/api-token': 'hunter2hunter2' } }));
    expect(named).toContain("commonAnnotations['example.com/api-token'] is named like a credential and holds a literal value");
    expect(named).not.toContain('hunter2');
    expect(errorOf(() => new Overlay({ name: 'prod', commonLabels: { owner: 'AKIAIOSFODNN7EXAMPLE' } }))).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(() => new Overlay({ name: 'prod', commonAnnotations: { 'example.com/docs': 'https://docs.example.com/agents?page=2' } })).not.toThrow();
  });

  test('patches carrying a credential are refused without repeating it', () => {
    const env = (value: string) => ({ kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'agent', env: [{ name: 'OPENAI_API_KEY', value }] }] } } } });
    const merge = errorOf(() => Patch.strategicMerge(env('hunter2hunter2')));
    expect(merge).toContain("Patch 'strategicMerge': patch.spec.template.spec.containers[0].env[0].value (of 'OPENAI_API_KEY') is named like a credential");
    expect(merge).not.toContain('hunter2');
    const json = errorOf(() => Patch.json6902({ kind: 'Deployment' }, JsonPatch.add('/metadata/annotations/note', `Bearer ${OPENAI}`)));
    expect(json).toContain("Patch 'json6902': ops[0].value holds what looks like a credential (an OpenAI key)");
    expect(json).not.toContain(OPENAI);
    expect(() => Patch.strategicMerge(env('$(FROM_SECRET)'))).not.toThrow();
  });

  test('overlay, component and preset names that look like keys are never repeated', () => {
    const key = 'AKIAIOSFODNN7EXAMPLE';
    for (const make of [
      () => new Overlay({ name: key }),
      () => new OverlayComponent({ name: key }),
      () => EnvironmentPreset.dev({ name: key }),
      () => AgentTypePreset.custom({ name: key }),
      () => new Overlay({ name: 'prod', namePrefix: `${key}-` }),
      // An engine error at apply time (the name is quoted twice, once in kustomize's words).
      () => new Overlay({ name: 'prod', replicas: [{ name: key, count: 2 }] }).apply(Testing.synth(agentsChart())),
    ]) {
      const message = errorOf(make);
      expect(message).toContain('<redacted: an AWS access key id>');
      expect(message).not.toContain(key);
    }
  });
});
