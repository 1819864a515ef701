/**
 * kustomize's `commonLabels`, `labels` and `commonAnnotations`
 * (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/commonlabels/,
 * .../labels/, .../commonannotations/): each case checks the expected objects
 * written out literally, then runs the same kustomization through the real
 * `kubectl kustomize` and requires the same objects.
 */
import { stringify } from 'yaml';
import { applyAnnotations, applyLabels } from '../../src/kustomize/labels';
import { toResources } from '../../src/kustomize/resource';
import { migrateJob } from '../support/fixtures';
import { expectKustomize, hasKubectl, kustomizeBuild, objectsOf, single, writeTree, yamlDocs } from '../support/kustomize';
import { errorOf, findObject } from '../support/util';

// ---------------------------------------------------------------------------
// base objects
// ---------------------------------------------------------------------------

function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } },
              ],
            },
          },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } },
          ],
          initContainers: [{ name: 'agent-init', image: 'registry.example.com/agents/init:1.0' }],
          containers: [
            { name: 'agent', image: 'registry.example.com/agents/web:1.2' },
            { name: 'tool-manager', image: 'registry.example.com/agents/tool-manager:0.3' },
          ],
        },
      },
    },
  };
}

function service(): any {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
}

function externalService(): any {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'llm' }, spec: { type: 'ExternalName', externalName: 'api.example.com' } };
}

function statefulSet(withClaims = true): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: withClaims ? 'memory' : 'cache' },
    spec: {
      serviceName: 'memory',
      selector: { matchLabels: { app: 'memory' } },
      template: { metadata: { labels: { app: 'memory' } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } },
      ...(withClaims ? { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] } : {}),
    },
  };
}

function networkPolicy(): any {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web' },
    spec: {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }, { namespaceSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    },
  };
}

function pdb(): any {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } };
}

function cronJob(): any {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly' },
    spec: {
      schedule: '0 3 * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'agent', image: 'registry.example.com/agents/web:1.2' }] } } } },
    },
  };
}

function job(): any {
  return migrateJob('busybox:1.36');
}

function hpa(): any {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3 },
  };
}

function agentType(): any {
  return {
    apiVersion: 'agents.cdk8s.io/v1alpha1',
    kind: 'AgentType',
    metadata: { name: 'coder' },
    spec: {
      selector: { matchLabels: { app: 'coder' } },
      template: { metadata: { labels: { app: 'coder' } }, spec: { containers: [{ name: 'agent', image: 'registry.example.com/agents/web:1.2' }] } },
    },
  };
}

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

const COMMON = { includeSelectors: true, includeTemplates: false };
const METADATA_ONLY = { includeSelectors: false, includeTemplates: false };
const TEMPLATES = { includeSelectors: false, includeTemplates: true };

// ---------------------------------------------------------------------------
// commonLabels
// ---------------------------------------------------------------------------

