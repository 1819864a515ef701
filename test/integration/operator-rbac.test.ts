/**
 * The operator's RBAC as the real API server's authorizer sees it.
 * `AgentOperator` is rendered in both modes (namespaced, watching two
 * namespaces; cluster-wide), applied with server-side apply, and the server
 * is asked, as the operator's ServiceAccount, about every verb on every
 * resource of the table below (what the operator needs, each entry with its
 * reason) and on what it must never touch: each need is allowed where the
 * operator works, nothing else is, and `kubectl auth can-i --list` holds
 * nothing beyond the table and what every authenticated user gets.
 */
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { buildGitOpsApp } from '../../examples/gitops';
import { AgentOperator } from '../../src';
import { Access, accessText, allowedEach, canIList, serviceAccountUser } from './support/authorization';
import { api, controlPlane, kubectl, kubectlOk, waitFor } from './support/cluster';

const IMAGE = 'registry.example.com/agents/agent-operator:0.1.0';
const GROUP = 'agents.example.com';
const FIELD_MANAGER = 'cdk8s-agents-integration';
/** Every verb the authorizer knows for resources, plus the special ones checked on their own. */
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const READ = ['get', 'list', 'watch'];
const CRUD = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** One thing the operator needs: verbs on a resource, where, and why. */
interface Need {
  readonly group: string;
  readonly resource: string;
  readonly verbs: string[];
  /** `watched`: each watched namespace (every namespace, cluster-wide); `own`: the operator namespace. */
  readonly where: 'watched' | 'own';
  /** Only this object (a rule with `resourceNames`). */
  readonly name?: string;
  readonly why: string;
}

interface Mode {
  readonly title: string;
  readonly name: string;
  readonly namespace: string;
  readonly leaseName: string;
  /** Undefined: cluster-wide. */
  readonly watch?: string[];
}

const NAMESPACED: Mode = { title: 'namespaced', name: 'ns-operator', namespace: 'rbac-ops-a', leaseName: 'cdk8s-agents-operator', watch: ['rbac-team-a', 'rbac-team-b'] };
const CLUSTER_WIDE: Mode = { title: 'cluster-wide', name: 'cw-operator', namespace: 'rbac-ops-b', leaseName: 'cw-operator-lease' };
/** Namespaces the namespaced operator does not watch. */
const UNWATCHED = ['rbac-team-c', 'default', 'kube-system'];

/** What the operator needs (see the operator issue), one entry per resource and place, each with its reason. */
function needs(mode: Mode): Need[] {
  const w = (group: string, resource: string, verbs: string[], why: string): Need => ({ group, resource, verbs, where: 'watched', why });
  return [
    w(GROUP, 'agenttypes', READ, 'the AgentTypes it reconciles (informer: get, list, watch)'),
    w(GROUP, 'agenttypes/status', ['update', 'patch'], 'reports status through the status subresource (update, or server-side apply = patch)'),
    w(GROUP, 'agenttypes/finalizers', ['update'], 'ownerReferences with blockOwnerDeletion to an AgentType (OwnerReferencesPermissionEnforcement)'),
    w('apps', 'deployments', CRUD, 'the agent Deployment (AgentPod), server-side applied and deleted'),
    w('apps', 'statefulsets', CRUD, 'the Redis memory StatefulSet (RedisMemory)'),
    w('', 'configmaps', CRUD, 'the agent init, source and tools ConfigMaps (AgentPod)'),
    w('', 'services', CRUD, 'the agent metrics Service and the Redis Service'),
    w('', 'serviceaccounts', CRUD, 'the agent and Redis ServiceAccounts (no token minting: serviceaccounts/token is not granted)'),
    w('networking.k8s.io', 'networkpolicies', CRUD, 'the agent and Redis NetworkPolicies'),
    w('autoscaling', 'horizontalpodautoscalers', CRUD, 'the agent HorizontalPodAutoscaler (scaling)'),
    w('policy', 'poddisruptionbudgets', CRUD, 'the agent PodDisruptionBudget (scaling)'),
    w('monitoring.coreos.com', 'servicemonitors', CRUD, 'the agent ServiceMonitor (monitoring.serviceMonitor)'),
    w('', 'persistentvolumeclaims', ['get', 'list', 'watch', 'delete'], 'the Redis PVCs the StatefulSet controller makes from volumeClaimTemplates: read, and deleted with the agent\'s memory'),
    w('', 'secrets', READ, 'the Secrets its AgentTypes reference (LLM credentials, Redis password), read only'),
    w('events.k8s.io', 'events', ['create', 'patch'], 'events.k8s.io/v1 Events about AgentTypes (create, then patch a series)'),
    { group: 'coordination.k8s.io', resource: 'leases', verbs: ['create'], where: 'own', why: 'creates the leader-election Lease (a create names no object)' },
    { group: 'coordination.k8s.io', resource: 'leases', verbs: ['get', 'update'], where: 'own', name: mode.leaseName, why: 'reads and renews its leader-election Lease, that one only' },
    { group: 'events.k8s.io', resource: 'events', verbs: ['create', 'patch'], where: 'own', why: 'leader-election Events in its own namespace' },
  ];
}

