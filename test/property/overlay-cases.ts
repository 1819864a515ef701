/**
 * Generated overlays over a small generated base app: the Overlay family of
 * property 1 (`buildOverlayCase`) and the cases of property 2, which compares
 * `Overlay.applyToFiles` with `kubectl kustomize` on the tree `Overlay.synth`
 * writes.
 */
import { App, Chart, JsonPatch } from 'cdk8s';
import fc from 'fast-check';
import {
  adversarialString, annotationValue, dnsLabel, field, labelKey, labels, name, opt, password, plainValue,
  secretish, smallCount, smallMap,
} from './arbitraries';
import {
  AgentPod, AgentSource, AgentTypePreset, EnvironmentPreset, FeaturePreset, GeneratorBehavior, LlmProvider, Overlay, OverlayComponent,
  Patch, ToolSidecar,
} from '../../src';

/** A few valid agents: the base the overlays transform. */
export const baseCase = fc.uniqueArray(fc.record({
  id: dnsLabel,
  image: fc.constantFrom('nginx:1.27', 'registry.example.com/agents/web:1.0', 'registry.example.com/agents/img'),
  port: opt(fc.constantFrom(8080, 3000)),
  sidecar: fc.boolean(),
  replicas: opt(fc.integer({ min: 0, max: 3 })),
  runtime: fc.constantFrom('python', 'nodejs'),
}), { selector: p => p.id, minLength: 1, maxLength: 3 });
export type BaseCase = typeof baseCase extends fc.Arbitrary<infer T> ? T : never;

export function buildBase(app: App, base: BaseCase): void {
  const chart = new Chart(app, 'agents');
  for (const p of base) {
    new AgentPod(chart, p.id, {
      source: AgentSource.image(p.image),
      port: p.port,
      replicas: p.replicas,
      labels: { 'agents.cdk8s.io/runtime-hint': p.runtime },
      toolSidecar: p.sidecar ? new ToolSidecar({ image: 'registry.example.com/agents/tool-manager:0.1.0' }) : undefined,
      llmProviders: p.sidecar ? [LlmProvider.anthropic({ model: 'claude-sonnet-4-5', credentials: { secretName: 'anthropic-credentials' } })] : undefined,
    });
  }
}

/** An object name of the base mostly (`names`), sometimes one that is not there. */
const objectName = (names: string[]) => fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: fc.oneof(fc.constant('ghost'), dnsLabel) });
const target = (names: string[]) => fc.record({
  group: opt(fc.constantFrom('apps', '')),
  version: opt(fc.constantFrom('v1')),
  kind: opt(fc.constantFrom('Deployment', 'ConfigMap', 'Service', 'ServiceAccount')),
  name: opt(objectName(names)),
  labelSelector: opt(fc.constantFrom('app.kubernetes.io/managed-by=cdk8s-agents', 'team=agents', 'team in (a,b)')),
});
const smpBody = (n: string) => fc.oneof(
  fc.constant({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: n }, spec: { replicas: 2 } }),
  fc.record({
    apiVersion: fc.constant('apps/v1'),
    kind: fc.constant('Deployment'),
    metadata: fc.constant({ name: n }),
    spec: fc.record({ template: fc.record({ spec: fc.record({ containers: fc.constant([{ name: 'agent', env: [{ name: 'PATCHED', value: 'yes' }] }]) }) }) }),
  }),
  fc.record({ apiVersion: fc.constant('apps/v1'), kind: fc.constant('Deployment'), metadata: fc.record({ name: fc.constant(n), labels: labels }) }),
  fc.record({ apiVersion: fc.constant('apps/v1'), kind: fc.constant('Deployment'), metadata: fc.record({ name: fc.constant(n), annotations: smallMap(fc.constantFrom('note', 'api-token'), annotationValue) }) }),
  fc.constant({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: n, labels: null } }),
  fc.constant({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: n }, spec: { template: { metadata: { annotations: {} } } } }),
  fc.constant({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: n }, automountServiceAccountToken: false }),
);
const jsonOp = fc.oneof(
  fc.record({
    op: fc.constant('add'),
    path: fc.constantFrom('/metadata/annotations/note', '/spec/template/spec/priorityClassName',
      '/metadata/labels/extra', '/spec/template/metadata/annotations/x', '/spec/template/spec/containers/0/env/-'),
    value: fc.oneof(plainValue, secretish),
  }),
  fc.record({ op: fc.constant('replace'), path: fc.constantFrom('/spec/replicas', '/metadata/name'), value: fc.oneof(fc.integer({ min: 0, max: 4 }), dnsLabel) }),
  fc.record({ op: fc.constant('remove'), path: fc.constantFrom('/metadata/labels/team', '/spec/template/spec/securityContext') }),
);
const patchCase = (names: string[]) => fc.oneof(
  fc.record({ type: fc.constant('smp' as const), name: objectName(names), target: opt(target(names)) }).chain(p => smpBody(p.name).map(body => ({ ...p, body }))),
  fc.record({ type: fc.constant('json' as const), target: target(names), ops: fc.array(jsonOp, { minLength: 1, maxLength: 2 }) }),
);