describe('commonLabels (includeSelectors)', () => {
  test('Deployment: metadata, selector, pod template and the affinity/topology selectors; values overwrite', () => {
    const base = [deployment()];
    const res = toResources(base);
    applyLabels(res, { team: 'agents', app: 'agents-web' }, COMMON);
    const d = res[0].object;
    const both = { app: 'agents-web', team: 'agents' };
    expect(d.metadata.labels).toEqual(both);
    expect(d.spec.selector.matchLabels).toEqual(both);
    expect(d.spec.template.metadata.labels).toEqual(both);
    expect(d.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels).toEqual(both);
    expect(d.spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual(both);
    // containers are untouched
    expect(d.spec.template.spec.containers).toEqual(base[0].spec.template.spec.containers);
    expectKustomize(res, single(base, { commonLabels: { team: 'agents', app: 'agents-web' } }));
  });

  test('Service: the selector is extended, and created on a Service that has none (even ExternalName)', () => {
    const base = [service(), externalService()];
    const res = toResources(base);
    applyLabels(res, { team: 'agents' }, COMMON);
    expect(findObject(objectsOf(res), 'Service', 'web').spec.selector).toEqual({ app: 'web', team: 'agents' });
    expect(findObject(objectsOf(res), 'Service', 'llm').spec).toEqual({
      type: 'ExternalName', externalName: 'api.example.com', selector: { team: 'agents' },
    });
    expectKustomize(res, single(base, { commonLabels: { team: 'agents' } }));
  });

  test('StatefulSet: volumeClaimTemplates get the labels; a StatefulSet without them gets none created', () => {
    const base = [statefulSet(), statefulSet(false)];
    const res = toResources(base);
    applyLabels(res, { team: 'agents' }, COMMON);
    const memory = findObject(objectsOf(res), 'StatefulSet', 'memory');
    expect(memory.spec.volumeClaimTemplates).toEqual([{ metadata: { name: 'data', labels: { team: 'agents' } }, spec: { accessModes: ['ReadWriteOnce'] } }]);
    expect(memory.spec.selector.matchLabels).toEqual({ app: 'memory', team: 'agents' });
    const cache = findObject(objectsOf(res), 'StatefulSet', 'cache');
    expect(cache.spec.volumeClaimTemplates).toBeUndefined();
    expect(cache.spec.template.metadata.labels).toEqual({ app: 'memory', team: 'agents' });
    expectKustomize(res, single(base, { commonLabels: { team: 'agents' } }));
  });

  test('CronJob and Job: template labels are created, selectors are not', () => {
    const base = [cronJob(), job()];
    const res = toResources(base);
    applyLabels(res, { team: 'agents' }, COMMON);
    const cron = findObject(objectsOf(res), 'CronJob', 'nightly');
    expect(cron.spec.jobTemplate.metadata).toEqual({ labels: { team: 'agents' } });
    expect(cron.spec.jobTemplate.spec.template.metadata).toEqual({ labels: { team: 'agents' } });
    expect(cron.spec.jobTemplate.spec.selector).toBeUndefined();
    const j = findObject(objectsOf(res), 'Job', 'migrate');
    expect(j.spec.template.metadata).toEqual({ labels: { team: 'agents' } });
    expect(j.spec.selector).toBeUndefined();
    expectKustomize(res, single(base, { commonLabels: { team: 'agents' } }));
  });

  test('NetworkPolicy and PDB: only existing matchLabels change (not namespaceSelector, not an empty podSelector)', () => {
    const base = [networkPolicy(), pdb()];
    const res = toResources(base);
    applyLabels(res, { team: 'agents' }, COMMON);
    const np = findObject(objectsOf(res), 'NetworkPolicy', 'web');
    expect(np.spec).toEqual({
      podSelector: { matchLabels: { app: 'web', team: 'agents' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client', team: 'agents' } } }, { namespaceSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    });
    expect(findObject(objectsOf(res), 'PodDisruptionBudget', 'web').spec.selector).toEqual({ matchLabels: { app: 'web', team: 'agents' } });
    expectKustomize(res, single(base, { commonLabels: { team: 'agents' } }));
  });

  test('HPA and a custom resource only get metadata.labels', () => {
    const base = [hpa(), agentType()];
    const res = toResources(base);
    applyLabels(res, { team: 'agents' }, COMMON);
    expect(res[0].object).toEqual({ ...hpa(), metadata: { name: 'web', labels: { team: 'agents' } } });
    expect(res[1].object).toEqual({ ...agentType(), metadata: { name: 'coder', labels: { team: 'agents' } } });
    expectKustomize(res, single(base, { commonLabels: { team: 'agents' } }));
  });

  test('null fields: created where kustomize creates, [] for a null list, left null where it does not create', () => {
    const base = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: null } },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { volumeClaimTemplates: null } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np' }, spec: { podSelector: { matchLabels: null }, ingress: [null] } },
    ];
    const res = toResources(base);
    applyLabels(res, { team: 'agents' }, COMMON);
    expect(res[0].object).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { team: 'agents' } },
      spec: { selector: { matchLabels: { team: 'agents' } }, template: { metadata: { labels: { team: 'agents' } } } },
    });
    expect(res[1].object.spec.volumeClaimTemplates).toEqual([]);
    expect(res[2].object.spec).toEqual({ podSelector: { matchLabels: null }, ingress: [null] });
    expectKustomize(res, single(base, { commonLabels: { team: 'agents' } }));
  });

  test('an empty label map changes nothing (no empty labels map is created)', () => {
    const base = [service(), agentType()];
    const res = toResources(base);
    applyLabels(res, {}, COMMON);
    expect(objectsOf(res)).toEqual(base);
    expectKustomize(res, single(base, { commonLabels: {} }));
  });

  test('errors like kustomize: labels that are not a map, a string where the path goes on', () => {
    const listLabels = [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: ['a'] } }];
    expect(errorOf(() => applyLabels(toResources(listLabels), { team: 'agents' }, METADATA_ONLY)))
      .toBe('labels: considering field \'metadata/labels\' of Deployment.apps \'web\': wrong node kind: expected a map, found ["a"]');
    const stringTemplate = [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: 'x' } }];
    expect(errorOf(() => applyLabels(toResources(stringTemplate), { team: 'agents' }, COMMON)))
      .toMatch(/^labels: considering field 'spec\/template\/spec\/affinity\/.*' of Deployment\.apps 'web': expected sequence or mapping node$/);
    if (hasKubectl()) {
      expect(() => kustomizeBuild(writeTree(single(listLabels, { labels: [{ pairs: { team: 'agents' } }] }))))
        .toThrow(/expected MappingNode but got SequenceNode/);
      expect(() => kustomizeBuild(writeTree(single(stringTemplate, { commonLabels: { team: 'agents' } }))))
        .toThrow(/expected sequence or mapping node/);
    }
  });
});