/** Whether the table grants `access` to the operator of `mode`. */
function granted(mode: Mode, access: Access): boolean {
  const ns = access.namespace ?? '';
  const watched = mode.watch ? mode.watch.includes(ns) : true;
  return needs(mode).some((n) =>
    (n.where === 'own' ? ns === mode.namespace : watched)
    && n.group === access.group && n.resource === access.resource && n.verbs.includes(access.verb)
    && (n.name === undefined || n.name === access.name));
}

/** The namespaces each mode is asked about ('' = cluster scope / all namespaces). */
function namespacesOf(mode: Mode): string[] {
  return [...(mode.watch ?? []), mode.namespace, ...UNWATCHED, ''];
}

/** `kubectl auth can-i --list` key of a table entry and verb (`resource.group/subresource [names] verb`). */
function listKey(n: Need, verb: string): string {
  const [resource, subresource] = n.resource.split('/');
  return `${resource}${n.group ? `.${n.group}` : ''}${subresource ? `/${subresource}` : ''} [${n.name ?? ''}] ${verb}`;
}

let objects: Record<string, any[]>;
const extraNamespaces = ['rbac-team-a', 'rbac-team-b', 'rbac-team-c'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));

function render(): Record<string, any[]> {
  const app = Testing.app();
  const namespaced = new Chart(app, 'namespaced');
  new AgentOperator(namespaced, 'op', { image: IMAGE, name: NAMESPACED.name, namespaceName: NAMESPACED.namespace, watchNamespaces: NAMESPACED.watch });
  const clusterWide = new Chart(app, 'cluster-wide');
  const cw = CLUSTER_WIDE;
  new AgentOperator(clusterWide, 'op', { image: IMAGE, name: cw.name, namespaceName: cw.namespace, clusterWide: true, installCrd: false, leaderElectionId: cw.leaseName });
  return { [NAMESPACED.title]: namespaced.toJson(), [CLUSTER_WIDE.title]: clusterWide.toJson() };
}

const toYaml = (list: any[]): string => list.map((o) => JSON.stringify(o)).join('\n---\n');
const apply = (list: any[]) => kubectlOk(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], toYaml(list));
const FIRST = new Set(['Namespace', 'CustomResourceDefinition']);

beforeAll(async () => {
  objects = render();
  const all = [...extraNamespaces, ...objects[NAMESPACED.title], ...objects[CLUSTER_WIDE.title]];
  apply(all.filter((o) => FIRST.has(o.kind)));
  apply(all.filter((o) => !FIRST.has(o.kind)));
  // The RBAC authorizer reads bindings from its informer: wait until the last binding is seen.
  await waitFor('the operator bindings to reach the authorizer', 30, async () => {
    const [a, b] = await Promise.all([
      allowedEach(NAMESPACED, [{ verb: 'list', group: GROUP, resource: 'agenttypes', namespace: 'rbac-team-b' }]),
      allowedEach(CLUSTER_WIDE, [{ verb: 'list', group: GROUP, resource: 'agenttypes' }]),
    ]);
    return a[0] && b[0] ? true : undefined;
  });
});

