/**
 * The one final output check (src/core/manifest-check.ts): one case per rule,
 * then where it runs: `app.synth()` of an app with the library's constructs
 * and `Overlay.synth`, each writing nothing on failure; and no false
 * positive on what the examples and the benchmark app synthesize.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Testing, YamlOutputType } from 'cdk8s';
import { build as buildBenchApp } from '../../bench/app';
import { buildGitOpsApp } from '../../examples/gitops';
import { buildOperatorApp } from '../../examples/operator';
import { buildEnvironmentOverlays } from '../../examples/overlays';
import { AgentPod, AgentSource, Overlay, Patch } from '../../src';
import { checkManifests, manifestProblems } from '../../src/core/manifest-check';
import { errorOf, tmpDir } from '../support/util';

/** A valid Deployment `agents/web` with two containers, limits and a named port. */
function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'agents', labels: { app: 'web' }, annotations: { 'example.com/note': 'x' } },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', tier: 'front' } },
        spec: {
          initContainers: [{ name: 'init', image: 'busybox:1' }],
          containers: [
            { name: 'web', image: 'nginx:1', ports: [{ name: 'http', containerPort: 80 }], env: [{ name: 'LOG_LEVEL', value: 'debug' }] },
            { name: 'side', image: 'side:1', resources: { requests: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '1Gi' }, limits: { 'cpu': '1', 'memory': '512Mi', 'ephemeral-storage': '2Gi' } } },
          ],
        },
      },
    },
  };
}

const object = (kind: string, name: string, extra: any = {}) => ({ apiVersion: 'example.com/v1', kind, metadata: { name }, ...extra });
/** The problems of one Deployment changed by `change`. */
function problemsOf(change: (d: any) => void): string[] {
  const d = deployment();
  change(d);
  return manifestProblems([d]);
}
const pod = (d: any) => d.spec.template.spec;

