/**
 * kustomize's `patches` (strategic merge, JSON 6902, target selection). Each
 * test checks the documented kustomize result written out here, then builds
 * the same case with the real `kubectl kustomize` and checks that it gives
 * exactly what this module gives.
 *
 * https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
 */
import { stringify } from 'yaml';
import { applyPatches, PatchSpec } from '../../src/kustomize/patches';
import { KustomizeResource, renameResource, toResources } from '../../src/kustomize/resource';
import { strategicMergePatch } from '../../src/kustomize/strategic-merge';
import { kustomizeTarget, selectTargets } from '../../src/kustomize/target';
import { byId, hasKubectl, kustomizeBuild, writeTree } from '../support/kustomize';
import { errorOf } from '../support/util';

// ---------------------------------------------------------------------------
// fixtures
// ---------------------------------------------------------------------------

function web(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { 'app': 'web', 'agents.cdk8s.io/role': 'agent' } },
    spec: {
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'agent',
              image: 'agent:1.0',
              env: [{ name: 'MODEL', value: 'small' }, { name: 'LOG_LEVEL', value: 'info' }],
              ports: [{ containerPort: 8080, name: 'http' }],
              resources: { limits: { cpu: '1', memory: '512Mi' } },
              volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }, { name: 'cache', mountPath: '/cache' }],
            },
            { name: 'tool-manager', image: 'tools:1.0', volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }] },
          ],
          volumes: [{ name: 'workspace', emptyDir: {} }, { name: 'cache', emptyDir: {} }],
        },
      },
    },
  };
}

function service(): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  };
}

function configMap(): any {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'web-config', labels: { app: 'web' }, annotations: { 'agents.cdk8s.io/owner': 'platform' } },
    data: { 'mode': 'dev', 'prompt.txt': 'hello' },
  };
}

function agentType(): any {
  return {
    apiVersion: 'agents.cdk8s.io/v1alpha1',
    kind: 'AgentType',
    metadata: { name: 'coder', labels: { tier: 'gold' }, finalizers: ['agents.cdk8s.io/cleanup'] },
    spec: {
      runtime: { image: 'agent:1.0', args: ['--serve'] },
      tools: [{ name: 'git', image: 'git:2' }, { name: 'shell', image: 'sh:1' }],
    },
  };
}

/** A strategic-merge patch of the Deployment `web` (apiVersion, kind and name filled in). */
function webPatch(rest: any): any {
  const { metadata, ...fields } = rest;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', ...metadata }, ...fields };
}

function podPatch(podSpec: any): any {
  return webPatch({ spec: { template: { spec: podSpec } } });
}

function run(base: any[], patches: PatchSpec[], where = "Overlay 'prod'"): any[] {
  return applyPatches(toResources(base), patches, where).map(r => r.object);
}

/**
 * YAML for kustomize: string values double-quoted, so that kustomize's YAML 1.1
 * reading of JSON 6902 values cannot turn `y` or `on` into booleans.
 */
function yaml(value: any): string {
  return stringify(value, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });
}

/** The same case as a kustomize tree: base.yaml, one file per patch, kustomization.yaml. */
function kustomizeTree(base: any[], patches: PatchSpec[]): string {
  const files: Record<string, string> = { 'base.yaml': base.map(o => yaml(o)).join('---\n') };
  const entries = patches.map((p, i) => {
    files[`patch-${i}.yaml`] = yaml(p.patch);
    return { path: `patch-${i}.yaml`, ...(p.target ? { target: kustomizeTarget(p.target) } : {}), ...(p.options ? { options: p.options } : {}) };
  });
  files['kustomization.yaml'] = yaml({ resources: ['base.yaml'], patches: entries });
  return writeTree(files);
}

/** When kubectl is present: `kubectl kustomize` of the same case gives exactly `ours`. */
function expectSameAsKustomize(ours: any[], base: any[], patches: PatchSpec[]): void {
  const theirs = kustomizeBuild(kustomizeTree(base, patches));
  if (theirs) expect(byId(ours)).toEqual(byId(theirs));
}

/** When kubectl is present: `kubectl kustomize` of the same case fails with `message`. */
function expectKustomizeFails(base: any[], patches: PatchSpec[], message: RegExp): void {
  if (!hasKubectl()) return;
  expect(() => kustomizeBuild(kustomizeTree(base, patches))).toThrow(message);
}

/** When kubectl is present: what `kubectl kustomize` makes of the case (undefined without kubectl). */
function kustomizeOutput(base: any[], patches: PatchSpec[]): Record<string, any> | undefined {
  const theirs = kustomizeBuild(kustomizeTree(base, patches));
  return theirs && byId(theirs);
}