afterAll(async () => {
  if (!objects) return;
  const all = [...extraNamespaces, ...objects[NAMESPACED.title], ...objects[CLUSTER_WIDE.title]];
  kubectl(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], toYaml([...all].reverse()));
  for (const ns of all.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)) {
    await waitFor(`namespace ${ns} to be deleted`, 120, async () => ((await api('GET', `/api/v1/namespaces/${ns}`)).status === 404 ? true : undefined));
  }
});

/** What the operator must never do, anywhere. */
const NEVER: Access[] = [
  ...['create', 'update', 'patch', 'delete', 'deletecollection'].map((verb) => ({ verb, group: '', resource: 'secrets' })),
  ...['pods/exec', 'pods/attach', 'pods/portforward'].flatMap((resource) => ['create', 'get'].map((verb) => ({ verb, group: '', resource }))),
  ...['users', 'groups', 'serviceaccounts', 'userextras/scopes', 'uids'].map((resource) => ({
    verb: 'impersonate', group: resource === 'serviceaccounts' ? '' : 'authentication.k8s.io', resource,
  })),
  ...['roles', 'clusterroles'].flatMap((resource) => ['escalate', 'bind'].map((verb) => ({ verb, group: 'rbac.authorization.k8s.io', resource }))),
  ...['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'].flatMap((resource) =>
    VERBS.map((verb) => ({ verb, group: 'rbac.authorization.k8s.io', resource }))),
  { verb: 'create', group: '', resource: 'serviceaccounts/token' },
  ...['pods', 'pods/log', 'nodes', 'namespaces', 'persistentvolumes'].flatMap((resource) => VERBS.map((verb) => ({ verb, group: '', resource }))),
  ...VERBS.map((verb) => ({ verb, group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' })),
  ...VERBS.map((verb) => ({ verb, group: '', resource: 'events' })),
  ...['certificatesigningrequests', 'certificatesigningrequests/approval'].flatMap((resource) =>
    ['create', 'update'].map((verb) => ({ verb, group: 'certificates.k8s.io', resource }))),
];

/** The API resource (plural) of `apiVersion`/`kind`, from the server's discovery. */
async function resourceOf(apiVersion: string, kind: string): Promise<string> {
  const response = await api('GET', apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`);
  if (response.status !== 200) throw new Error(`discovery of ${apiVersion}: ${response.status} ${response.body}`);
  const found = JSON.parse(response.body).resources.find((r: any) => r.kind === kind && !r.name.includes('/'));
  if (!found) throw new Error(`discovery of ${apiVersion} has no ${kind}`);
  return found.name;
}

test('the table covers every object the examples render for their agents, and the PVCs of their StatefulSets', async () => {
  const serviceMonitorCrd = path.join(controlPlane().binDir, 'crds', 'monitoring.coreos.com_servicemonitors.yaml');
  kubectlOk(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', serviceMonitorCrd]);
  try {
    await waitFor('the ServiceMonitor API to be served', 60, async () => ((await api('GET', '/apis/monitoring.coreos.com/v1')).status === 200 ? true : undefined));
    const agents = buildGitOpsApp({ outdir: '/nonexistent-examples-outdir' }).charts.find((c) => c.node.id === 'agents')!.toJson();
    const made = new Map(agents.map((o) => [`${o.apiVersion} ${o.kind}`, o]));
    expect([...made.keys()].length).toBeGreaterThanOrEqual(9);
    const pvcs = agents.some((o) => o.kind === 'StatefulSet' && o.spec.volumeClaimTemplates?.length);
    expect(pvcs).toBe(true);
    const table = needs(NAMESPACED).filter((n) => n.where === 'watched');
    const missing: string[] = [];
    for (const key of [...made.keys(), 'v1 PersistentVolumeClaim']) {
      const [apiVersion, kind] = key.split(' ');
      const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
      const resource = await resourceOf(apiVersion, kind);
      // server-side apply (create, patch), informers (get, list, watch) and delete; the StatefulSet controller creates the PVCs
      const wanted = kind === 'PersistentVolumeClaim' ? ['get', 'list', 'watch', 'delete'] : ['get', 'list', 'watch', 'create', 'patch', 'delete'];
      const need = table.find((n) => n.group === group && n.resource === resource);
      for (const verb of wanted.filter((v) => !need?.verbs.includes(v))) missing.push(`${verb} ${group || 'core'}/${resource} (${kind})`);
    }
    expect(missing).toEqual([]);
  } finally {
    kubectlOk(['delete', '--ignore-not-found', '-f', serviceMonitorCrd]);
  }
});

test('the rendered rules name no wildcard, no Secret write, no RBAC object and no exec/attach/portforward or impersonate/escalate/bind', () => {
  const rules = Object.values(objects).flat().filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').flatMap((r) => r.rules ?? []);
  expect(rules.length).toBeGreaterThan(10);
  const bad = rules.filter((rule: any) =>
    ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'].some((f) => (rule[f] ?? []).some((v: string) => v.includes('*')))
    || (rule.nonResourceURLs ?? []).length > 0
    || rule.apiGroups.includes('rbac.authorization.k8s.io')
    || rule.resources.some((r: string) => ['pods/exec', 'pods/attach', 'pods/portforward', 'serviceaccounts/token'].includes(r))
    || rule.verbs.some((v: string) => ['impersonate', 'escalate', 'bind', 'deletecollection'].includes(v))
    || (rule.resources.includes('secrets') && rule.verbs.some((v: string) => !READ.includes(v))));
  expect(bad).toEqual([]);
});

describe.each([NAMESPACED, CLUSTER_WIDE])('$title operator', (mode) => {
  test('every need of the table is allowed where the operator works', async () => {
    const places = (n: Need) => (n.where === 'own' ? [mode.namespace] : mode.watch ?? ['rbac-team-a', 'kube-system', '']);
    const accesses = needs(mode).flatMap((n) => places(n).flatMap((namespace) =>
      n.verbs.map((verb) => ({ verb, group: n.group, resource: n.resource, namespace, name: n.name }))));
    const allowed = await allowedEach(mode, accesses);
    expect(accesses.filter((_, i) => !allowed[i]).map(accessText)).toEqual([]);
    expect(accesses.length).toBeGreaterThan(70);
  });

  test('nothing beyond the table: every verb on every resource of the table, in every namespace and cluster-wide', async () => {
    const resources = [...new Map(needs(mode).map((n) => [`${n.group}/${n.resource}`, n])).values()];
    const accesses: Access[] = namespacesOf(mode).flatMap((namespace) => resources.flatMap((n) =>
      VERBS.flatMap((verb) => [undefined, mode.leaseName, 'another-object'].map((name) => ({ verb, group: n.group, resource: n.resource, namespace, name })))));
    const allowed = await allowedEach(mode, accesses);
    const wrong = accesses.filter((a, i) => allowed[i] !== granted(mode, a)).map((a) => `${granted(mode, a) ? 'denied' : 'allowed'}: ${accessText(a)}`);
    expect(wrong).toEqual([]);
  });

  test('never: Secret writes, exec/attach/portforward, impersonate, escalate/bind, RBAC objects, tokens, cluster objects', async () => {
    const accesses = namespacesOf(mode).flatMap((namespace) => NEVER.map((a) => ({ ...a, namespace })));
    const allowed = await allowedEach(mode, accesses);
    expect(accesses.filter((_, i) => allowed[i]).map(accessText)).toEqual([]);
  });

  test('real requests as the ServiceAccount: apply a ConfigMap, read a Secret, hold the Lease; Secret writes and another Lease are forbidden', () => {
    const as = `--as=${serviceAccountUser(mode.namespace, mode.name).user}`;
    const ns = mode.watch?.[0] ?? 'rbac-team-c';
    const object = (kind: string, namespace: string, name: string, rest: object = {}) => JSON.stringify({
      apiVersion: kind === 'Lease' ? 'coordination.k8s.io/v1' : 'v1', kind, metadata: { name, namespace }, ...rest,
    });
    const forbidden = (result: { status: number; stderr: string }) => result.status !== 0 && /forbidden/i.test(result.stderr);

    kubectlOk(['apply', '--server-side', '--field-manager=rbac-test', as, '-f', '-'], object('ConfigMap', ns, 'rbac-probe', { data: { a: '1' } }));
    kubectlOk(['apply', '--server-side', '--field-manager=rbac-test', '-f', '-'], object('Secret', ns, 'rbac-probe', { stringData: { k: 'v' } }));
    expect(kubectlOk(['get', 'secret', 'rbac-probe', '-n', ns, as, '-o', 'name'])).toContain('rbac-probe');
    expect(forbidden(kubectl(['delete', 'secret', 'rbac-probe', '-n', ns, as]))).toBe(true);
    expect(forbidden(kubectl(['apply', '--server-side', '--field-manager=rbac-test', as, '-f', '-'], object('Secret', ns, 'rbac-probe', { stringData: { k: 'w' } })))).toBe(true);
    expect(forbidden(kubectl(['create', 'secret', 'generic', 'rbac-probe-2', '-n', ns, '--from-literal=k=v', as]))).toBe(true);
    if (mode.watch) {
      expect(forbidden(kubectl(['apply', '--server-side', '--field-manager=rbac-test', as, '-f', '-'], object('ConfigMap', 'rbac-team-c', 'rbac-probe')))).toBe(true);
    }

    // The leader-election cycle of client-go's Lease lock: create, get, update (PUT).
    const spec = { spec: { holderIdentity: 'pod-1', leaseDurationSeconds: 15 } };
    kubectlOk(['create', as, '-f', '-'], object('Lease', mode.namespace, mode.leaseName, spec));
    const lease = JSON.parse(kubectlOk(['get', 'lease', mode.leaseName, '-n', mode.namespace, as, '-o', 'json']));
    kubectlOk(['replace', as, '-f', '-'], JSON.stringify({ ...lease, spec: { ...lease.spec, holderIdentity: 'pod-2' } }));
    kubectlOk(['create', '-f', '-'], object('Lease', mode.namespace, 'another-lease', spec));
    expect(forbidden(kubectl(['get', 'lease', 'another-lease', '-n', mode.namespace, as]))).toBe(true);
    expect(forbidden(kubectl(['delete', 'lease', mode.leaseName, '-n', mode.namespace, as]))).toBe(true);
  });

  test('kubectl auth can-i --list in each namespace: the table, plus what every ServiceAccount gets', () => {
    const user = serviceAccountUser(mode.namespace, mode.name).user;
    const nobody = serviceAccountUser(mode.namespace, 'rbac-test-nobody').user;
    for (const namespace of namespacesOf(mode).filter((ns) => ns)) {
      const baseline = canIList(namespace, nobody);
      const extra = [...canIList(namespace, user)].filter((e) => !baseline.has(e)).sort();
      const expected = needs(mode)
        .filter((n) => (n.where === 'own' ? namespace === mode.namespace : !mode.watch || mode.watch.includes(namespace)))
        .flatMap((n) => n.verbs.map((verb) => listKey(n, verb)));
      expect({ namespace, extra }).toEqual({ namespace, extra: [...new Set(expected)].sort() });
    }
  });
});
