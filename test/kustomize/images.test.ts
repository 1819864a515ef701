/**
 * kustomize's `images` and `replicas`
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/images/,
 * .../replicas/): each case checks the expected objects written out literally,
 * then runs the same kustomization through the real `kubectl kustomize` and
 * requires the same objects (or the same failure).
 */
import { applyImages, ImageSpec, parseImageReference } from '../../src/kustomize/images';
import { applyReplicas } from '../../src/kustomize/replicas';
import { renameResource, toResources } from '../../src/kustomize/resource';
import { migrateJob } from '../support/fixtures';
import { expectKustomize, hasKubectl, kustomizeBuild, objectsOf, single, writeTree } from '../support/kustomize';
import { container, errorOf, findObject } from '../support/util';

const DIGEST_A = 'sha256:' + 'a'.repeat(64);
const DIGEST_B = 'sha256:' + 'b'.repeat(64);

// ---------------------------------------------------------------------------
// base objects
// ---------------------------------------------------------------------------

function deployment(images: Record<string, string> = {}): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          initContainers: [{ name: 'agent-init', image: images['agent-init'] ?? 'registry.example.com/agents/web' }],
          containers: [
            { name: 'agent', image: images.agent ?? 'registry.example.com/agents/web:1.2' },
            { name: 'tool-manager', image: images['tool-manager'] ?? 'registry.example.com/agents/tool-manager:0.3' },
          ],
        },
      },
    },
  };
}

function statefulSet(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'memory' },
    spec: {
      serviceName: 'memory',
      selector: { matchLabels: { app: 'memory' } },
      template: {
        metadata: { labels: { app: 'memory' } },
        spec: { initContainers: [{ name: 'init', image: 'localhost:5000/tools/init:1' }], containers: [{ name: 'db', image: 'postgres:16' }] },
      },
    },
  };
}

function cronJob(): any {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly' },
    spec: {
      schedule: '0 3 * * *',
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              initContainers: [{ name: 'agent-init', image: 'registry.example.com/agents/web:1.2' }],
              containers: [{ name: 'agent', image: `registry.example.com/agents/web@${DIGEST_A}` }],
            },
          },
        },
      },
    },
  };
}

function job(): any {
  return migrateJob('registry.example.com/agents/web:1.2');
}

function pod(): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'debug' },
    spec: {
      containers: [{ name: 'agent', image: 'registry.example.com/agents/web:1.2' }],
      // an image volume (Kubernetes 1.31): kustomize v5.5.0 does not touch it
      volumes: [{ name: 'model', image: { reference: 'registry.example.com/agents/web:1.2' } }],
    },
  };
}

function agentType(): any {
  return {
    apiVersion: 'agents.cdk8s.io/v1alpha1',
    kind: 'AgentType',
    metadata: { name: 'coder' },
    spec: {
      replicas: 2,
      image: 'registry.example.com/agents/web:1.2',
      template: { spec: { containers: [{ name: 'agent', image: 'registry.example.com/agents/web:1.2' }] } },
      sidecars: { extra: { containers: [{ name: 'tool', image: 'registry.example.com/agents/web:1.2' }] } },
    },
  };
}

function crd(): any {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'agenttypes.agents.cdk8s.io' },
    spec: {
      group: 'agents.cdk8s.io',
      names: { kind: 'AgentType', plural: 'agenttypes' },
      scope: 'Namespaced',
      versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
      // not a real CRD field: shows kustomize never rewrites images in a CRD
      template: { spec: { containers: [{ name: 'x', image: 'registry.example.com/agents/web:1.2' }] } },
    },
  };
}

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

function expectKustomizeFails(files: Record<string, string>, message: RegExp): void {
  if (hasKubectl()) expect(() => kustomizeBuild(writeTree(files))).toThrow(message);
}

/** Our result of `images` on `base`, compared with kubectl. */
function runImages(base: any[], images: ImageSpec[]): any[] {
  const res = toResources(base);
  applyImages(res, images);
  expectKustomize(res, single(base, { images }));
  return objectsOf(res);
}

// ---------------------------------------------------------------------------
// image references
// ---------------------------------------------------------------------------