const imageOverride = fc.record({
  name: fc.constantFrom('nginx', 'registry.example.com/agents/web', 'registry.example.com/agents/img', 'registry.example.com/agents/tool-manager', 'busybox'),
  newName: opt(field(fc.constantFrom('mirror.example.com/nginx', 'registry.example.com/agents/web2'),
    fc.oneof(adversarialString, fc.constant(`mirror.example.com/x@sha256:${'b'.repeat(64)}`)))),
  newTag: opt(field(fc.constantFrom('1.28', 'v2', 'latest'), adversarialString)),
  digest: opt(field(fc.constant(`sha256:${'c'.repeat(64)}`), fc.constantFrom('sha256:abc', 'md5:x'))),
});
const generator = fc.record({
  name: field(fc.constantFrom('flags', 'agent-config'), adversarialString),
  namespaceName: opt(name),
  behavior: opt(fc.constantFrom(GeneratorBehavior.CREATE, GeneratorBehavior.MERGE, GeneratorBehavior.REPLACE)),
  literals: opt(smallMap(field(fc.constantFrom('FEATURE_X', 'mode', 'API_TOKEN'), adversarialString), fc.oneof(plainValue, password, secretish))),
  files: opt(smallMap(field(fc.constantFrom('notes.txt', 'app.json', 'a.cfg'), fc.constantFrom('../x', 'a b', 'x/y.txt')), plainValue, 2)),
  options: opt(fc.record({ labels: opt(labels), disableNameSuffixHash: opt(fc.boolean()), immutable: opt(fc.boolean()) })),
}, { requiredKeys: ['name'] });

const kustomizationProps = (names: string[]) => ({
  namespaceName: opt(name),
  namePrefix: opt(field(fc.constantFrom('prod-', 'a.', 'x-'), adversarialString)),
  nameSuffix: opt(field(fc.constantFrom('-v2', '-blue'), adversarialString)),
  commonLabels: opt(labels),
  labels: opt(fc.array(fc.record({ pairs: labels, includeSelectors: opt(fc.boolean()), includeTemplates: opt(fc.boolean()) }), { maxLength: 2 })),
  commonAnnotations: opt(smallMap(field(fc.constantFrom('note', 'example.com/owner', 'api-token'), labelKey), annotationValue)),
  images: opt(fc.array(imageOverride, { maxLength: 2 })),
  replicas: opt(fc.array(fc.record({ name: objectName(names), count: smallCount(5) }), { maxLength: 2 })),
  patches: opt(fc.array(patchCase(names), { maxLength: 2 })),
  configMapGenerator: opt(fc.array(generator, { maxLength: 2 })),
});

