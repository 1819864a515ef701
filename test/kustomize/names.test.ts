/**
 * kustomize `namespace:`, `namePrefix:`/`nameSuffix:` and the name-reference
 * transformer, checked against the documented expectation written literally in
 * each test and, where kubectl is installed, against `kubectl kustomize` run on
 * the same case written as a kustomization.
 */
import { stringify } from 'yaml';
import { fixNameReferences } from '../../src/kustomize/name-references';
import { applyNamePrefixSuffix, applyNamespace } from '../../src/kustomize/names';
import { KustomizeResource, toResources } from '../../src/kustomize/resource';
import { webDeployment as deploymentRunning } from '../support/fixtures';
import { byId, hasKubectl, kustomizeBuild, writeTree, yamlDocs } from '../support/kustomize';
import { errorOf, findObject } from '../support/util';

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

interface Overlay {
  readonly namespace?: string;
  readonly namePrefix?: string;
  readonly nameSuffix?: string;
}

/** Runs the name transformers in kustomize's order: namespace, prefix/suffix, then references. */
function run(objects: any[], overlay: Overlay): { out: any[]; resources: KustomizeResource[] } {
  const resources = toResources(objects, 'base.yaml');
  if (overlay.namespace) applyNamespace(resources, overlay.namespace);
  applyNamePrefixSuffix(resources, overlay.namePrefix ?? '', overlay.nameSuffix ?? '');
  fixNameReferences(resources);
  return { out: resources.map(r => r.object), resources };
}

/** The same case as a kustomization directory. */
function tree(objects: any[], overlay: Overlay): string {
  const kustomization: any = { resources: ['res.yaml'] };
  if (overlay.namespace) kustomization.namespace = overlay.namespace;
  if (overlay.namePrefix) kustomization.namePrefix = overlay.namePrefix;
  if (overlay.nameSuffix) kustomization.nameSuffix = overlay.nameSuffix;
  return writeTree({
    'kustomization.yaml': stringify(kustomization),
    'res.yaml': yamlDocs(objects),
  });
}

/** Asserts our result equals `kubectl kustomize` on the same case (when kubectl is there). */
function expectSameAsKubectl(objects: any[], overlay: Overlay, ours: any[]): void {
  const built = kustomizeBuild(tree(objects, overlay));
  if (built) expect(byId(ours)).toEqual(byId(built));
}

function names(out: any[]): string[] {
  return out.map(o => `${o.kind}/${o.metadata.namespace ? o.metadata.namespace + '/' : ''}${o.metadata.name}`);
}

const rbac = 'rbac.authorization.k8s.io';

function configMap(name: string, namespace?: string): any {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(namespace ? { namespace } : {}) }, data: { level: 'info' } };
}
function secret(name: string): any {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque' };
}
function serviceAccount(name: string, namespace?: string): any {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, ...(namespace ? { namespace } : {}) } };
}

/** A Deployment `web` using every kind of reference a pod spec has. */
function webDeployment(): any {
  return deploymentRunning({
    serviceAccountName: 'agent',
    priorityClassName: 'high',
    imagePullSecrets: [{ name: 'pull' }],
    initContainers: [{ name: 'init', image: 'init:1', envFrom: [{ configMapRef: { name: 'settings' } }] }],
    containers: [{
      name: 'app',
      image: 'app:1',
      envFrom: [{ configMapRef: { name: 'settings' } }, { secretRef: { name: 'creds' } }],
      env: [
        { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'level' } } },
        { name: 'USER', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } },
        { name: 'EXT', valueFrom: { secretKeyRef: { name: 'external', key: 'k' } } },
      ],
    }],
    volumes: [
      { name: 'cfg', configMap: { name: 'settings' } },
      { name: 'sec', secret: { secretName: 'creds' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'proj', projected: { sources: [{ configMap: { name: 'settings' } }, { secret: { name: 'creds' } }] } },
    ],
  });
}

function webWorld(): any[] {
  return [
    webDeployment(),
    serviceAccount('agent'),
    configMap('settings'),
    secret('creds'),
    secret('pull'),
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1Gi' } } } },
    { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 },
  ];
}

// ---------------------------------------------------------------------------
// namePrefix / nameSuffix
// ---------------------------------------------------------------------------