const pod = (o: any) => o.spec.template.spec;

// ---------------------------------------------------------------------------
// strategic merge: lists merged by key
// ---------------------------------------------------------------------------

describe('strategic merge patch: lists with a merge key', () => {
  test('containers merge by name: a changed container stays, a new one comes first among the others', () => {
    const base = [web()];
    const patches = [{ patch: podPatch({ containers: [{ name: 'agent', image: 'agent:2.0' }, { name: 'proxy', image: 'envoy:1' }] }) }];
    const [out] = run(base, patches);

    // the patch's elements first, in the patch's order, then the original's others
    expect(pod(out).containers.map((c: any) => [c.name, c.image])).toEqual([
      ['agent', 'agent:2.0'], ['proxy', 'envoy:1'], ['tool-manager', 'tools:1.0'],
    ]);
    // the rest of the agent container is untouched
    expect(pod(out).containers[0]).toEqual({ ...web().spec.template.spec.containers[0], image: 'agent:2.0' });
    expectSameAsKustomize([out], base, patches);
  });

  test('env merges by name: a changed value, a new variable and `$patch: delete`', () => {
    const base = [web()];
    const patches = [{
      patch: podPatch({
        containers: [{
          name: 'agent',
          env: [{ name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'llm', key: 'key' } } }, { name: 'MODEL', value: 'large' },
            { name: 'LOG_LEVEL', $patch: 'delete' }],
        }],
      }),
    }];
    const [out] = run(base, patches);
    expect(pod(out).containers[0].env).toEqual([
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'llm', key: 'key' } } },
      { name: 'MODEL', value: 'large' },
    ]);
    expectSameAsKustomize([out], base, patches);
  });

  test('volumes merge by name; a volume changes source with `null` on the old one (kustomize ignores retainKeys)', () => {
    const base = [web()];
    const patches = [{
      patch: podPatch({
        volumes: [
          { name: 'cache', emptyDir: null, persistentVolumeClaim: { claimName: 'cache' } },
          { name: 'config', configMap: { name: 'web-config' } },
          { name: 'workspace', emptyDir: { sizeLimit: '1Gi' } },
        ],
      }),
    }];
    const [out] = run(base, patches);
    expect(pod(out).volumes).toEqual([
      { name: 'cache', persistentVolumeClaim: { claimName: 'cache' } },
      { name: 'config', configMap: { name: 'web-config' } },
      { name: 'workspace', emptyDir: { sizeLimit: '1Gi' } },
    ]);
    expectSameAsKustomize([out], base, patches);
  });

  test('a volume whose source is changed without `null` keeps both sources, as kustomize gives', () => {
    const base = [web()];
    const patches = [{ patch: podPatch({ volumes: [{ name: 'cache', configMap: { name: 'c' } }] }) }];
    const [out] = run(base, patches);
    expect(pod(out).volumes).toEqual([
      { name: 'cache', emptyDir: {}, configMap: { name: 'c' } },
      { name: 'workspace', emptyDir: {} },
    ]);
    expectSameAsKustomize([out], base, patches);
  });

  test('volumeMounts merge by mountPath, not by name', () => {
    const base = [web()];
    const patches = [{
      patch: podPatch({
        containers: [{
          name: 'tool-manager',
          volumeMounts: [{ name: 'config', mountPath: '/etc/tools', readOnly: true }, { name: 'scratch', mountPath: '/workspace' }],
        }],
      }),
    }];
    const [out] = run(base, patches);
    expect(pod(out).containers).toEqual([
      {
        name: 'tool-manager',
        image: 'tools:1.0',
        volumeMounts: [{ name: 'config', mountPath: '/etc/tools', readOnly: true }, { name: 'scratch', mountPath: '/workspace' }],
      },
      web().spec.template.spec.containers[0],
    ]);
    expectSameAsKustomize([out], base, patches);
  });

  test('container ports merge by containerPort', () => {
    const base = [web()];
    const patches = [{ patch: podPatch({ containers: [{ name: 'agent', ports: [{ containerPort: 9090, name: 'metrics' }, { containerPort: 8080, name: 'api' }] }] }) }];
    const [out] = run(base, patches);
    expect(pod(out).containers[0].ports).toEqual([{ containerPort: 9090, name: 'metrics' }, { containerPort: 8080, name: 'api' }]);
    expectSameAsKustomize([out], base, patches);
  });

  test('ports with protocol: list-map-keys containerPort+protocol, the original elements keep their order', () => {
    const base = [web()];
    base[0].spec.template.spec.containers[0].ports = [
      { containerPort: 53, protocol: 'TCP', name: 'dns-tcp' }, { containerPort: 53, protocol: 'UDP', name: 'dns-udp' },
    ];
    const patches = [{ patch: podPatch({ containers: [{ name: 'agent', ports: [{ containerPort: 53, protocol: 'UDP', name: 'dns' }, { containerPort: 8080, protocol: 'TCP' }] }] }) }];
    const [out] = run(base, patches);
    expect(pod(out).containers[0].ports).toEqual([
      { containerPort: 8080, protocol: 'TCP' },
      { containerPort: 53, protocol: 'TCP', name: 'dns-tcp' },
      { containerPort: 53, protocol: 'UDP', name: 'dns' },
    ]);
    expectSameAsKustomize([out], base, patches);
  });

  test('Service ports merge by port', () => {
    const base = [service()];
    const patches = [{
      patch: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 443, name: 'https', targetPort: 8443 }, { port: 80, targetPort: 9090 }] } },
    }];
    const [out] = run(base, patches);
    expect(out).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: { selector: { app: 'web' }, ports: [{ port: 443, name: 'https', targetPort: 8443 }, { name: 'http', port: 80, targetPort: 9090 }] },
    });
    expectSameAsKustomize([out], base, patches);
  });

  test('metadata.finalizers of a built-in kind merge as a set; lists without a merge key (args, tolerations) are replaced', () => {
    const base = [web()];
    base[0].metadata.finalizers = ['a', 'b'];
    base[0].spec.template.spec.tolerations = [{ key: 'gpu', operator: 'Exists' }];
    base[0].spec.template.spec.containers[0].args = ['--serve', '--port=8080'];
    const patches = [{
      patch: webPatch({
        metadata: { finalizers: ['c', 'a'] },
        spec: { template: { spec: { tolerations: [{ key: 'spot', operator: 'Exists' }], containers: [{ name: 'agent', args: ['--debug'] }] } } },
      }),
    }];
    const [out] = run(base, patches);
    expect(out.metadata.finalizers).toEqual(['c', 'a', 'b']);
    expect(pod(out).tolerations).toEqual([{ key: 'spot', operator: 'Exists' }]);
    expect(pod(out).containers[0].args).toEqual(['--debug']);
    expectSameAsKustomize([out], base, patches);
  });

  test('a custom resource (no schema in kustomize) has every list replaced, finalizers included; maps still merge', () => {
    const base = [agentType()];
    const patches = [{
      patch: {
        apiVersion: 'agents.cdk8s.io/v1alpha1',
        kind: 'AgentType',
        metadata: { name: 'coder', finalizers: ['agents.cdk8s.io/audit'] },
        spec: { runtime: { args: ['--verbose'] }, tools: [{ name: 'shell', image: 'sh:2' }, { name: 'python', image: 'py:3' }] },
      },
    }];
    const [out] = run(base, patches);
    expect(out).toEqual({
      apiVersion: 'agents.cdk8s.io/v1alpha1',
      kind: 'AgentType',
      metadata: { name: 'coder', labels: { tier: 'gold' }, finalizers: ['agents.cdk8s.io/audit'] },
      spec: {
        runtime: { image: 'agent:1.0', args: ['--verbose'] },
        tools: [{ name: 'shell', image: 'sh:2' }, { name: 'python', image: 'py:3' }],
      },
    });
    expectSameAsKustomize([out], base, patches);
  });

  test('CronJob: the pod template under spec.jobTemplate.spec.template merges containers by name', () => {
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly' },
      spec: {
        schedule: '0 2 * * *',
        jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'agent', image: 'agent:1.0' }, { name: 'tool-manager', image: 'tools:1.0' }] } } } },
      },
    };
    const patches = [{
      patch: {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'nightly' },
        spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'tool-manager', image: 'tools:2.0' }] } } } } },
      },
    }];
    const [out] = run([cronJob], patches);
    expect(out.spec.jobTemplate.spec.template.spec.containers).toEqual([
      { name: 'tool-manager', image: 'tools:2.0' }, { name: 'agent', image: 'agent:1.0' },
    ]);
    expectSameAsKustomize([out], [cronJob], patches);
  });
});