const presetCase = fc.oneof(
  fc.record({ preset: fc.constantFrom('dev', 'prod', 'python-web', 'nodejs-worker', 'memory-large', 'tools-minimal', 'apis-production') }),
  fc.record({
    preset: fc.constant('staging'),
    otlpEndpoint: opt(field(fc.constant('http://otel.observability:4317'), secretish)),
    testData: opt(smallMap(fc.constantFrom('a.json', 'b.txt'), plainValue, 2)),
  }),
  fc.record({
    preset: fc.constant('custom'),
    name: name,
    env: opt(smallMap(fc.constantFrom('MODE', 'OPENAI_API_KEY'), fc.oneof(plainValue, secretish))),
    cpuRequest: opt(fc.constantFrom('100m', 'lots')),
    httpPort: opt(fc.constantFrom(8080, 0)),
    recreate: opt(fc.boolean()),
  }),
);
const componentCase = (names: string[]) => fc.oneof(
  presetCase,
  fc.record({ preset: fc.constant('own'), name: name, ...kustomizationProps(names) }, { requiredKeys: ['preset', 'name'] }),
);

/** The props of one overlay over a base whose object names are `names`. */
export const overlayPropsCase = (names: string[]) => fc.record({
  name: field(dnsLabel, adversarialString),
  ...kustomizationProps(names),
  components: opt(fc.array(componentCase(names), { maxLength: 2 })),
}, { requiredKeys: ['name'] });
export type OverlayPropsCase = ReturnType<typeof overlayPropsCase> extends fc.Arbitrary<infer T> ? T : never;

/** The names of the base's Deployments, ConfigMaps and ServiceAccounts (agent, `<agent>-init`, `<agent>-tools`). */
function namesOf(base: BaseCase): string[] {
  return base.flatMap(p => [p.id, `${p.id}-init`, ...(p.sidecar ? [`${p.id}-tools`] : [])]);
}

function toPatch(p: any): Patch {
  if (p.type === 'smp') return Patch.strategicMerge(p.body, { target: p.target });
  return Patch.json6902(p.target, ...p.ops.map((o: any) => (o.op === 'remove' ? JsonPatch.remove(o.path)
    : o.op === 'replace' ? JsonPatch.replace(o.path, o.value) : JsonPatch.add(o.path, o.value))));
}

function kustomizationOf(c: any): any {
  return { ...c, patches: c.patches?.map(toPatch) };
}

function toComponent(c: any): OverlayComponent {
  switch (c.preset) {
    case 'dev': return EnvironmentPreset.dev();
    case 'prod': return EnvironmentPreset.prod({ requireImageDigests: false });
    case 'staging': return EnvironmentPreset.staging({ otlpEndpoint: c.otlpEndpoint, testData: c.testData });
    case 'python-web': return AgentTypePreset.pythonWebService();
    case 'nodejs-worker': return AgentTypePreset.nodejsWorker();
    case 'memory-large': return FeaturePreset.memoryLarge();
    case 'tools-minimal': return FeaturePreset.toolsMinimal();
    case 'apis-production': return FeaturePreset.apisProduction();
    case 'custom': return AgentTypePreset.custom({ name: c.name, env: c.env, cpuRequest: c.cpuRequest, httpPort: c.httpPort, recreate: c.recreate });
    default: {
      const { preset, ...props } = c;
      return new OverlayComponent(kustomizationOf(props));
    }
  }
}

/** The Overlay of a case (throws its construction errors). */
export function toOverlay(c: OverlayPropsCase): Overlay {
  return new Overlay({ ...kustomizationOf(c), components: c.components?.map(toComponent) });
}

/** Property 1, Overlay family: a base app and one overlay applied to it. */
export const overlayCase = baseCase.chain(base => fc.record({ base: fc.constant(base), overlay: overlayPropsCase(namesOf(base)) }));

export function buildOverlayCase(app: App, c: { base: BaseCase; overlay: OverlayPropsCase }): any[] {
  buildBase(app, c.base);
  return toOverlay(c.overlay).applyToFiles(Overlay.baseFiles(app)).flatMap(f => f.objects);
}

/** Property 2: a base app and several overlays of one synth (names made unique). */
export const kustomizeCase = baseCase
  .chain(base => fc.record({ base: fc.constant(base), overlays: fc.array(overlayPropsCase(namesOf(base)), { minLength: 1, maxLength: 4 }) }))
  .map(c => ({ ...c, overlays: c.overlays.map((o, i) => ({ ...o, name: `${typeof o.name === 'string' ? o.name.slice(0, 40) : o.name}-${i}` })) }));
export type KustomizeCase = typeof kustomizeCase extends fc.Arbitrary<infer T> ? T : never;