describe('namePrefix / nameSuffix', () => {
  const objects = [
    configMap('settings'),
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] },
    { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1 },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'agents' } },
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'agenttypes.example.com' },
      spec: { group: 'example.com', names: { kind: 'AgentType', plural: 'agenttypes' }, scope: 'Namespaced', versions: [] },
    },
    { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.example.com' }, spec: { group: 'example.com' } },
    { apiVersion: 'example.com/v1', kind: 'AgentType', metadata: { name: 'coder' } },
  ];

  test('rename every object, cluster-scoped ones too, except CRDs, APIServices and Namespaces', () => {
    const { out, resources } = run(objects, { namePrefix: 'p-', nameSuffix: '-s' });
    expect(names(out)).toEqual([
      'ConfigMap/p-settings-s',
      'ClusterRole/p-reader-s',
      'PriorityClass/p-high-s',
      'Namespace/agents',
      'CustomResourceDefinition/agenttypes.example.com',
      'APIService/v1.example.com',
      'AgentType/p-coder-s',
    ]);
    // Prefix and suffix are two transformers in kustomize: two previous ids.
    expect(resources[0].previousIds.map(id => id.name)).toEqual(['settings', 'p-settings']);
    expect(resources[3].previousIds).toEqual([]);
    expectSameAsKubectl(objects, { namePrefix: 'p-', nameSuffix: '-s' }, out);
  });

  test('a prefix alone or a suffix alone records one previous id', () => {
    const prefixed = run([configMap('settings')], { namePrefix: 'dev-' });
    expect(prefixed.out[0].metadata.name).toBe('dev-settings');
    expect(prefixed.resources[0].previousIds).toEqual([{ group: '', version: 'v1', kind: 'ConfigMap', name: 'settings', namespace: '' }]);
    const suffixed = run([configMap('settings')], { nameSuffix: '-v2' });
    expect(suffixed.out[0].metadata.name).toBe('settings-v2');
    expect(suffixed.resources[0].previousIds.map(id => id.name)).toEqual(['settings']);
    expectSameAsKubectl([configMap('settings')], { nameSuffix: '-v2' }, suffixed.out);
  });
});

// ---------------------------------------------------------------------------
// name references
// ---------------------------------------------------------------------------