// ---------------------------------------------------------------------------
// strategic merge: maps, null and directives
// ---------------------------------------------------------------------------

describe('strategic merge patch: maps, null and $patch', () => {
  test('maps merge recursively and `null` deletes a key', () => {
    const base = [configMap()];
    const patches = [{
      patch: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', labels: { app: null, env: 'prod' }, annotations: null }, data: { 'mode': 'prod', 'prompt.txt': null, 'new': 'x' } },
    }];
    const [out] = run(base, patches);
    expect(out).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-config', labels: { env: 'prod' } },
      data: { mode: 'prod', new: 'x' },
    });
    expectSameAsKustomize([out], base, patches);
  });

  test('`$patch: replace` on a map and `- $patch: replace` in a merged list', () => {
    const base = [web()];
    const patches = [{
      patch: podPatch({
        containers: [{
          name: 'agent',
          resources: { $patch: 'replace', requests: { cpu: '250m' } },
          env: [{ $patch: 'replace' }, { name: 'ONLY', value: '1' }],
        }],
      }),
    }];
    const [out] = run(base, patches);
    expect(pod(out).containers[0].resources).toEqual({ requests: { cpu: '250m' } });
    expect(pod(out).containers[0].env).toEqual([{ name: 'ONLY', value: '1' }]);
    expectSameAsKustomize([out], base, patches);
  });

  test('`$patch: delete` on a map, on a list element and as a list element (deletes the list)', () => {
    const base = [web()];
    const patches = [{
      patch: webPatch({
        spec: {
          strategy: { $patch: 'delete' },
          template: { spec: { containers: [{ name: 'tool-manager', $patch: 'delete' }, { name: 'agent', env: [{ $patch: 'delete' }] }] } },
        },
      }),
    }];
    const [out] = run(base, patches);
    expect(out.spec.strategy).toBeUndefined();
    const agent = { ...web().spec.template.spec.containers[0] };
    delete agent.env;
    expect(pod(out).containers).toEqual([agent]);
    expectSameAsKustomize([out], base, patches);
  });

  test('a new element is added without its nulls and its deleted sub-elements', () => {
    const base = [web()];
    const patches = [{
      patch: podPatch({
        initContainers: [{ name: 'clone', image: 'git:2', command: null, env: [{ name: 'REPO', value: 'x' }, { name: 'DEPTH', $patch: 'delete' }] }],
      }),
    }];
    const [out] = run(base, patches);
    expect(pod(out).initContainers).toEqual([{ name: 'clone', image: 'git:2', env: [{ name: 'REPO', value: 'x' }] }]);
    expectSameAsKustomize([out], base, patches);
  });

  test('`$patch: delete` on the whole object removes it, with or without a target', () => {
    const base = [web(), configMap(), service()];
    const patches: PatchSpec[] = [
      { patch: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config' }, $patch: 'delete' } },
      { target: { kind: 'Service', labelSelector: 'app=web' }, patch: { kind: 'Service', metadata: { name: 'any' }, $patch: 'delete' } },
    ];
    const out = run(base, patches);
    expect(out).toEqual([web()]);
    expect(strategicMergePatch(configMap(), { $patch: 'delete' })).toBeUndefined();
    expectSameAsKustomize(out, base, patches);
  });

  test('duplicate merge keys in the original collapse to the last one once the object is patched, as in kustomize', () => {
    const base = [web()];
    base[0].spec.template.spec.containers[0].env.push({ name: 'MODEL', value: 'override' });
    const patches = [{ patch: webPatch({ spec: { replicas: 3 } }) }];
    const [out] = run(base, patches);
    expect(pod(out).containers[0].env).toEqual([{ name: 'MODEL', value: 'override' }, { name: 'LOG_LEVEL', value: 'info' }]);
    expectSameAsKustomize([out], base, patches);
  });

  test('strategicMergePatch leaves its arguments untouched', () => {
    const original = web();
    const patch = podPatch({ containers: [{ name: 'agent', image: 'agent:2.0', env: [{ name: 'MODEL', $patch: 'delete' }] }] });
    const patchCopy = JSON.parse(JSON.stringify(patch));
    const merged = strategicMergePatch(original, patch);
    expect(original).toEqual(web());
    expect(patch).toEqual(patchCopy);
    expect(pod(merged).containers[0].env).toEqual([{ name: 'LOG_LEVEL', value: 'info' }]);
  });
});