// ---------------------------------------------------------------------------
// labels
// ---------------------------------------------------------------------------

describe('labels entries', () => {
  const all = () => [deployment(), service(), externalService(), statefulSet(), cronJob(), networkPolicy(), agentType()];

  test('includeSelectors false: metadata.labels only, on every kind', () => {
    const base = all();
    const res = toResources(base);
    applyLabels(res, { owner: 'alice' }, METADATA_ONLY);
    objectsOf(res).forEach((o, i) => {
      expect(o).toEqual({ ...base[i], metadata: { ...base[i].metadata, labels: { ...base[i].metadata.labels, owner: 'alice' } } });
    });
    expectKustomize(res, single(base, { labels: [{ pairs: { owner: 'alice' } }] }));
  });

  test('includeTemplates: pod, job and volume claim templates too, no selectors', () => {
    const base = all();
    const res = toResources(base);
    applyLabels(res, { owner: 'alice' }, TEMPLATES);
    const objects = objectsOf(res);
    const d = findObject(objects, 'Deployment', 'web');
    expect(d.spec.template.metadata.labels).toEqual({ app: 'web', owner: 'alice' });
    expect(d.spec.selector.matchLabels).toEqual({ app: 'web' });
    expect(d.spec.template.spec.affinity).toEqual(deployment().spec.template.spec.affinity);
    const s = findObject(objects, 'StatefulSet', 'memory');
    expect(s.spec.volumeClaimTemplates[0].metadata.labels).toEqual({ owner: 'alice' });
    expect(s.spec.selector.matchLabels).toEqual({ app: 'memory' });
    const cron = findObject(objects, 'CronJob', 'nightly');
    expect(cron.spec.jobTemplate.metadata.labels).toEqual({ owner: 'alice' });
    expect(cron.spec.jobTemplate.spec.template.metadata.labels).toEqual({ owner: 'alice' });
    expect(findObject(objects, 'Service', 'web').spec.selector).toEqual({ app: 'web' });
    expect(findObject(objects, 'Service', 'llm').spec.selector).toBeUndefined();
    expect(findObject(objects, 'NetworkPolicy', 'web').spec).toEqual(networkPolicy().spec);
    expect(findObject(objects, 'AgentType', 'coder').spec).toEqual(agentType().spec);
    expectKustomize(res, single(base, { labels: [{ pairs: { owner: 'alice' }, includeTemplates: true }] }));
  });

  test('includeSelectors true is commonLabels (includeTemplates does not matter)', () => {
    const base = all();
    const viaLabels = toResources(base);
    applyLabels(viaLabels, { team: 'agents' }, { includeSelectors: true, includeTemplates: true });
    const viaCommon = toResources(base);
    applyLabels(viaCommon, { team: 'agents' }, COMMON);
    expect(objectsOf(viaLabels)).toEqual(objectsOf(viaCommon));
    expect(findObject(objectsOf(viaLabels), 'Service', 'llm').spec.selector).toEqual({ team: 'agents' });
    expectKustomize(viaLabels, single(base, { labels: [{ pairs: { team: 'agents' }, includeSelectors: true, includeTemplates: true }] }));
  });

  test('entries in order, then commonLabels: the later value wins where both apply', () => {
    const base = [deployment(), service()];
    const res = toResources(base);
    applyLabels(res, { tier: 'labels', owner: 'alice' }, TEMPLATES);
    applyLabels(res, { owner: 'bob' }, METADATA_ONLY);
    applyLabels(res, { tier: 'common' }, COMMON);
    const d = findObject(objectsOf(res), 'Deployment', 'web');
    expect(d.metadata.labels).toEqual({ app: 'web', tier: 'common', owner: 'bob' });
    expect(d.spec.selector.matchLabels).toEqual({ app: 'web', tier: 'common' });
    // kustomize quirk: `owner` in the pod template is the node the first entry
    // shared with metadata.labels, so the metadata-only second entry rewrote it too.
    expect(d.spec.template.metadata.labels).toEqual({ app: 'web', tier: 'common', owner: 'bob' });
    expect(findObject(objectsOf(res), 'Service', 'web').spec.selector).toEqual({ app: 'web', tier: 'common' });
    expectKustomize(res, single(base, {
      labels: [{ pairs: { tier: 'labels', owner: 'alice' }, includeTemplates: true }, { pairs: { owner: 'bob' } }],
      commonLabels: { tier: 'common' },
    }));
  });

  test('base commonLabels + overlay metadata-only labels: where the base added the key, the selectors change too', () => {
    const base = [
      { ...deployment(), metadata: { name: 'web', labels: { team: 'yaml' } }, spec: { ...deployment().spec, selector: { matchLabels: { team: 'yaml' } } } },
      service(),
    ];
    const res = toResources(base);
    applyLabels(res, { team: 'base' }, COMMON); // base kustomization
    applyLabels(res, { team: 'overlay' }, METADATA_ONLY); // overlay kustomization
    const d = findObject(objectsOf(res), 'Deployment', 'web');
    // metadata and selector had `team` in the YAML (separate values): only metadata changes
    expect(d.metadata.labels).toEqual({ team: 'overlay' });
    expect(d.spec.selector.matchLabels).toEqual({ team: 'base' });
    expect(d.spec.template.metadata.labels).toEqual({ app: 'web', team: 'base' });
    // the Service had no `team`: kustomize inserted one shared value in metadata and selector
    const s = findObject(objectsOf(res), 'Service', 'web');
    expect(s.metadata.labels).toEqual({ team: 'overlay' });
    expect(s.spec.selector).toEqual({ app: 'web', team: 'overlay' });
    expectKustomize(res, {
      'base/res.yaml': yamlDocs(base),
      'base/kustomization.yaml': stringify({ resources: ['res.yaml'], commonLabels: { team: 'base' } }),
      'overlay/kustomization.yaml': stringify({ resources: ['../base'], labels: [{ pairs: { team: 'overlay' } }] }),
    }, 'overlay');
  });
});