describe('name references', () => {
  test('a Deployment follows its renamed ServiceAccount, ConfigMap, Secrets, PVC and PriorityClass', () => {
    const objects = webWorld();
    const { out } = run(objects, { namePrefix: 'p-' });
    const spec = findObject(out, 'Deployment', 'p-web').spec.template.spec;
    expect(spec.serviceAccountName).toBe('p-agent');
    expect(spec.priorityClassName).toBe('p-high');
    expect(spec.imagePullSecrets).toEqual([{ name: 'p-pull' }]);
    expect(spec.initContainers[0].envFrom).toEqual([{ configMapRef: { name: 'p-settings' } }]);
    expect(spec.containers[0].envFrom).toEqual([{ configMapRef: { name: 'p-settings' } }, { secretRef: { name: 'p-creds' } }]);
    expect(spec.containers[0].env).toEqual([
      { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'p-settings', key: 'level' } } },
      { name: 'USER', valueFrom: { secretKeyRef: { name: 'p-creds', key: 'user' } } },
      // Not an object of the overlay: left as it is.
      { name: 'EXT', valueFrom: { secretKeyRef: { name: 'external', key: 'k' } } },
    ]);
    expect(spec.volumes).toEqual([
      { name: 'cfg', configMap: { name: 'p-settings' } },
      { name: 'sec', secret: { secretName: 'p-creds' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'p-data' } },
      { name: 'proj', projected: { sources: [{ configMap: { name: 'p-settings' } }, { secret: { name: 'p-creds' } }] } },
    ]);
    expectSameAsKubectl(objects, { namePrefix: 'p-' }, out);
  });

  test('without any rename, fixing references changes nothing', () => {
    const objects = webWorld();
    const resources = toResources(objects);
    fixNameReferences(resources);
    expect(resources.map(r => r.object)).toEqual(objects);
    expectSameAsKubectl(objects, {}, resources.map(r => r.object));
  });

  test('Role → RoleBinding roleRef, ClusterRole → ClusterRoleBinding and RoleBinding roleRef, resourceNames', () => {
    const objects = [
      configMap('settings'),
      secret('creds'),
      { apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name: 'editor' }, rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings', 'unrelated'], verbs: ['get'] }] },
      { apiVersion: `${rbac}/v1`, kind: 'ClusterRole', metadata: { name: 'viewer' }, rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['creds'], verbs: ['get'] }] },
      { apiVersion: `${rbac}/v1`, kind: 'RoleBinding', metadata: { name: 'edit' }, roleRef: { apiGroup: rbac, kind: 'Role', name: 'editor' }, subjects: [] },
      { apiVersion: `${rbac}/v1`, kind: 'RoleBinding', metadata: { name: 'view' }, roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'viewer' }, subjects: [] },
      { apiVersion: `${rbac}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'view-all' }, roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'viewer' }, subjects: [] },
    ];
    const { out } = run(objects, { nameSuffix: '-x' });
    expect(findObject(out, 'Role', 'editor-x').rules[0].resourceNames).toEqual(['settings-x', 'unrelated']);
    expect(findObject(out, 'ClusterRole', 'viewer-x').rules[0].resourceNames).toEqual(['creds-x']);
    expect(findObject(out, 'RoleBinding', 'edit-x').roleRef).toEqual({ apiGroup: rbac, kind: 'Role', name: 'editor-x' });
    expect(findObject(out, 'RoleBinding', 'view-x').roleRef).toEqual({ apiGroup: rbac, kind: 'ClusterRole', name: 'viewer-x' });
    expect(findObject(out, 'ClusterRoleBinding', 'view-all-x').roleRef).toEqual({ apiGroup: rbac, kind: 'ClusterRole', name: 'viewer-x' });
    expectSameAsKubectl(objects, { nameSuffix: '-x' }, out);
  });

  test('HPA scaleTargetRef follows the Deployment, StatefulSet serviceName follows the Service', () => {
    const objects = [
      webDeployment(),
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3 },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db' }, spec: { clusterIP: 'None', ports: [{ port: 5432 }] } },
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db' },
        spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } } },
      },
    ];
    const { out } = run(objects, { namePrefix: 'team-' });
    expect(findObject(out, 'HorizontalPodAutoscaler', 'team-web').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'team-web' });
    expect(findObject(out, 'StatefulSet', 'team-db').spec.serviceName).toBe('team-db');
    // The ServiceAccount `agent` of the pod is not part of the overlay: unchanged.
    expect(findObject(out, 'Deployment', 'team-web').spec.template.spec.serviceAccountName).toBe('agent');
    expectSameAsKubectl(objects, { namePrefix: 'team-' }, out);
  });

  test('RoleBinding subjects: same namespace renamed, `default` matches no namespace, another namespace is left, kind is not checked', () => {
    const objects = [
      serviceAccount('agent'),
      {
        apiVersion: `${rbac}/v1`,
        kind: 'RoleBinding',
        metadata: { name: 'agent' },
        roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'view' },
        subjects: [
          { kind: 'ServiceAccount', name: 'agent' },
          { kind: 'ServiceAccount', name: 'agent', namespace: 'default' },
          { kind: 'ServiceAccount', name: 'agent', namespace: 'elsewhere' },
          // Surprise: kustomize matches subjects by name only, a User is rewritten too.
          { kind: 'User', name: 'agent' },
        ],
      },
    ];
    const { out } = run(objects, { namePrefix: 'p-' });
    expect(findObject(out, 'RoleBinding', 'p-agent').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'p-agent' },
      { kind: 'ServiceAccount', name: 'p-agent', namespace: 'default' },
      { kind: 'ServiceAccount', name: 'agent', namespace: 'elsewhere' },
      { kind: 'User', name: 'p-agent' },
    ]);
    // ClusterRole `view` is not in the overlay: the roleRef stays.
    expect(findObject(out, 'RoleBinding', 'p-agent').roleRef.name).toBe('view');
    expectSameAsKubectl(objects, { namePrefix: 'p-' }, out);
  });

  test('across namespaces: a RoleBinding reaches a ServiceAccount of another namespace, a Deployment does not', () => {
    const objects = [
      serviceAccount('agent', 'tools'),
      configMap('settings', 'tools'),
      {
        apiVersion: `${rbac}/v1`,
        kind: 'RoleBinding',
        metadata: { name: 'agent', namespace: 'apps' },
        roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'ServiceAccount', name: 'agent', namespace: 'tools' }],
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'apps' },
        spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { serviceAccountName: 'agent', containers: [{ name: 'app', image: 'app:1', envFrom: [{ configMapRef: { name: 'settings' } }] }] } } },
      },
    ];
    const { out } = run(objects, { namePrefix: 'p-' });
    expect(findObject(out, 'RoleBinding', 'p-agent').subjects).toEqual([{ kind: 'ServiceAccount', name: 'p-agent', namespace: 'tools' }]);
    const pod = findObject(out, 'Deployment', 'p-web').spec.template.spec;
    expect(pod.serviceAccountName).toBe('agent');
    expect(pod.containers[0].envFrom).toEqual([{ configMapRef: { name: 'settings' } }]);
    expectSameAsKubectl(objects, { namePrefix: 'p-' }, out);
  });

  test('Ingress, PV/PVC/StorageClass follow; IngressClass and knative ConfigMap refs do not (kustomize v5.5.0)', () => {
    const objects = [
      configMap('fastcgi'),
      secret('tls'),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web', annotations: { 'nginx.ingress.kubernetes.io/fastcgi-params-configmap': 'fastcgi', 'nginx.ingress.kubernetes.io/auth-secret': 'tls' } },
        spec: {
          ingressClassName: 'nginx',
          tls: [{ hosts: ['a.example.com'], secretName: 'tls' }],
          defaultBackend: { service: { name: 'web', port: { number: 80 } } },
          rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
        },
      },
      { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'x' },
      { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv' }, spec: { storageClassName: 'fast', azureFile: { secretName: 'tls', shareName: 's' } } },
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'claim' }, spec: { storageClassName: 'fast', volumeName: 'pv' } },
      {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        metadata: { name: 'kn' },
        spec: { template: { spec: { containers: [{ image: 'x', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'fastcgi', key: 'a' } } }, { name: 'B', valueFrom: { secretKeyRef: { name: 'tls', key: 'b' } } }] }] } } },
      },
    ];
    const { out } = run(objects, { nameSuffix: '-v1' });
    const ingress = findObject(out, 'Ingress', 'web-v1');
    expect(ingress.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/fastcgi-params-configmap': 'fastcgi-v1', 'nginx.ingress.kubernetes.io/auth-secret': 'tls-v1' });
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls[0].secretName).toBe('tls-v1');
    expect(ingress.spec.defaultBackend.service.name).toBe('web-v1');
    expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe('web-v1');
    expect(findObject(out, 'PersistentVolume', 'pv-v1').spec).toEqual({ storageClassName: 'fast-v1', azureFile: { secretName: 'tls-v1', shareName: 's' } });
    expect(findObject(out, 'PersistentVolumeClaim', 'claim-v1').spec).toEqual({ storageClassName: 'fast-v1', volumeName: 'pv-v1' });
    const kn = out.find(o => o.apiVersion === 'serving.knative.dev/v1');
    expect(kn.spec.template.spec.containers[0].env.map((e: any) => Object.values(e.valueFrom)[0])).toEqual([
      { name: 'fastcgi', key: 'a' }, { name: 'tls-v1', key: 'b' },
    ]);
    expectSameAsKubectl(objects, { nameSuffix: '-v1' }, out);
  });

  test('a cluster-scoped referrer with two equal candidates in different namespaces: the prefix tie-break leaves it', () => {
    const service = (namespace: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace }, spec: { ports: [{ port: 443 }] } });
    const apiService = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.example.com' }, spec: { service: { name: 'api', namespace: 'a' } } };
    const objects = [service('a'), service('b'), apiService];
    const { out } = run(objects, { namePrefix: 'p-' });
    // Both Services are candidates; kustomize keeps those with the referrer's
    // prefixes, and an APIService (never prefixed) has none: no rewrite.
    expect(findObject(out, 'APIService', 'v1.example.com').spec.service).toEqual({ name: 'api', namespace: 'a' });
    expectSameAsKubectl(objects, { namePrefix: 'p-' }, out);

    const single = [service('a'), apiService];
    const one = run(single, { namePrefix: 'p-' });
    expect(findObject(one.out, 'APIService', 'v1.example.com').spec.service).toEqual({ name: 'p-api', namespace: 'a' });
    expectSameAsKubectl(single, { namePrefix: 'p-' }, one.out);
  });
});

// ---------------------------------------------------------------------------
// namespace
// ---------------------------------------------------------------------------

describe('namespace', () => {
  test('namespaced objects move (an existing namespace is overwritten), cluster-scoped ones stay, a Namespace is renamed', () => {
    const objects = [
      configMap('settings'),
      configMap('legacy', 'old'),
      { apiVersion: 'example.com/v1', kind: 'AgentType', metadata: { name: 'coder' } },
      { apiVersion: `${rbac}/v1`, kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] },
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1 },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'agents' } },
    ];
    const { out, resources } = run(objects, { namespace: 'prod' });
    expect(names(out)).toEqual([
      'ConfigMap/prod/settings',
      'ConfigMap/prod/legacy',
      'AgentType/prod/coder',
      'ClusterRole/reader',
      'PriorityClass/high',
      // Surprise: `metadata/name` of a v1 Namespace is one of kustomize's namespace fields.
      'Namespace/prod',
    ]);
    expect(resources[1].previousIds).toEqual([{ group: '', version: 'v1', kind: 'ConfigMap', name: 'legacy', namespace: 'old' }]);
    expect(resources[5].previousIds).toEqual([{ group: '', version: 'v1', kind: 'Namespace', name: 'agents', namespace: '' }]);
    // Unchanged objects get their id recorded as well, like StorePreviousId().
    expect(resources[3].previousIds).toEqual([{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', name: 'reader', namespace: '' }]);
    expectSameAsKubectl(objects, { namespace: 'prod' }, out);
  });

  test('binding subjects named `default` get the namespace whatever their kind; the others only through references', () => {
    const objects = [
      serviceAccount('agent'),
      {
        apiVersion: `${rbac}/v1`,
        kind: 'RoleBinding',
        metadata: { name: 'rb', namespace: 'old' },
        roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'view' },
        subjects: [
          { kind: 'ServiceAccount', name: 'default', namespace: 'foo' },
          { kind: 'Group', name: 'default' },
          { kind: 'ServiceAccount', name: 'other', namespace: 'foo' },
          { kind: 'ServiceAccount', name: 'unknown' },
          { kind: 'ServiceAccount', name: 'agent' },
        ],
      },
      {
        apiVersion: `${rbac}/v1`,
        kind: 'ClusterRoleBinding',
        metadata: { name: 'crb' },
        roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'ServiceAccount', name: 'default' }, { kind: 'ServiceAccount', name: 'agent', namespace: 'default' }],
      },
    ];
    const { out } = run(objects, { namespace: 'prod' });
    expect(findObject(out, 'RoleBinding', 'rb').metadata.namespace).toBe('prod');
    expect(findObject(out, 'RoleBinding', 'rb').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'default', namespace: 'prod' },
      { kind: 'Group', name: 'default', namespace: 'prod' },
      { kind: 'ServiceAccount', name: 'other', namespace: 'foo' },
      { kind: 'ServiceAccount', name: 'unknown' },
      // The ServiceAccount of the overlay moved: the reference follows.
      { kind: 'ServiceAccount', name: 'agent', namespace: 'prod' },
    ]);
    expect(findObject(out, 'ClusterRoleBinding', 'crb').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'default', namespace: 'prod' },
      { kind: 'ServiceAccount', name: 'agent', namespace: 'prod' },
    ]);
    expectSameAsKubectl(objects, { namespace: 'prod' }, out);
  });

  test('webhook services follow the moved Service; APIService service namespace is set (even created); CRD conversion webhook too', () => {
    const webhook = (kind: string) => ({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind,
      metadata: { name: 'hooks' },
      webhooks: [
        { name: 'a.example.com', clientConfig: { service: { name: 'webhook', namespace: 'default' } } },
        { name: 'b.example.com', clientConfig: { service: { name: 'webhook' } } },
        { name: 'c.example.com', clientConfig: { service: { name: 'unknown', namespace: 'default' } } },
      ],
    });
    const objects = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'webhook' }, spec: { ports: [{ port: 443 }] } },
      webhook('ValidatingWebhookConfiguration'),
      webhook('MutatingWebhookConfiguration'),
      { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.local.example.com' }, spec: { group: 'local.example.com' } },
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'bars.example.com' },
        spec: {
          group: 'example.com',
          names: { kind: 'Bar', plural: 'bars' },
          scope: 'Namespaced',
          versions: [],
          conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: { name: 'webhook', namespace: 'default' } } } },
        },
      },
    ];
    const { out } = run(objects, { namespace: 'prod', namePrefix: 'p-' });
    const expected = [
      { name: 'a.example.com', clientConfig: { service: { name: 'p-webhook', namespace: 'prod' } } },
      { name: 'b.example.com', clientConfig: { service: { name: 'p-webhook', namespace: 'prod' } } },
      { name: 'c.example.com', clientConfig: { service: { name: 'unknown', namespace: 'default' } } },
    ];
    expect(findObject(out, 'ValidatingWebhookConfiguration', 'p-hooks').webhooks).toEqual(expected);
    expect(findObject(out, 'MutatingWebhookConfiguration', 'p-hooks').webhooks).toEqual(expected);
    // A local APIService gets `spec.service.namespace` anyway (create: true).
    expect(findObject(out, 'APIService', 'v1.local.example.com').spec).toEqual({ group: 'local.example.com', service: { namespace: 'prod' } });
    // The namespace transformer sets it; the Service name is not a referrer field for CRDs.
    expect(findObject(out, 'CustomResourceDefinition', 'bars.example.com').spec.conversion.webhook.clientConfig.service).toEqual({ name: 'webhook', namespace: 'prod' });
    expectSameAsKubectl(objects, { namespace: 'prod', namePrefix: 'p-' }, out);
  });

  test('a ServiceAccount already in the namespace still gets its subjects namespaced; the Deployment keeps its reference', () => {
    const objects = [
      serviceAccount('agent', 'prod'),
      {
        apiVersion: `${rbac}/v1`,
        kind: 'RoleBinding',
        metadata: { name: 'agent', namespace: 'prod' },
        roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'ServiceAccount', name: 'agent' }],
      },
      webDeployment(),
    ];
    const { out } = run(objects, { namespace: 'prod' });
    expect(findObject(out, 'RoleBinding', 'agent').subjects).toEqual([{ kind: 'ServiceAccount', name: 'agent', namespace: 'prod' }]);
    expect(findObject(out, 'Deployment', 'web').spec.template.spec.serviceAccountName).toBe('agent');
    expectSameAsKubectl(objects, { namespace: 'prod' }, out);
  });

  test('subjects naming the original namespace of a moved ServiceAccount follow it; other namespaces do not', () => {
    const objects = [
      serviceAccount('agent', 'tools'),
      {
        apiVersion: `${rbac}/v1`,
        kind: 'ClusterRoleBinding',
        metadata: { name: 'agent' },
        roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'view' },
        subjects: [
          { kind: 'ServiceAccount', name: 'agent', namespace: 'tools' },
          { kind: 'ServiceAccount', name: 'agent', namespace: 'other' },
          { kind: 'ServiceAccount', name: 'agent' },
        ],
      },
    ];
    const { out } = run(objects, { namespace: 'prod', namePrefix: 'p-' });
    expect(findObject(out, 'ClusterRoleBinding', 'p-agent').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'p-agent', namespace: 'prod' },
      { kind: 'ServiceAccount', name: 'agent', namespace: 'other' },
      { kind: 'ServiceAccount', name: 'p-agent', namespace: 'prod' },
    ]);
    expectSameAsKubectl(objects, { namespace: 'prod', namePrefix: 'p-' }, out);
  });

  test('two objects landing on the same id is an error, as in kustomize', () => {
    const objects = [configMap('settings', 'a'), configMap('settings', 'b')];
    const message = errorOf(() => run(objects, { namespace: 'prod' }));
    expect(message).toBe('namespace \'prod\': the namespace transformation produces an ID conflict: two objects are now ConfigMap \'prod/settings\'');
    if (hasKubectl()) {
      expect(() => kustomizeBuild(tree(objects, { namespace: 'prod' }))).toThrow(/ID conflict/);
    }
  });

  test('namespace, prefix and references together on the full pod', () => {
    const objects = webWorld();
    const { out } = run(objects, { namespace: 'prod', namePrefix: 'p-', nameSuffix: '-s' });
    expect(names(out)).toEqual([
      'Deployment/prod/p-web-s',
      'ServiceAccount/prod/p-agent-s',
      'ConfigMap/prod/p-settings-s',
      'Secret/prod/p-creds-s',
      'Secret/prod/p-pull-s',
      'PersistentVolumeClaim/prod/p-data-s',
      'PriorityClass/p-high-s',
    ]);
    const spec = findObject(out, 'Deployment', 'p-web-s').spec.template.spec;
    expect([spec.serviceAccountName, spec.priorityClassName, spec.volumes[2].persistentVolumeClaim.claimName]).toEqual(['p-agent-s', 'p-high-s', 'p-data-s']);
    expectSameAsKubectl(objects, { namespace: 'prod', namePrefix: 'p-', nameSuffix: '-s' }, out);
  });
});