// ---------------------------------------------------------------------------
// what kustomize gets wrong is refused
// ---------------------------------------------------------------------------

describe('strategic merge patch: directives kustomize does not implement are refused', () => {
  test.each([
    ['$retainKeys', webPatch({ spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } })],
    ['$setElementOrder/containers', podPatch({ '$setElementOrder/containers': [{ name: 'tool-manager' }, { name: 'agent' }] })],
    ['$deleteFromPrimitiveList/finalizers', webPatch({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } })],
  ])('%s: kustomize copies it into the output; here it is an error', (directive, patch) => {
    const base = [web()];
    expect(errorOf(() => run(base, [{ patch }]))).toContain(`'${directive}' at`);
    const theirs = kustomizeOutput(base, [{ patch }]);
    if (theirs) expect(JSON.stringify(theirs)).toContain(directive);
  });

  test('`$patch` in a list that is replaced (no merge key) is an error; kustomize copies it verbatim', () => {
    const base = [agentType()];
    const patch = { apiVersion: 'agents.cdk8s.io/v1alpha1', kind: 'AgentType', metadata: { name: 'coder' }, spec: { tools: [{ name: 'git', $patch: 'delete' }] } };
    expect(errorOf(() => run(base, [{ patch }]))).toBe("Overlay 'prod': patches[0] (AgentType.agents.cdk8s.io 'coder') on AgentType.agents.cdk8s.io "
      + "'coder': '$patch' in 'spec.tools[0]' is not supported: 'spec.tools' has no merge key in kustomize's schema for this kind, "
      + "so kustomize replaces the list with the patch's and copies the directive into the output");
    const theirs = kustomizeOutput(base, [{ patch }]);
    if (theirs) expect(Object.values(theirs)[0].spec.tools).toEqual([{ name: 'git', $patch: 'delete' }]);
  });

  test('`$patch: replace` on an existing list element is an error; kustomize leaves the element unchanged', () => {
    const base = [web()];
    const patch = podPatch({ containers: [{ name: 'tool-manager', $patch: 'replace', image: 'tools:2.0' }] });
    expect(errorOf(() => run(base, [{ patch }]))).toContain("'$patch: replace' on element 'spec.template.spec.containers[name=tool-manager]' is not supported");
    const theirs = kustomizeOutput(base, [{ patch }]);
    if (theirs) expect(pod(Object.values(theirs)[0]).containers[0]).toEqual(web().spec.template.spec.containers[1]);
  });

  test('`$patch: replace` on the whole object is an error; kustomize ignores it', () => {
    const base = [configMap()];
    const patch = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config' }, $patch: 'replace', data: { only: 'x' } };
    expect(errorOf(() => run(base, [{ patch }]))).toContain('`$patch: replace` on a whole object is not supported');
    const theirs = kustomizeOutput(base, [{ patch }]);
    if (theirs) expect(Object.values(theirs)[0]).toEqual(configMap());
  });

  test('a merged list element without its merge key is an error; kustomize drops it and empties the list', () => {
    const base = [web()];
    const patch = podPatch({ containers: [{ name: 'agent', env: [{ value: 'orphan' }] }] });
    expect(errorOf(() => run(base, [{ patch }]))).toContain("element 0 of 'spec.template.spec.containers[name=agent].env' has no merge key 'name'");
    const theirs = kustomizeOutput(base, [{ patch }]);
    if (theirs) expect(pod(Object.values(theirs)[0]).containers[0].env).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// target selection
// ---------------------------------------------------------------------------

describe('patch targets', () => {
  function fleet(): any[] {
    const worker = web();
    worker.metadata = { name: 'web-worker', labels: { app: 'worker' }, annotations: { 'agents.cdk8s.io/team': 'search' } };
    const batch = web();
    batch.metadata = { name: 'batch', namespace: 'jobs', labels: { app: 'batch', tier: 'low' } };
    return [web(), worker, batch, service(), configMap()];
  }
  const replicas = (n: number): any => ({ kind: 'Deployment', metadata: { name: 'ignored' }, spec: { replicas: n } });
  const replicasOf = (out: any[]) => Object.fromEntries(out.filter(o => o.kind === 'Deployment').map(o => [o.metadata.name, o.spec.replicas]));

  test('kind and name are anchored regular expressions', () => {
    const base = fleet();
    const patches: PatchSpec[] = [
      { target: { kind: 'Deployment', name: 'web' }, patch: replicas(2) },
      { target: { kind: 'Deploy', name: 'web.*' }, patch: replicas(9) },
      { target: { kind: 'Deployment|Service', name: 'web-.*' }, patch: replicas(3) },
    ];
    const out = run(base, patches);
    expect(replicasOf(out)).toEqual({ 'web': 2, 'web-worker': 3, 'batch': 1 });
    expectSameAsKustomize(out, base, patches);
  });

  test('labelSelector: !=, in, notin, exists and !key', () => {
    const base = fleet();
    const patches: PatchSpec[] = [
      { target: { kind: 'Deployment', labelSelector: 'app!=web' }, patch: replicas(2) },
      { target: { kind: 'Deployment', labelSelector: 'app in (web, batch),tier' }, patch: replicas(3) },
      { target: { kind: 'Deployment', labelSelector: 'app notin (batch), !agents.cdk8s.io/role' }, patch: replicas(4) },
    ];
    const out = run(base, patches);
    // web-worker: app!=web → 2, then notin+!role → 4; batch: != → 2, in+tier → 3; web: none
    expect(replicasOf(out)).toEqual({ 'web': 1, 'web-worker': 4, 'batch': 3 });
    expectSameAsKustomize(out, base, patches);
  });

  test('annotationSelector, group/version and namespace (`default` stands for no namespace)', () => {
    const base = fleet();
    const patches: PatchSpec[] = [
      { target: { annotationSelector: 'agents.cdk8s.io/team=search' }, patch: replicas(5) },
      { target: { group: 'apps', version: 'v1', namespaceName: 'jobs' }, patch: replicas(6) },
      { target: { kind: 'Deployment', namespaceName: 'default', name: 'web' }, patch: replicas(7) },
    ];
    const out = run(base, patches);
    expect(replicasOf(out)).toEqual({ 'web': 7, 'web-worker': 5, 'batch': 6 });
    // kustomize spells namespaceName `namespace`; the fields come in kustomize's order
    // (group, version, kind, name, namespace, selectors) whatever order they were given in.
    expect(Object.entries(kustomizeTarget(patches[2].target!))).toEqual([['kind', 'Deployment'], ['name', 'web'], ['namespace', 'default']]);
    expect(Object.entries(kustomizeTarget(patches[1].target!))).toEqual([['group', 'apps'], ['version', 'v1'], ['namespace', 'jobs']]);
    expectSameAsKustomize(out, base, patches);
  });

  test('an object renamed earlier is selected by its original or current name, but not an intermediate one', () => {
    const res = toResources([web()])[0];
    renameResource(res, { name: 'mid-web' });
    renameResource(res, { name: 'prod-mid-web' });
    expect(selectTargets([res], { name: 'web' })).toEqual([res]);
    expect(selectTargets([res], { name: 'prod-mid-web' })).toEqual([res]);
    expect(selectTargets([res], { name: 'mid-web' })).toEqual([]);
  });

  test('after a base renamed it (namePrefix), an overlay patch finds the object by its original name', () => {
    const resources: KustomizeResource[] = toResources([web()]);
    renameResource(resources[0], { name: 'prod-web' });
    const patches: PatchSpec[] = [
      { patch: webPatch({ spec: { replicas: 3 } }) },
      { target: { name: 'web' }, patch: [{ op: 'add', path: '/metadata/labels/env', value: 'prod' }] },
    ];
    const [out] = applyPatches(resources, patches, "Overlay 'prod'").map(r => r.object);
    expect(out.metadata).toEqual({ name: 'prod-web', labels: { 'app': 'web', 'agents.cdk8s.io/role': 'agent', 'env': 'prod' } });
    expect(out.spec.replicas).toBe(3);

    const root = writeTree({
      'base/kustomization.yaml': yaml({ namePrefix: 'prod-', resources: ['web.yaml'] }),
      'base/web.yaml': yaml(web()),
      'overlay/patch-0.yaml': yaml(patches[0].patch),
      'overlay/patch-1.yaml': yaml(patches[1].patch),
      'overlay/kustomization.yaml': yaml({
        resources: ['../base'],
        patches: [{ path: 'patch-0.yaml' }, { path: 'patch-1.yaml', target: { name: 'web' } }],
      }),
    });
    const theirs = kustomizeBuild(root, 'overlay');
    if (theirs) expect(byId([out])).toEqual(byId(theirs));
  });

  test('a target that selects nothing changes nothing and is not an error', () => {
    const base = fleet();
    const patches: PatchSpec[] = [
      { target: { kind: 'StatefulSet' }, patch: replicas(2) },
      { target: { labelSelector: 'app=nothing' }, patch: [{ op: 'replace', path: '/spec/replicas', value: 2 }] },
    ];
    const out = run(base, patches);
    expect(out).toEqual(fleet());
    expectSameAsKustomize(out, base, patches);
  });

  test('an invalid label selector or regular expression is an error naming the field', () => {
    expect(errorOf(() => selectTargets(toResources([web()]), { labelSelector: 'app in web' })))
      .toBe("labelSelector 'app in web' is not a valid label selector: expected '(' after 'in'");
    expect(errorOf(() => run([web()], [{ target: { name: 'web(' }, patch: replicas(2) }])))
      .toMatch(/^Overlay 'prod': patches\[0\] \(target name=web\(\): target name 'web\(' is not a valid regular expression/);
  });
});

// ---------------------------------------------------------------------------
// the patches field: which object, errors, renames
// ---------------------------------------------------------------------------

describe('patches: target-less strategic merge, renames and errors', () => {
  test('a target-less patch applies to the object with its apiVersion, kind and name only', () => {
    const other = { ...service(), metadata: { name: 'web-2' } };
    const base = [web(), service(), other];
    const patches = [{ patch: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort' } } }];
    const out = run(base, patches);
    expect(out[1].spec.type).toBe('NodePort');
    expect(out[2].spec.type).toBeUndefined();
    expect(out[0]).toEqual(web());
    expectSameAsKustomize(out, base, patches);
  });

  test('a target-less patch naming no object is an error (kustomize fails too)', () => {
    const base = [web()];
    const patches: PatchSpec[] = [
      { patch: webPatch({ spec: { replicas: 2 } }) },
      { patch: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, spec: { replicas: 2 } } },
    ];
    expect(errorOf(() => run(base, patches))).toBe("Overlay 'prod': patches[1] (Deployment.apps 'api') matches no object");
    expectKustomizeFails(base, patches, /no resource matches strategic merge patch/);
  });

  test('the apiVersion of a target-less patch must match too', () => {
    const base = [web()];
    const patches = [{ patch: { apiVersion: 'apps/v1beta2', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } } }];
    expect(errorOf(() => run(base, patches))).toBe("Overlay 'prod': patches[0] (Deployment.apps 'web') matches no object "
      + "(the patch has apiVersion 'apps/v1beta2', the Deployment 'web' has 'apps/v1')");
    expectKustomizeFails(base, patches, /no matches for Id Deployment.v1beta2.apps\/web/);
  });

  test('a strategic merge patch without kind or metadata.name is an error', () => {
    const base = [web()];
    const patches = [{ target: { name: 'web' }, patch: { spec: { replicas: 2 } } }];
    expect(errorOf(() => run(base, patches))).toBe("Overlay 'prod': patches[0]: a strategic merge patch needs 'kind' and 'metadata.name' "
      + '(kustomize cannot parse it otherwise)');
    expectKustomizeFails(base, patches, /unable to parse SM or JSON patch/);
  });

  test('the patch cannot change name, kind, namespace or apiVersion without the options (they are ignored, as in kustomize)', () => {
    const base = [web()];
    const patches = [{
      target: { kind: 'Deployment' },
      patch: { apiVersion: 'apps/v2', kind: 'StatefulSet', metadata: { name: 'renamed', namespace: 'other', labels: { patched: 'yes' } }, spec: { replicas: 4 } },
    }];
    const resources = applyPatches(toResources(base), patches, "Overlay 'prod'");
    const out = resources[0].object;
    expect([out.apiVersion, out.kind, out.metadata.name, out.metadata.namespace]).toEqual(['apps/v1', 'Deployment', 'web', undefined]);
    expect(out.metadata.labels.patched).toBe('yes');
    expect(out.spec.replicas).toBe(4);
    expect(resources[0].previousIds).toEqual([]);
    expectSameAsKustomize([out], base, patches);
  });

  test('allowNameChange and allowKindChange rename the object and record its previous id', () => {
    const base = [web()];
    const patches = [{
      target: { kind: 'Deployment' },
      options: { allowNameChange: true, allowKindChange: true },
      patch: { kind: 'StatefulSet', metadata: { name: 'web-sts', namespace: 'other' }, spec: { serviceName: 'web' } },
    }];
    const resources = applyPatches(toResources(base), patches, "Overlay 'prod'");
    const out = resources[0].object;
    expect([out.apiVersion, out.kind, out.metadata.name, out.metadata.namespace]).toEqual(['apps/v1', 'StatefulSet', 'web-sts', undefined]);
    expect(resources[0].previousIds).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment', name: 'web', namespace: '' }]);
    expectSameAsKustomize([out], base, patches);
  });

  test('renaming two objects to the same name is an error', () => {
    const worker = { ...web(), metadata: { name: 'worker' } };
    const base = [web(), worker];
    const patches = [{ target: { kind: 'Deployment' }, options: { allowNameChange: true }, patch: { kind: 'Deployment', metadata: { name: 'same' } } }];
    expect(errorOf(() => run(base, patches))).toBe("Overlay 'prod': patches[0] (target kind=Deployment) gives two objects the same id Deployment.apps 'same'");
    expectKustomizeFails(base, patches, /may not add resource with an already registered id/);
  });
});

// ---------------------------------------------------------------------------
// JSON 6902
// ---------------------------------------------------------------------------

describe('JSON 6902 patches', () => {
  test('add, replace, remove, copy, move and test, in order', () => {
    const base = [web()];
    const patches: PatchSpec[] = [{
      target: { kind: 'Deployment', name: 'web' },
      patch: [
        { op: 'test', path: '/spec/replicas', value: 1 },
        { op: 'replace', path: '/spec/replicas', value: 3 },
        { op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'EXTRA', value: 'x' } },
        { op: 'add', path: '/spec/template/spec/containers/0/env/0', value: { name: 'FIRST', value: 'y' } },
        { op: 'remove', path: '/spec/template/spec/containers/1' },
        { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copied' },
        { op: 'move', from: '/spec/strategy', path: '/spec/oldStrategy' },
        { op: 'replace', path: '/spec/minReadySeconds', value: 5 },
        { op: 'add', path: '/metadata/annotations', value: { 'a/b~c': 'd' } },
        { op: 'test', path: '/metadata/annotations/a~1b~0c', value: 'd' },
      ],
    }];
    const [out] = run(base, patches);
    const expected = web();
    expected.spec.replicas = 3;
    expected.spec.template.spec.containers[0].env = [
      { name: 'FIRST', value: 'y' }, { name: 'MODEL', value: 'small' }, { name: 'LOG_LEVEL', value: 'info' }, { name: 'EXTRA', value: 'x' },
    ];
    expected.spec.template.spec.containers.splice(1, 1);
    expected.metadata.labels.copied = 'web';
    expected.spec.oldStrategy = expected.spec.strategy;
    delete expected.spec.strategy;
    expected.spec.minReadySeconds = 5; // replace of a missing map key adds it, as in kustomize
    expected.metadata.annotations = { 'a/b~c': 'd' };
    expect(out).toEqual(expected);
    expectSameAsKustomize([out], base, patches);
  });

  test('a failing test operation is an error naming the operation and the values', () => {
    const base = [web()];
    const patches: PatchSpec[] = [{ target: { kind: 'Deployment' }, patch: [{ op: 'test', path: '/spec/replicas', value: 2 }] }];
    expect(errorOf(() => run(base, patches))).toBe("Overlay 'prod': patches[0] (target kind=Deployment) on Deployment.apps 'web': "
      + "operation 0 (test /spec/replicas): test failed: '/spec/replicas' is 1, not 2");
    expectKustomizeFails(base, patches, /testing value \/spec\/replicas failed/);
  });

  test('remove of a missing path, add under a missing parent and an index past the end are errors, as in kustomize', () => {
    const base = [web()];
    const cases: Array<[any, string]> = [
      [{ op: 'remove', path: '/spec/paused' }, "'/spec/paused' does not exist"],
      [{ op: 'add', path: '/spec/template/spec/securityContext/runAsUser', value: 1000 }, "'/spec/template/spec/securityContext/runAsUser' does not exist"],
      [{ op: 'replace', path: '/spec/template/spec/containers/5/image', value: 'x' }, "'/spec/template/spec/containers/5/image' does not exist"],
      [{ op: 'add', path: '/spec/template/spec/volumes/3', value: { name: 'x' } }, "index 3 in '/spec/template/spec/volumes/3' is out of range"],
    ];
    for (const [op, message] of cases) {
      const patches: PatchSpec[] = [{ target: { kind: 'Deployment' }, patch: [op] }];
      expect(errorOf(() => run(base, patches))).toContain(message);
      expectKustomizeFails(base, patches, /(does not apply|Unable to remove nonexistent key|invalid index)/);
    }
  });

  test('a JSON 6902 patch without a target is an error', () => {
    const base = [web()];
    const patches: PatchSpec[] = [{ patch: [{ op: 'replace', path: '/spec/replicas', value: 2 }] }];
    expect(errorOf(() => run(base, patches))).toBe("Overlay 'prod': patches[0]: a JSON 6902 patch needs a 'target' (it names no object)");
    expectKustomizeFails(base, patches, /must specify a target for JSON patch/);
  });

  test('a JSON 6902 rename is recorded, and a later target-less patch still finds the object by its original name', () => {
    const base = [web()];
    const patches: PatchSpec[] = [
      { target: { kind: 'Deployment' }, patch: [{ op: 'replace', path: '/metadata/name', value: 'web-v2' }] },
      { patch: webPatch({ spec: { replicas: 5 } }) },
    ];
    const resources = applyPatches(toResources(base), patches, "Overlay 'prod'");
    expect(resources[0].object.metadata.name).toBe('web-v2');
    expect(resources[0].object.spec.replicas).toBe(5);
    expect(resources[0].previousIds.map(id => id.name)).toEqual(['web']);
    expectSameAsKustomize(resources.map(r => r.object), base, patches);
  });
});