describe('manifestProblems: one rule each', () => {
  test('a valid Deployment has none', () => {
    expect(manifestProblems([deployment()])).toEqual([]);
  });

  test('requests above limits name the object, the field path and both values', () => {
    expect(problemsOf(d => pod(d).containers[1].resources.requests.cpu = '2')).toEqual([
      "Deployment 'agents/web': spec.template.spec.containers[1].resources.requests.cpu '2' is above limits.cpu '1'",
    ]);
    expect(problemsOf(d => pod(d).containers[1].resources.requests.memory = '1Gi'))
      .toEqual(["Deployment 'agents/web': spec.template.spec.containers[1].resources.requests.memory '1Gi' is above limits.memory '512Mi'"]);
    expect(problemsOf(d => pod(d).containers[1].resources.requests['ephemeral-storage'] = '3e9'))
      .toEqual(["Deployment 'agents/web': spec.template.spec.containers[1].resources.requests.ephemeral-storage '3e9' is above limits.ephemeral-storage '2Gi'"]);
    // 1Gi (1073741824) is below 2G (2000000000): units are compared, not text.
    expect(problemsOf(d => Object.assign(pod(d).containers[1].resources, { requests: { memory: '1Gi' }, limits: { memory: '2G' } }))).toEqual([]);
  });

  test('negative and malformed quantities', () => {
    expect(problemsOf(d => pod(d).containers[1].resources.requests.cpu = '-100m'))
      .toEqual(["Deployment 'agents/web': spec.template.spec.containers[1].resources.requests.cpu '-100m' must not be negative"]);
    expect(problemsOf(d => pod(d).containers[1].resources.limits.memory = 'lots'))
      .toEqual(["Deployment 'agents/web': spec.template.spec.containers[1].resources.limits.memory 'lots' is not a Kubernetes quantity"]);
  });

  test('metadata.name by the name rule of its kind', () => {
    expect(problemsOf(d => d.metadata.name = 'Web')).toEqual([expect.stringMatching(/^Deployment 'agents\/Web': metadata.name 'Web' is not a valid RFC 1123 subdomain/)]);
    expect(problemsOf(d => d.metadata.name = 'web.v2')).toEqual([]);
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: '1web' }, spec: { ports: [{ port: 80 }] } };
    expect(manifestProblems([service])).toEqual([expect.stringMatching(/^Service '1web': metadata.name '1web' is not a valid RFC 1035 label/)]);
    expect(manifestProblems([{ ...service, metadata: { name: 'web.v2' } }])).toHaveLength(1);
    expect(manifestProblems([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }]))
      .toEqual([expect.stringMatching(/^Namespace 'a.b': metadata.name 'a.b' is not a valid RFC 1123 label/)]);
    expect(manifestProblems([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x'.repeat(254) } }])).toHaveLength(1);
  });

  test('RBAC names are path segments: a colon is fine, a slash is not', () => {
    const role = (kind: string, name: string) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name } });
    expect(manifestProblems([role('ClusterRole', 'system:agents:reader'), role('RoleBinding', 'Reader_1')])).toEqual([]);
    expect(manifestProblems([role('Role', 'a/b'), role('ClusterRoleBinding', '..')])).toEqual([
      expect.stringMatching(/^Role 'a\/b': metadata.name 'a\/b' is not a valid path segment name/),
      expect.stringMatching(/^ClusterRoleBinding '..': metadata.name '..' is not a valid path segment name/),
    ]);
  });

  test('a CronJob name has at most 52 characters; a CRD is named plural.group', () => {
    const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c'.repeat(53) }, spec: {} };
    expect(manifestProblems([cron])).toEqual([expect.stringContaining('is longer than 52 characters')]);
    expect(manifestProblems([{ ...cron, metadata: { name: 'c'.repeat(52) } }])).toEqual([]);
    const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'agents.example.com' }, spec: { group: 'example.com', names: { plural: 'agenttypes' } } };
    expect(manifestProblems([crd])).toEqual([expect.stringContaining("must be spec.names.plural + '.' + spec.group ('agenttypes.example.com')")]);
  });

  test('generateName, a missing name and metadata.namespace', () => {
    expect(problemsOf(d => { delete d.metadata.name; d.metadata.generateName = 'web-'; })).toEqual([]);
    expect(problemsOf(d => { delete d.metadata.name; d.metadata.generateName = 'Web-'; })).toEqual([expect.stringContaining("metadata.generateName 'Web-' is not a valid RFC 1123 subdomain")]);
    expect(problemsOf(d => delete d.metadata.name)).toEqual(["Deployment 'agents/': metadata.name is required (no name or generateName)"]);
    expect(problemsOf(d => d.metadata.namespace = 'Agents')).toEqual([expect.stringContaining("metadata.namespace 'Agents' is not a valid RFC 1123 label")]);
  });

  test('label keys and values, in metadata and in the pod template', () => {
    expect(problemsOf(d => d.metadata.labels['bad key'] = 'x')).toEqual([expect.stringContaining("metadata.labels key 'bad key' is not a valid label key")]);
    expect(problemsOf(d => d.spec.template.metadata.labels.tier = 'v'.repeat(64)))
      .toEqual([expect.stringContaining("spec.template.metadata.labels['tier'] '" + 'v'.repeat(64) + "' is not a valid label value")]);
  });

  test('annotation keys, and at most 256 KiB of annotations in all', () => {
    expect(problemsOf(d => d.metadata.annotations['-bad'] = 'x')).toEqual([expect.stringContaining("metadata.annotations key '-bad' is not a valid annotation key")]);
    expect(problemsOf(d => d.metadata.annotations['Example.com/Note'] = 'x')).toEqual([]);
    expect(problemsOf(d => d.metadata.annotations.big = 'x'.repeat(256 * 1024)))
      .toEqual([expect.stringContaining('metadata.annotations are 262164 bytes in total, more than the API server\'s limit of 262144 (256 KiB)')]);
  });

  test('container names: RFC 1123 labels, unique across init and app containers', () => {
    expect(problemsOf(d => pod(d).containers[0].name = 'Web')).toEqual([expect.stringContaining("spec.template.spec.containers[0].name 'Web' is not a valid RFC 1123 label")]);
    expect(problemsOf(d => pod(d).containers[1].name = 'init'))
      .toEqual([expect.stringContaining("spec.template.spec.containers[1].name 'init' is the name of another container of the pod")]);
  });

  test('container port names: IANA service names, unique in the container', () => {
    expect(problemsOf(d => pod(d).containers[0].ports[0].name = 'http_port')).toEqual([expect.stringContaining("ports[0].name 'http_port' is not a valid port name")]);
    expect(problemsOf(d => pod(d).containers[0].ports.push({ name: 'http', containerPort: 81 })))
      .toEqual([expect.stringContaining("containers[0].ports[1].name 'http' is the name of another port of the container")]);
  });

  test('Service port names: RFC 1123 labels, unique, required when there are several', () => {
    const service = (ports: any[]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports } });
    expect(manifestProblems([service([{ port: 80 }])])).toEqual([]);
    expect(manifestProblems([service([{ port: 80 }, { name: 'b', port: 81 }])])).toEqual(["Service 'web': spec.ports[0].name is required when a Service has more than one port"]);
    expect(manifestProblems([service([{ name: 'a', port: 80 }, { name: 'a', port: 81 }])])).toEqual([expect.stringContaining("spec.ports[1].name 'a' is the name of another port")]);
  });

  test('environment variable names', () => {
    expect(problemsOf(d => pod(d).containers[0].env.push({ name: '1=BAD', value: 'x' })))
      .toEqual([expect.stringContaining("containers[0].env[1].name '1=BAD' is not a valid environment variable name")]);
  });

  test('an env var has value or valueFrom, not both (found by the API server on the staging preset)', () => {
    const source = { fieldRef: { fieldPath: 'metadata.name' } };
    expect(problemsOf(d => pod(d).containers[0].env[0].valueFrom = source)).toEqual([
      "Deployment 'agents/web': spec.template.spec.containers[0].env[0] 'LOG_LEVEL' has both value and valueFrom (the API server refuses valueFrom when value is not empty)",
    ]);
    // An empty value is what the API server allows beside valueFrom.
    expect(problemsOf(d => pod(d).containers[0].env[0] = { name: 'LOG_LEVEL', value: '', valueFrom: source })).toEqual([]);
  });

  test('a topology spread key is in matchLabelKeys or in the labelSelector, not both (found by the API server on the prod preset)', () => {
    const spread = (selector: any, keys: string[]) => ({ topologyKey: 'kubernetes.io/hostname', maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: selector, matchLabelKeys: keys });
    expect(problemsOf(d => pod(d).topologySpreadConstraints = [
      spread({ matchLabels: { app: 'web' } }, ['pod-template-hash']),
      spread({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, ['pod-template-hash', 'tier']),
      spread({ matchLabels: { app: 'web' } }, ['app']),
    ])).toEqual([
      "Deployment 'agents/web': spec.template.spec.topologySpreadConstraints[1].matchLabelKeys[1] 'tier' is also a key of the constraint's labelSelector (the API server refuses a key in both)",
      "Deployment 'agents/web': spec.template.spec.topologySpreadConstraints[2].matchLabelKeys[0] 'app' is also a key of the constraint's labelSelector (the API server refuses a key in both)",
    ]);
  });

  test('a workload selector selects its pod template; Deployments need one', () => {
    expect(problemsOf(d => d.spec.selector.matchLabels.app = 'api'))
      .toEqual([expect.stringContaining("spec.selector '{\"matchLabels\":{\"app\":\"api\"}}' does not select the labels of spec.template.metadata.labels")]);
    expect(problemsOf(d => delete d.spec.selector)).toEqual(["Deployment 'agents/web': spec.selector is required and must not be empty"]);
    expect(problemsOf(d => d.spec.selector = { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] })).toEqual([]);
    expect(problemsOf(d => d.spec.selector = { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] })).toHaveLength(1);
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'j', image: 'j:1' }] } } } };
    expect(manifestProblems([job])).toEqual([]);
    expect(manifestProblems([{ ...job, spec: { ...job.spec, selector: { matchLabels: { a: 'c' } } } }])).toHaveLength(1);
  });

  test('a workload its HorizontalPodAutoscaler manages has no replicas', () => {
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'agents' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } };
    const d = deployment();
    expect(manifestProblems([d, hpa])).toEqual([]);
    d.spec.replicas = 3;
    expect(manifestProblems([d, hpa])).toEqual([
      "Deployment 'agents/web': spec.replicas '3' is set, but HorizontalPodAutoscaler 'web' manages its replicas: remove the replicas entry or patch",
    ]);
  });

  test('a Service, PDB or HPA the library renders reaches a workload of the output', () => {
    const labels = { 'app.kubernetes.io/part-of': 'cdk8s-agents' };
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'agents', labels }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
    expect(manifestProblems([deployment(), service])).toEqual([]);
    expect(manifestProblems([service])).toEqual([expect.stringMatching(/^Service 'agents\/web': spec.selector .* selects the pods of no workload of the output$/)]);
    // Not the library's: a Service may select pods made elsewhere.
    expect(manifestProblems([{ ...service, metadata: { name: 'web', namespace: 'agents' } }])).toEqual([]);
    const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'other', labels }, spec: { selector: { matchLabels: { app: 'web' } } } };
    expect(manifestProblems([deployment(), pdb])).toHaveLength(1);
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'agents', labels }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'gone' } } };
    expect(manifestProblems([deployment(), hpa])).toEqual(["HorizontalPodAutoscaler 'agents/web': spec.scaleTargetRef 'Deployment/gone' names no workload of the output"]);
  });

  const KEY = 'sk-ant-' + 'a1b2c3d4e5f6g7h8';

  test('no credential-looking value or key anywhere, and never the value in the message', () => {
    const problems = problemsOf(d => pod(d).containers[0].env.push({ name: 'LLM', value: KEY }));
    expect(problems).toEqual([expect.stringMatching(/^Deployment 'agents\/web': spec.template.spec.containers\[0\].env\[1\].value looks like a credential/)]);
    expect(problems.join()).not.toContain('a1b2c3');
    const keyed = problemsOf(d => d.metadata.annotations[KEY] = 'x');
    expect(keyed.join()).toContain('metadata.annotations key looks like a credential (key not shown)');
    expect(keyed.join()).not.toContain('a1b2c3');
  });

  test('a Secret\'s data is screened (decoded)', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { key: Buffer.from(KEY).toString('base64'), user: Buffer.from('bob').toString('base64') }, stringData: { other: KEY } };
    const problems = manifestProblems([secret]);
    expect(problems).toEqual([
      expect.stringContaining("Secret 's': stringData.other looks like a credential"),
      expect.stringContaining("Secret 's': data['key'] decodes to a value that looks like a credential"),
    ]);
    expect(problems.join()).not.toContain('a1b2c3');
    expect(manifestProblems([{ ...secret, data: { user: secret.data.user }, stringData: undefined }])).toEqual([]);
  });

  test('checkManifests throws every problem under one subject; objectProblems adds more', () => {
    expect(() => checkManifests('App', [deployment()])).not.toThrow();
    const broken = deployment();
    broken.metadata.name = 'Web';
    pod(broken).containers[0].name = 'Web';
    expect(errorOf(() => checkManifests('App', [broken]))).toMatch(/^App: 2 problems in the output:\n  Deployment 'agents\/Web': metadata.name .*\n  Deployment 'agents\/Web': spec.template.spec.containers\[0\].name/);
    expect(errorOf(() => checkManifests('App', [deployment()], { objectProblems: () => ['extra'] }))).toBe('App: extra');
  });

  test('keeps clear of valid manifests it does not know (an object of a custom kind)', () => {
    expect(manifestProblems([object('Widget', 'w', { spec: { anything: [1, { deep: 'value' }] } })])).toEqual([]);
  });
});