// ---------------------------------------------------------------------------
// commonAnnotations
// ---------------------------------------------------------------------------

describe('commonAnnotations', () => {
  test('metadata and pod/job templates of workloads; not volumeClaimTemplates, not custom resources', () => {
    const base = [deployment(), statefulSet(), cronJob(), job(), service(), agentType()];
    const res = toResources(base);
    applyAnnotations(res, { 'agents.cdk8s.io/owner': 'platform', 'note': 'two words' });
    const a = { 'agents.cdk8s.io/owner': 'platform', 'note': 'two words' };
    const objects = objectsOf(res);
    for (const o of objects) expect(o.metadata.annotations).toEqual(a);
    expect(findObject(objects, 'Deployment', 'web').spec.template.metadata).toEqual({ labels: { app: 'web' }, annotations: a });
    const s = findObject(objects, 'StatefulSet', 'memory');
    expect(s.spec.template.metadata.annotations).toEqual(a);
    expect(s.spec.volumeClaimTemplates[0].metadata).toEqual({ name: 'data' });
    const cron = findObject(objects, 'CronJob', 'nightly');
    expect(cron.spec.jobTemplate.metadata).toEqual({ annotations: a });
    expect(cron.spec.jobTemplate.spec.template.metadata).toEqual({ annotations: a });
    expect(findObject(objects, 'Job', 'migrate').spec.template.metadata).toEqual({ annotations: a });
    expect(findObject(objects, 'AgentType', 'coder').spec).toEqual(agentType().spec);
    // labels are not touched
    expect(findObject(objects, 'Service', 'web').metadata.labels).toBeUndefined();
    expectKustomize(res, single(base, { commonAnnotations: a }));
  });

  test('an overlay overwrites the base value everywhere', () => {
    const base = [deployment()];
    const res = toResources(base);
    applyAnnotations(res, { note: 'base', keep: 'k' });
    applyAnnotations(res, { note: 'overlay' });
    const d = res[0].object;
    expect(d.metadata.annotations).toEqual({ note: 'overlay', keep: 'k' });
    expect(d.spec.template.metadata.annotations).toEqual({ note: 'overlay', keep: 'k' });
    expectKustomize(res, {
      'base/res.yaml': yamlDocs(base),
      'base/kustomization.yaml': stringify({ resources: ['res.yaml'], commonAnnotations: { note: 'base', keep: 'k' } }),
      'overlay/kustomization.yaml': stringify({ resources: ['../base'], commonAnnotations: { note: 'overlay' } }),
    }, 'overlay');
  });
});