describe('parseImageReference', () => {
  test.each([
    ['nginx', { name: 'nginx' }],
    ['nginx:1.27', { name: 'nginx', tag: '1.27' }],
    ['registry.example.com/agents/web:1.2', { name: 'registry.example.com/agents/web', tag: '1.2' }],
    ['localhost:5000/x', { name: 'localhost:5000/x' }],
    ['localhost:5000/x:1', { name: 'localhost:5000/x', tag: '1' }],
    [`registry.example.com/agents/web@${DIGEST_A}`, { name: 'registry.example.com/agents/web', digest: DIGEST_A }],
    [`localhost:5000/x:1@${DIGEST_A}`, { name: 'localhost:5000/x', tag: '1', digest: DIGEST_A }],
  ])('%s', (image, expected) => {
    expect(parseImageReference(image)).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------
// images
// ---------------------------------------------------------------------------

describe('images', () => {
  test('newTag: matches the name with no tag, a tag, a digest or both; replaces tag and drops digest', () => {
    const base = [deployment({ 'agent-init': 'registry.example.com/agents/web', 'tool-manager': `registry.example.com/agents/web:0.9@${DIGEST_A}` }), cronJob()];
    const out = runImages(base, [{ name: 'registry.example.com/agents/web', newTag: '2.0' }]);
    const d = findObject(out, 'Deployment', 'web');
    expect(container(d, 'agent-init').image).toBe('registry.example.com/agents/web:2.0');
    expect(container(d, 'agent').image).toBe('registry.example.com/agents/web:2.0');
    expect(container(d, 'tool-manager').image).toBe('registry.example.com/agents/web:2.0');
    const cron = findObject(out, 'CronJob', 'nightly').spec.jobTemplate.spec.template.spec;
    expect(cron.containers[0].image).toBe('registry.example.com/agents/web:2.0');
    expect(cron.initContainers[0].image).toBe('registry.example.com/agents/web:2.0');
  });

  test('only the exact name matches: not a longer name, not a different registry', () => {
    const base = [deployment({ 'agent': 'registry.example.com/agents/web-extra:1.2', 'tool-manager': 'mirror.example.com/agents/web:1.2' })];
    const out = runImages(base, [{ name: 'registry.example.com/agents/web', newTag: '2.0' }]);
    const d = out[0];
    expect(container(d, 'agent').image).toBe('registry.example.com/agents/web-extra:1.2');
    expect(container(d, 'tool-manager').image).toBe('mirror.example.com/agents/web:1.2');
    expect(container(d, 'agent-init').image).toBe('registry.example.com/agents/web:2.0');
  });

  test('newName only keeps the tag and the digest; a registry port is part of the name', () => {
    const base = [deployment({ agent: `registry.example.com/agents/web:1.2@${DIGEST_A}` }), statefulSet()];
    const out = runImages(base, [
      { name: 'registry.example.com/agents/web', newName: 'mirror.internal:8443/agents/web' },
      { name: 'localhost:5000/tools/init', newName: 'registry.example.com/tools/init' },
    ]);
    const d = findObject(out, 'Deployment', 'web');
    expect(container(d, 'agent').image).toBe(`mirror.internal:8443/agents/web:1.2@${DIGEST_A}`);
    expect(container(d, 'agent-init').image).toBe('mirror.internal:8443/agents/web');
    expect(findObject(out, 'StatefulSet', 'memory').spec.template.spec.initContainers[0].image).toBe('registry.example.com/tools/init:1');
  });

  test('digest replaces the tag; newTag + digest sets both; newName + digest', () => {
    const base = [deployment({ 'agent': 'registry.example.com/agents/web:1.2', 'tool-manager': 'registry.example.com/agents/tool-manager:0.3' }), statefulSet()];
    const out = runImages(base, [
      { name: 'registry.example.com/agents/web', digest: DIGEST_B },
      { name: 'registry.example.com/agents/tool-manager', newTag: '0.4', digest: DIGEST_B },
      { name: 'postgres', newName: 'registry.example.com/postgres', digest: DIGEST_A },
    ]);
    const d = findObject(out, 'Deployment', 'web');
    expect(container(d, 'agent').image).toBe(`registry.example.com/agents/web@${DIGEST_B}`);
    expect(container(d, 'agent-init').image).toBe(`registry.example.com/agents/web@${DIGEST_B}`);
    expect(container(d, 'tool-manager').image).toBe(`registry.example.com/agents/tool-manager:0.4@${DIGEST_B}`);
    expect(findObject(out, 'StatefulSet', 'memory').spec.template.spec.containers[0].image).toBe(`registry.example.com/postgres@${DIGEST_A}`);
  });

  test('entries apply in order: a later entry sees the earlier rewrite; a name with a tag matches only that tag', () => {
    const base = [deployment({ 'agent': 'registry.example.com/agents/web:1.2', 'tool-manager': 'registry.example.com/agents/web:1.3' })];
    const out = runImages(base, [
      { name: 'registry.example.com/agents/web:1.2', newTag: '1.2.1' },
      { name: 'registry.example.com/agents/web', newName: 'mirror.example.com/web' },
      { name: 'mirror.example.com/web', newTag: 'stable' },
    ]);
    expect(container(out[0], 'agent').image).toBe('mirror.example.com/web:stable');
    expect(container(out[0], 'tool-manager').image).toBe('mirror.example.com/web:stable');
    expect(container(out[0], 'agent-init').image).toBe('mirror.example.com/web:stable');

    const onlyTagged = runImages([deployment()], [{ name: 'registry.example.com/agents/web:1.2', newTag: '9' }]);
    expect(container(onlyTagged[0], 'agent').image).toBe('registry.example.com/agents/web:9');
    expect(container(onlyTagged[0], 'agent-init').image).toBe('registry.example.com/agents/web');
  });

  test('Job, Pod and custom resources: any containers/initContainers list at any depth; not spec.image, not image volumes, not CRDs', () => {
    const base = [job(), pod(), agentType(), crd()];
    const out = runImages(base, [{ name: 'registry.example.com/agents/web', newTag: '2.0' }]);
    expect(findObject(out, 'Job', 'migrate').spec.template.spec.containers[0].image).toBe('registry.example.com/agents/web:2.0');
    const p = findObject(out, 'Pod', 'debug');
    expect(p.spec.containers[0].image).toBe('registry.example.com/agents/web:2.0');
    expect(p.spec.volumes[0].image.reference).toBe('registry.example.com/agents/web:1.2');
    const at = findObject(out, 'AgentType', 'coder');
    expect(at.spec.template.spec.containers[0].image).toBe('registry.example.com/agents/web:2.0');
    expect(at.spec.sidecars.extra.containers[0].image).toBe('registry.example.com/agents/web:2.0');
    expect(at.spec.image).toBe('registry.example.com/agents/web:1.2');
    expect(findObject(out, 'CustomResourceDefinition', 'agenttypes.agents.cdk8s.io')).toEqual(crd());
  });

  test('kustomize quirk: the name is a regular expression, so its dots match any character', () => {
    const base = [deployment({ agent: 'registryXexample.com/agents/web:1.2' })];
    const out = runImages(base, [{ name: 'registry.example.com/agents/web', newTag: '2.0' }]);
    expect(container(out[0], 'agent').image).toBe('registryXexample.com/agents/web:2.0');
  });

  test('a containers written as a single map is reached through the field specs; containers without image stay so', () => {
    const base = [{
      apiVersion: 'agents.cdk8s.io/v1alpha1',
      kind: 'AgentType',
      metadata: { name: 'odd' },
      spec: { containers: { image: 'registry.example.com/agents/web:1.2' }, template: { spec: { containers: [{ name: 'no-image' }] } } },
    }];
    const out = runImages(base, [{ name: 'registry.example.com/agents/web', newTag: '2.0' }]);
    expect(out[0].spec).toEqual({ containers: { image: 'registry.example.com/agents/web:2.0' }, template: { spec: { containers: [{ name: 'no-image' }] } } });
  });

  test('errors like kustomize: an image that is not a string, a string in a containers list, spec.template a string', () => {
    const cases: Array<[any, RegExp, RegExp]> = [
      [{ spec: { containers: [{ name: 'a', image: { reference: 'x' } }] } }, /expected a scalar image/, /expected ScalarNode but got MappingNode/],
      [{ spec: { containers: ['registry.example.com/agents/web'] } }, /expected a map in 'containers'/, /expected MappingNode but got ScalarNode/],
      [{ spec: { template: 'pod' } }, /considering field 'spec\/template\/spec\/containers\[\]\/image' of AgentType\.agents\.cdk8s\.io 'bad': expected sequence or mapping node/, /expected sequence or mapping node/],
    ];
    for (const [body, ours, theirs] of cases) {
      const base = [{ apiVersion: 'agents.cdk8s.io/v1alpha1', kind: 'AgentType', metadata: { name: 'bad' }, ...body }];
      const images = [{ name: 'registry.example.com/agents/web', newTag: '2.0' }];
      expect(errorOf(() => applyImages(toResources(base), images))).toMatch(new RegExp(`^images\\['registry.example.com/agents/web'\\]: .*${ours.source}`));
      expectKustomizeFails(single(base, { images }), theirs);
    }
  });

  test('a name that is not a valid regular expression is refused (kustomize crashes on it)', () => {
    expect(errorOf(() => applyImages(toResources([deployment()]), [{ name: 'web(', newTag: '1' }])))
      .toBe('images[\'web(\']: name \'web(\' is not a valid regular expression (kustomize uses the name as a regular expression and crashes on this one)');
    expectKustomizeFails(single([deployment()], { images: [{ name: 'web(', newTag: '1' }] }), /nil pointer dereference|invalid memory address/);
  });
});

// ---------------------------------------------------------------------------
// replicas
// ---------------------------------------------------------------------------

describe('replicas', () => {
  function workloads(): any[] {
    return [
      deployment(),
      { ...statefulSet(), spec: { ...statefulSet().spec, replicas: 1 } },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs' }, spec: { selector: { matchLabels: { app: 'rs' } } } },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'node-agent' }, spec: { selector: { matchLabels: { app: 'n' } } } },
      { ...agentType(), metadata: { name: 'web' } },
    ];
  }

  test('sets spec.replicas of Deployment, StatefulSet and ReplicaSet (created when missing); not a custom resource of the same name', () => {
    const base = workloads();
    const res = toResources(base);
    const replicas = [{ name: 'web', count: 3 }, { name: 'memory', count: 5 }, { name: 'rs', count: 0 }];
    applyReplicas(res, replicas, 'Overlay \'prod\'');
    const out = objectsOf(res);
    expect(findObject(out, 'Deployment', 'web').spec.replicas).toBe(3);
    expect(findObject(out, 'StatefulSet', 'memory').spec.replicas).toBe(5);
    expect(findObject(out, 'ReplicaSet', 'rs').spec).toEqual({ replicas: 0, selector: { matchLabels: { app: 'rs' } } });
    expect(findObject(out, 'AgentType', 'web').spec.replicas).toBe(2);
    expect(findObject(out, 'DaemonSet', 'node-agent')).toEqual(base[3]);
    expectKustomize(res, single(base, { replicas }));
  });

  test('a Deployment without spec gets one', () => {
    const base = [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }];
    const res = toResources(base);
    applyReplicas(res, [{ name: 'web', count: 2 }], 'Overlay \'prod\'');
    expect(res[0].object).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } });
    expectKustomize(res, single(base, { replicas: [{ name: 'web', count: 2 }] }));
  });

  test('matches the current name and any earlier name (after namePrefix)', () => {
    const base = [deployment(), statefulSet()];
    const res = toResources(base);
    for (const r of res) renameResource(r, { name: `prod-${r.object.metadata.name}` });
    applyReplicas(res, [{ name: 'web', count: 4 }, { name: 'prod-memory', count: 2 }], 'Overlay \'prod\'');
    expect(findObject(objectsOf(res), 'Deployment', 'prod-web').spec.replicas).toBe(4);
    expect(findObject(objectsOf(res), 'StatefulSet', 'prod-memory').spec.replicas).toBe(2);
    expectKustomize(res, single(base, { namePrefix: 'prod-', replicas: [{ name: 'web', count: 4 }, { name: 'prod-memory', count: 2 }] }));
  });

  test('a negative count is written as it is, like kustomize does', () => {
    const base = [deployment()];
    const res = toResources(base);
    applyReplicas(res, [{ name: 'web', count: -1 }], 'Overlay \'prod\'');
    expect(res[0].object.spec.replicas).toBe(-1);
    expectKustomize(res, single(base, { replicas: [{ name: 'web', count: -1 }] }));
  });

  test('error: a name that matches no Deployment/StatefulSet/ReplicaSet/ReplicationController', () => {
    for (const name of ['nothing', 'node-agent', 'coder']) {
      const base = [...workloads(), agentType()];
      expect(errorOf(() => applyReplicas(toResources(base), [{ name, count: 2 }], 'Overlay \'prod\'')))
        .toBe(`Overlay 'prod': replicas name '${name}' matches no Deployment, StatefulSet, ReplicaSet or ReplicationController `
          + `by its current or an earlier name (kustomize: "resource with name ${name} does not match a config with the following GVK [...]")`);
      expectKustomizeFails(single(base, { replicas: [{ name, count: 2 }] }), new RegExp(`resource with name ${name} does not match a config`));
    }
  });

  test('error: a count that is not an integer', () => {
    for (const count of [1.5, NaN, Infinity]) {
      expect(errorOf(() => applyReplicas(toResources([deployment()]), [{ name: 'web', count }], 'Overlay \'prod\'')))
        .toBe(`Overlay 'prod': replicas['web'].count '${count}' is not an integer`);
    }
    expectKustomizeFails(single([deployment()], { replicas: [{ name: 'web', count: 1.5 }] }), /cannot unmarshal number 1.5/);
  });

  test('error: spec.replicas that is not a scalar', () => {
    const base = [{ ...deployment(), spec: { replicas: { min: 1 } } }];
    expect(errorOf(() => applyReplicas(toResources(base), [{ name: 'web', count: 2 }], 'Overlay \'prod\'')))
      .toBe('Overlay \'prod\': replicas[\'web\']: considering field \'spec/replicas\': wrong node kind: expected a scalar, found {"min":1}');
    expectKustomizeFails(single(base, { replicas: [{ name: 'web', count: 2 }] }), /expected ScalarNode but got MappingNode/);
  });
});