describe('app.synth() of an app with the library\'s constructs', () => {
  /** An app whose first chart holds an agent and whose second chart holds `objects` as raw ApiObjects. */
  function appWith(outdir: string, objects: any[]): App {
    const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    const first = new Chart(app, 'first', { namespace: 'agents' });
    new AgentPod(first, 'agent', { source: AgentSource.image('registry.example.com/agents/web:1.0') });
    const second = new Chart(app, 'second', { namespace: 'agents' });
    second.addDependency(first);
    objects.forEach((o, i) => new ApiObject(second, `o${i}`, o));
    return app;
  }

  test('a problem in the second chart fails the synth and writes no file', () => {
    const outdir = tmpDir('manifest-check-app-');
    const bad = deployment();
    pod(bad).containers[1].resources.requests.cpu = '2';
    const app = appWith(outdir, [bad]);
    expect(errorOf(() => app.synth())).toContain("Deployment 'agents/web': spec.template.spec.containers[1].resources.requests.cpu '2' is above limits.cpu '1'");
    expect(fs.readdirSync(outdir)).toEqual([]);
    expect(errorOf(() => app.synthYaml())).toContain('is above limits.cpu');
  });

  test('a valid app writes what cdk8s renders, and a change after a synth shows in the next one', () => {
    const outdir = tmpDir('manifest-check-app-');
    const app = appWith(outdir, [deployment()]);
    app.synth();
    const files = fs.readdirSync(outdir).sort();
    expect(files).toEqual(['0000-first.k8s.yaml', '0001-second.k8s.yaml']);
    const rendered = app.charts.map(c => c.toJson());
    expect(Testing.synth(app.charts[1])).toEqual(rendered[1]);
    const raw = app.charts[1].node.findAll().find(ApiObject.isApiObject)!;
    raw.metadata.addLabel('changed', 'yes');
    app.synth();
    expect(fs.readFileSync(path.join(outdir, '0001-second.k8s.yaml'), 'utf8')).toContain('changed: "yes"');
    expect(app.synthYaml()).toContain('changed: "yes"');
  });

  test('an app without the library\'s constructs is left as cdk8s makes it', () => {
    const outdir = tmpDir('manifest-check-app-');
    const app = new App({ outdir });
    const bad = deployment();
    pod(bad).containers[1].resources.requests.cpu = '2';
    new ApiObject(new Chart(app, 'raw'), 'bad', bad);
    app.synth();
    expect(fs.readdirSync(outdir)).toEqual(['raw.k8s.yaml']);
  });
});

describe('Overlay.synth', () => {
  test('a problem made by an overlay fails it and writes nothing, whatever the environment', () => {
    const app = Testing.app();
    new AgentPod(new Chart(app, 'agents', { namespace: 'agents' }), 'web', { source: AgentSource.image('registry.example.com/agents/web:1.0') });
    const deploymentName = Overlay.baseFiles(app)[0].objects.find(o => o.kind === 'Deployment').metadata.name;
    const dev = new Overlay({ name: 'dev' });
    const prod = new Overlay({
      name: 'prod',
      patches: [Patch.strategicMerge({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: deploymentName, namespace: 'agents' },
        spec: { template: { spec: { containers: [{ name: 'agent', resources: { requests: { cpu: '8' }, limits: { cpu: '1' } } }] } } },
      })],
    });
    const out = tmpDir('manifest-check-overlay-');
    const message = errorOf(() => Overlay.synth(app, [dev, prod], { outdir: out, kustomizeOutdir: path.join(out, 'kustomize') }));
    expect(message).toMatch(new RegExp(`^Overlay 'prod': Deployment 'agents/${deploymentName}': spec.template.spec.containers\\[\\d\\].resources.requests.cpu '8' is above limits.cpu '1'$`));
    expect(fs.readdirSync(out)).toEqual([]);
  });
});

describe('no false positive', () => {
  test('on the examples apps and every overlay of the examples', () => {
    const operator = buildOperatorApp({ outdir: tmpDir('manifest-check-operator-') });
    expect(manifestProblems(operator.charts.flatMap(c => c.toJson()))).toEqual([]);
    operator.synth();
    const app = buildGitOpsApp({ outdir: tmpDir('manifest-check-examples-') });
    const base = Overlay.baseFiles(app);
    expect(manifestProblems(base.flatMap(f => f.objects))).toEqual([]);
    for (const overlay of buildEnvironmentOverlays()) {
      expect(manifestProblems(overlay.applyToFiles(base).flatMap(f => f.objects))).toEqual([]);
    }
    app.synth();
  });

  test('on the benchmark app', () => {
    const app = buildBenchApp(3, tmpDir('manifest-check-bench-'));
    expect(manifestProblems(app.charts.flatMap(c => c.toJson()))).toEqual([]);
    app.synth();
  });
});
